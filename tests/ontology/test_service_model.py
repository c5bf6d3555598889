"""The service and access model: its terms, vocabularies, alignments, shapes and example 16.

Every new shape has a conforming example (``data/good.ttl``, ``data/services.ttl``) and at
least one failing case (``SERVICE_CASES``, applied to good.ttl like ``test_shapes.CASES``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from riikg.namespaces import EOSC_VOCABULARY, RIIKG, SERVICE_SCHEMES, VOCAB
from riikg.resources import ontology_dir
from riikg.validate import SHAPES_NS, validate
from tests.ontology.test_shapes import Case, _apply, _case_id, _expand

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
ONTOLOGY_IRI = URIRef("https://w3id.org/riikg/ontology")
DCT_SOURCE = URIRef("http://purl.org/dc/terms/source")

RI = "id:infrastructure\\/lab"
ORG = "id:organisation\\/uni"
SV = "id:service\\/lab--testing"
SCT = "id:contact\\/lab--testing"
PRICE = "id:service\\/lab--testing\\#price"
OFFER = "id:service\\/lab--testing\\#offer"
ADDR = "id:address\\/uni"
IDM = "id:identifier\\/lab-meril"
IDR = "id:identifier\\/uni-ror"
IDI = "id:identifier\\/uni-ico"
T = "https://w3id.org/riikg/vocab/"

SERVICE_CASES = [
    # service: access model
    Case(
        "SA-targetUser",
        "riikg:targetUser",
        add=f"{SV} riikg:targetUser <{T}access-type/physical> .",
    ),
    Case(
        "SA-targetUserRecommended",
        "riikg:targetUser",
        remove=f"{SV} riikg:targetUser <{T}target-user/smes> .",
        severity="Warning",
    ),
    Case(
        "SA-accessType",
        "riikg:accessType",
        add=f"{SV} riikg:accessType <{T}access-type/teleport> .",
    ),
    Case(
        "SA-accessTypeRecommended",
        "riikg:accessType",
        remove=f"{SV} riikg:accessType <{T}access-type/mail-in> .",
        severity="Warning",
    ),
    # TRL outside 1-9
    Case(
        "SA-trl",
        "riikg:technologyReadinessLevel",
        add=f"{SV} riikg:technologyReadinessLevel <{T}trl/10> .",
        remove=f"{SV} riikg:technologyReadinessLevel <{T}trl/6> .",
    ),
    Case(
        "SA-trl",
        "riikg:technologyReadinessLevel",
        add=f"{SV} riikg:technologyReadinessLevel <{T}trl/7> .",
    ),
    Case(
        "SA-trlRecommended",
        "riikg:technologyReadinessLevel",
        remove=f"{SV} riikg:technologyReadinessLevel <{T}trl/6> .",
        severity="Warning",
    ),
    # a concept outside its scheme
    Case("SA-technique", "riikg:technique", add=f"{SV} riikg:technique <{T}ket/KET2009-NANO> ."),
    Case("SA-language", "dct:language", add=f'{SV} dct:language "en" .'),
    Case(
        "SA-language",
        "dct:language",
        add=f"{SV} dct:language <http://id.loc.gov/vocabulary/iso639-1/en> .",
    ),
    Case("SA-offers", "schema:offers", add=f"{SV} schema:offers id:offer\\/untyped ."),
    Case(
        "SA-applicationRoute",
        "riikg:applicationRoute",
        add=f"{SV} riikg:applicationRoute <https://lab.example.org/form> .",
    ),
    # wrong datatype
    Case(
        "SA-timeToAccess",
        "riikg:timeToAccess",
        add=f'{SV} riikg:timeToAccess "two weeks" .',
        remove=f'{SV} riikg:timeToAccess "P14D"^^xsd:duration .',
    ),
    Case(
        "SA-contactPoint",
        "dcat:contactPoint",
        add=f"{SV} dcat:contactPoint {'id:contact' + chr(92) + '/lab'} .",
    ),
    Case(
        "SA-bookingPage",
        "riikg:bookingPage",
        add=f'{SV} riikg:bookingPage "https://lab.example.org/book2" .',
    ),
    Case(
        "SA-lastVerified",
        "riikg:lastVerified",
        add=f'{SV} riikg:lastVerified "2026-11-20T10:00:00"^^xsd:dateTime .',
        remove=f'{SV} riikg:lastVerified "2026-11-20"^^xsd:date .',
    ),
    Case(
        "ServicePriceRecommendedShape",
        None,
        remove=f"{SV} schema:offers {OFFER} ; riikg:feePolicy <{T}fee-policy/cost-based> .",
        severity="Warning",
    ),
    # a contact point carrying a person's name
    Case("OrganisationalContactShape", None, add=f"{SCT} a vcard:Individual ."),
    Case("OC-givenName", "vcard:given-name", add=f'{SCT} vcard:given-name "Maria" .'),
    Case("OC-familyName", "vcard:family-name", add=f'{SCT} vcard:family-name "Example" .'),
    Case("OC-name", "vcard:hasName", add=f"{SCT} vcard:hasName id:contact\\/name ."),
    Case(
        "OC-personalEmail",
        "vcard:hasEmail",
        add=f"{SCT} vcard:hasEmail <mailto:maria.example@lab.example.org> .",
        severity="Warning",
    ),
    # price
    Case(
        "OF-priceSpecification",
        "schema:priceSpecification",
        remove=f"{OFFER} schema:priceSpecification {PRICE} .",
    ),
    Case(
        "UnitPriceShape",
        None,
        remove=f"{PRICE} schema:minPrice 80.00 ; schema:maxPrice 120.00 .",
    ),
    Case("PS-price", "schema:price", add=f'{PRICE} schema:price "90 EUR" .'),
    Case(
        "PS-minPrice",
        "schema:minPrice",
        add=f"{PRICE} schema:minPrice 150.00 .",
        remove=f"{PRICE} schema:minPrice 80.00 .",
    ),
    Case(
        "PS-maxPrice",
        "schema:maxPrice",
        add=f"{PRICE} schema:maxPrice -1.0 .",
        remove=f"{PRICE} schema:maxPrice 120.00 .",
    ),
    # price without currency
    Case("PS-currency", "schema:priceCurrency", remove=f'{PRICE} schema:priceCurrency "EUR" .'),
    Case(
        "PS-currency",
        "schema:priceCurrency",
        add=f'{PRICE} schema:priceCurrency "euro" .',
        remove=f'{PRICE} schema:priceCurrency "EUR" .',
    ),
    Case(
        "PS-unitCode",
        "schema:unitCode",
        add=f'{PRICE} schema:unitCode "per hour" .',
        remove=f"{PRICE} schema:unitCode <{T}price-unit/sample> .",
    ),
    Case(
        "PS-unitText", "schema:unitText", add=f"{PRICE} schema:unitText <http://example.org/unit> ."
    ),
    Case(
        "PS-unitRecommended",
        None,  # an alternative path: validate reports no single property
        remove=f"{PRICE} schema:unitCode <{T}price-unit/sample> .",
        severity="Warning",
    ),
    # infrastructure profile
    Case(
        "IP-structureType",
        "riikg:structureType",
        add=f"{RI} riikg:structureType <{T}infrastructure-type/laboratory> .",
    ),
    Case(
        "IP-structureTypeRecommended",
        "riikg:structureType",
        remove=f"{RI} riikg:structureType <{T}structure-type/single-sited> .",
        severity="Warning",
    ),
    Case(
        "IP-merilDomain",
        "riikg:merilScientificDomain",
        add=f"{RI} riikg:merilScientificDomain <{T}scientific-domain/energy> .",
    ),
    Case(
        "IP-legalStatus",
        "riikg:hasLegalStatus",
        add=f"{RI} riikg:hasLegalStatus <{T}legal-status/eric> .",
    ),
    Case(
        "IP-identifierRecommended",
        "adms:identifier",
        remove=f"{RI} adms:identifier {IDM} .",
        severity="Warning",
    ),
    Case("IP-lastVerified", "riikg:lastVerified", add=f'{RI} riikg:lastVerified "yesterday" .'),
    # an identifier without notation or scheme
    Case(
        "ID-scheme",
        "riikg:identifierScheme",
        remove=f"{IDM} riikg:identifierScheme <{T}identifier-scheme/meril> .",
    ),
    Case(
        "ID-scheme",
        "riikg:identifierScheme",
        add=f"{IDM} riikg:identifierScheme <{T}status/operational> .",
        remove=f"{IDM} riikg:identifierScheme <{T}identifier-scheme/meril> .",
    ),
    Case("IdentifierShape", "skos:notation", remove=f'{IDR} skos:notation "01abcde23" .'),
    Case(
        "ID-schemaAgency",
        "adms:schemaAgency",
        add=f"{IDM} adms:schemaAgency <https://portal.meril.eu/> .",
    ),
    Case(
        "ID-rorNotation",
        "skos:notation",
        add=f'{IDR} skos:notation "https://ror.org/01abcde23" .',
        remove=f'{IDR} skos:notation "01abcde23" .',
    ),
    Case(
        "ID-wikidataNotation",
        "skos:notation",
        add=f'{IDM} skos:notation "wikidata-1" ;'
        f" riikg:identifierScheme <{T}identifier-scheme/wikidata> .",
        remove=f'{IDM} skos:notation "12345" ;'
        f" riikg:identifierScheme <{T}identifier-scheme/meril> .",
    ),
    Case(
        "ID-icoNotation",
        "skos:notation",
        add=f'{IDI} skos:notation "CZ1234567" .',
        remove=f'{IDI} skos:notation "12345678" .',
    ),
    # organisation and address
    Case(
        "OP-legalStatus", "riikg:hasLegalStatus", add=f'{ORG} riikg:hasLegalStatus "public body" .'
    ),
    Case("OP-address", "locn:address", add=f"{ORG} locn:address id:address\\/untyped ."),
    Case("OP-lastVerified", "riikg:lastVerified", add=f"{ORG} riikg:lastVerified 2026 ."),
    Case(
        "AD-postCode",
        "locn:postCode",
        add=f"{ADDR} locn:postCode 40100 .",
        remove=f'{ADDR} locn:postCode "40100" .',
    ),
    Case(
        "AD-postName", "locn:postName", add=f"{ADDR} locn:postName <http://example.org/bologna> ."
    ),
    Case(
        "AD-thoroughfare",
        "locn:thoroughfare",
        add=f"{ADDR} locn:thoroughfare <http://example.org/street> .",
    ),
    Case(
        "AD-countryCode",
        "riikg:countryCode",
        add=f'{ADDR} riikg:countryCode "Italy" .',
        remove=f'{ADDR} riikg:countryCode "IT" .',
    ),
    # the region must be a NUTS 3 region
    Case(
        "AD-region",
        "riikg:addressRegion",
        add=f"{ADDR} riikg:addressRegion nuts:ITH5 .",
        remove=f"{ADDR} riikg:addressRegion nuts:ITH55 .",
    ),
    Case(
        "AD-regionRecommended",
        "riikg:addressRegion",
        remove=f"{ADDR} riikg:addressRegion nuts:ITH55 .",
        severity="Warning",
    ),
    # a narrower vocabulary concept must stay in its scheme
    Case(
        "VC-broaderInScheme",
        "skos:broader",
        add=f'<{T}test/x> a skos:Concept ; skos:inScheme <{T}test> ; skos:notation "x" ;'
        f' skos:prefLabel "x"@en ; skos:definition "An x."@en ; skos:broader <{T}trl/1> .',
    ),
]

_EXTRA_NS = {"locn": "http://www.w3.org/ns/locn#"}


def _path(name: str) -> str:
    prefix, _, local = name.partition(":")
    if prefix in _EXTRA_NS:
        return _EXTRA_NS[prefix] + local
    return _expand(name)


@pytest.mark.parametrize("case", SERVICE_CASES, ids=[_case_id(c) for c in SERVICE_CASES])
def test_failing_service_case(good_graph: Graph, case: Case) -> None:
    outcome = validate(_apply(good_graph, case))
    shape = SHAPES_NS + case.shape
    hits = [f for f in outcome.findings if f.shape == shape]
    if case.path is not None:
        wanted = _path(case.path)
        hits = [f for f in hits if f.path == wanted]
    assert hits, f"expected {case.shape} on {case.path}, got:\n{outcome.summary()}"
    assert {f.severity for f in hits} == {case.severity}
    assert outcome.conforms is (case.severity != "Violation")


def test_services_fixture_follows_the_model() -> None:
    g = Graph().parse(data=(DATA / "services.ttl").read_bytes(), format="turtle")
    outcome = validate(g)
    assert outcome.violations == [], outcome.summary()
    # the incomplete records are reported, not refused
    warned = {f.focus for f in outcome.findings if f.severity == "Warning"}
    assert "http://localhost:8080/id/service/imaging--advice" in warned


# ---------------------------------------------------------------- ontology terms

NEW_TERMS = {
    "targetUser", "accessType", "technologyReadinessLevel", "technique", "applicationRoute",
    "timeToAccess", "bookingPage", "lastVerified", "structureType", "merilScientificDomain",
    "hasLegalStatus", "identifierScheme", "addressRegion", "eoscProperty", "erihsProperty",
}  # fmt: skip


def _file(name: str) -> Graph:
    return Graph().parse(data=(ontology_dir() / name).read_bytes(), format="turtle")


def test_new_terms_are_documented() -> None:
    g = _file("riikg.ttl")
    for name in sorted(NEW_TERMS):
        term = RIIKG[name]
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in g, name
        assert any(lbl.language == "en" for lbl in g.objects(term, RDFS.label)), name
        assert any(c.language == "en" for c in g.objects(term, RDFS.comment)), name
        assert any(d.language == "en" for d in g.objects(term, SKOS.definition)), name


def test_new_properties_point_to_their_schemes() -> None:
    g = _file("riikg.ttl")
    expected = {
        "targetUser": "target-user", "accessType": "access-type", "technologyReadinessLevel": "trl",
        "technique": "technique", "structureType": "structure-type",
        "merilScientificDomain": "meril-domain", "hasLegalStatus": "legal-status",
        "identifierScheme": "identifier-scheme",
    }  # fmt: skip
    for prop, scheme in expected.items():
        assert g.value(RIIKG[prop], RIIKG.valueScheme) == URIRef(VOCAB + scheme), prop
    assert g.value(RIIKG.timeToAccess, RDFS.range) == URIRef(
        "http://www.w3.org/2001/XMLSchema#duration"
    )
    assert g.value(RIIKG.lastVerified, RDFS.range) == URIRef(
        "http://www.w3.org/2001/XMLSchema#date"
    )


# ---------------------------------------------------------------- vocabularies

CONCEPT_COUNTS = {
    "target-user": 18, "access-type": 4, "trl": 9, "technique": 139, "price-unit": 8,
    "structure-type": 4, "meril-domain": 79, "legal-status": 15, "identifier-scheme": 5,
}  # fmt: skip


@pytest.mark.parametrize("scheme", SERVICE_SCHEMES)
def test_scheme_concepts_are_labelled_defined_and_in_scheme(scheme: str) -> None:
    g = _file(f"vocab/{scheme}.ttl")
    iri = URIRef(VOCAB + scheme)
    assert (iri, RDF.type, SKOS.ConceptScheme) in g
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == CONCEPT_COUNTS[scheme]
    tops = set(g.objects(iri, SKOS.hasTopConcept))
    for c in concepts:
        assert (c, SKOS.inScheme, iri) in g, c
        assert str(c) == f"{iri}/{g.value(c, SKOS.notation)}", c
        assert [lbl for lbl in g.objects(c, SKOS.prefLabel) if lbl.language == "en"], c
        definition = [d for d in g.objects(c, SKOS.definition) if d.language == "en"]
        assert len(definition) == 1 and len(str(definition[0])) > 20, c
        broader = g.value(c, SKOS.broader)
        if broader is None:
            assert c in tops and (c, SKOS.topConceptOf, iri) in g, c
        else:
            assert (broader, SKOS.inScheme, iri) in g, c


def test_trl_codes_are_the_levels_one_to_nine() -> None:
    g = _file("vocab/trl.ttl")
    codes = {
        str(g.value(c, SKOS.notation)) for c in g.subjects(SKOS.inScheme, URIRef(VOCAB + "trl"))
    }
    assert codes == {str(n) for n in range(1, 10)}


def test_schemes_cite_their_sources() -> None:
    """Each scheme taken from a list names it; EOSC-based concepts match their EOSC term."""
    for scheme in SERVICE_SCHEMES:
        g = _file(f"vocab/{scheme}.ttl")
        iri = URIRef(VOCAB + scheme)
        if scheme != "price-unit":  # riikg's own list
            sources = set(g.objects(iri, DCT_SOURCE)) | {
                s for c in g.subjects(SKOS.inScheme, iri) for s in g.objects(c, DCT_SOURCE)
            }
            assert sources, scheme
    g = _file("vocab/access-type.ttl")
    assert (
        URIRef(VOCAB + "access-type/mail-in"),
        SKOS.exactMatch,
        URIRef(EOSC_VOCABULARY + "access_type-mail_in"),
    ) in g
    techniques = _file("vocab/technique.ttl")
    sem = URIRef(VOCAB + "technique/scanning-electron-microscopy-sem")
    assert str(techniques.value(sem, SKOS.prefLabel)) == "Scanning Electron Microscopy (SEM)"
    assert techniques.value(sem, URIRef("http://purl.org/dc/terms/identifier")) is not None


def test_eosc_access_modes_map_to_charter_modes_and_fee_policies() -> None:
    modes = _file("vocab/access-mode.ttl") + _file("vocab/fee-policy.ttl")
    mapped = {
        str(o)[len(EOSC_VOCABULARY) :]
        for o in modes.objects()
        if str(o).startswith(EOSC_VOCABULARY)
    }
    assert mapped == {
        "access_mode-free", "access_mode-free_conditionally", "access_mode-paid",
        "access_mode-peer_reviewed",
    }  # fmt: skip
    ex = URIRef(VOCAB + "access-mode/excellence-driven")
    assert (ex, SKOS.closeMatch, URIRef(EOSC_VOCABULARY + "access_mode-peer_reviewed")) in modes


_IRI = re.compile(r"^https?://[A-Za-z0-9.-]+\.[a-z]{2,}(/[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]*)?$")
_MATCH = (SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch, SKOS.broadMatch, SKOS.narrowMatch)


def test_every_alignment_target_is_a_well_formed_iri() -> None:
    graph = _file("alignments.ttl")
    for scheme in (*SERVICE_SCHEMES, "access-mode", "fee-policy", "infrastructure-type"):
        graph += _file(f"vocab/{scheme}.ttl")
    targets = [
        o
        for p in (
            *_MATCH,
            RDFS.subPropertyOf,
            RDFS.subClassOf,
            OWL.equivalentClass,
            OWL.equivalentProperty,
        )
        for o in graph.objects(None, p)
    ]
    assert len(targets) > 150
    bad = [str(t) for t in targets if not isinstance(t, URIRef) or not _IRI.match(str(t))]
    assert not bad, bad
    eosc = [t for t in targets if str(t).startswith(EOSC_VOCABULARY)]
    assert all(re.fullmatch(r"[a-z_]+-[a-z0-9_\-]+", str(t)[len(EOSC_VOCABULARY) :]) for t in eosc)


# ---------------------------------------------------------------- example 16

EXAMPLE = ROOT / "endpoint" / "queries" / "examples" / "16_services_for_companies_by_technique.rq"


def test_example_16_answers_on_the_fixture() -> None:
    store = ox.Store()
    store.load((DATA / "services.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    # the query follows the vocabulary hierarchy (SMEs are businesses, SEM is in its category)
    store.load(
        (ontology_dir() / "vocab" / "target-user.ttl").read_bytes(), format=ox.RdfFormat.TURTLE
    )
    store.load((ontology_dir() / "vocab" / "trl.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)
    text = EXAMPLE.read_text(encoding="utf-8")
    assert re.search(r"^#\+ requires: riikg:Service$", text, re.M)
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)
    rows = [
        {v.value: (s[v].value if s[v] is not None else None) for v in result.variables}
        for s in result
    ]
    names = [r["name"] for r in rows]
    assert names == ["SEM imaging of company samples", "Imaging advice"], rows
    sem, advice = rows
    assert sem["technique"] == VOCAB + "technique/scanning-electron-microscopy-sem"
    assert sem["accessType"] == VOCAB + "access-type/mail-in"
    assert sem["trl"] == "6"
    assert (sem["price"], sem["currency"], sem["unit"]) == (
        "90",
        "EUR",
        VOCAB + "price-unit/hour",
    )
    assert sem["bookingPage"] == "https://imaging.example.org/book"
    assert advice["technique"] is None and advice["feePolicy"] == VOCAB + "fee-policy/on-request"


def test_docs_model_has_a_worked_service_example_that_conforms() -> None:
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    section = text.split("## Services and access")[1].split("\n## ")[0]
    block = re.search(r"```turtle\n(.*?)```", section, re.S)
    assert block, "no Turtle example in the services section of docs/model.md"
    g = Graph().parse(data=block.group(1), format="turtle")
    assert (None, RDF.type, RIIKG.Service) in g
    assert "example" in block.group(1).lower()
    outcome = validate(g)
    assert outcome.violations == [], outcome.summary()
    assert Literal("EUR") in set(g.objects())
