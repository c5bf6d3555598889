"""The ontology, its alignments and the vocabularies: they parse, declare every term in use,
document every term, and keep the vocabulary contract of docs/model.md."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from riikg.namespaces import RIIKG, VOCAB
from riikg.resources import ontology_dir
from riikg.validate import ontology_graph, shapes_graph, validate

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_IRI = URIRef("https://w3id.org/riikg/ontology")
DCT_SOURCE = URIRef("http://purl.org/dc/terms/source")
DIRECTION = RIIKG.mappingDirection
TTL_FILES = sorted(ontology_dir().rglob("*.ttl"))


def _file(name: str) -> Graph:
    return Graph().parse(data=(ontology_dir() / name).read_bytes(), format="turtle")


def declared_terms() -> set[str]:
    """Local names of the terms ontology/riikg.ttl declares."""
    g = _file("riikg.ttl")
    return {
        str(s)[len(str(RIIKG)) :]
        for s in g.subjects(RDFS.isDefinedBy, ONTOLOGY_IRI)
        if str(s).startswith(str(RIIKG))
    }


@pytest.mark.parametrize("path", TTL_FILES, ids=[p.name for p in TTL_FILES])
def test_every_file_parses_with_rdflib_and_pyoxigraph(path: Path) -> None:
    data = path.read_bytes()
    assert len(Graph().parse(data=data, format="turtle")) > 10
    assert len(list(ox.parse(data, format=ox.RdfFormat.TURTLE))) > 10


def test_ontology_header() -> None:
    g = _file("riikg.ttl")
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    version = g.value(ONTOLOGY_IRI, OWL.versionIRI)
    assert isinstance(version, URIRef) and str(version).startswith(str(RIIKG))
    assert str(RIIKG) == "https://w3id.org/riikg/ontology/"
    # nothing is ever imported (no URL fetched)
    assert not list(ontology_graph().triples((None, OWL.imports, None)))


def test_ontology_and_vocabularies_conform_to_the_shapes() -> None:
    """The files are loaded as sources too, so they must pass the shapes without findings."""
    outcome = validate(ontology_graph())
    assert outcome.findings == [], outcome.summary()


def test_every_term_has_english_label_and_definition() -> None:
    g = _file("riikg.ttl")
    for name in declared_terms():
        term = RIIKG[name]
        assert any(lbl.language == "en" for lbl in g.objects(term, RDFS.label)), name
        definitions = list(g.objects(term, SKOS.definition))
        assert any(isinstance(d, Literal) and d.language == "en" for d in definitions), name


def _used_terms() -> dict[str, set[str]]:
    """riikg terms named in docs/model.md, the loaders, the core, the web layer and the shapes."""
    used: dict[str, set[str]] = {}
    model = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    used["docs/model.md"] = set(re.findall(r"riikg:([A-Za-z][A-Za-z0-9]*)", model))
    for folder in ("loaders", "riikg", "endpoint", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            names = set(re.findall(r"\bRIIKG\.([A-Za-z][A-Za-z0-9]*)", text))
            names |= set(re.findall(r"\bRIIKG\[\"([A-Za-z][A-Za-z0-9]*)\"\]", text))
            if names:
                used[str(path.relative_to(ROOT))] = names
        for path in sorted((ROOT / folder).rglob("*.rq")):
            text = path.read_text(encoding="utf-8")
            names = set(re.findall(r"\briikg:([A-Za-z][A-Za-z0-9]*)", text))
            if names:
                used[str(path.relative_to(ROOT))] = names
    ns = str(RIIKG)
    in_shapes = {
        str(t)[len(ns) :]
        for triple in shapes_graph()
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(ns)
    }
    used["shapes/"] = in_shapes
    return used


def test_every_term_in_use_is_declared() -> None:
    declared = declared_terms()
    undeclared = {
        where: sorted(names - declared)
        for where, names in _used_terms().items()
        if names - declared
    }
    assert not undeclared, f"riikg terms used but not declared in ontology/riikg.ttl: {undeclared}"


def test_model_md_provenance_terms_are_declared() -> None:
    needed = {
        "SourceGraph", "sha256", "attribution", "validationConforms", "validationViolations",
        "validationWarnings", "validationReport", "loader", "softwareVersion", "synthetic",
        "dataVersion",
    }  # fmt: skip
    assert needed <= declared_terms()


def test_properties_point_to_existing_vocabularies() -> None:
    onto = ontology_graph()
    schemes = set(onto.subjects(RDF.type, SKOS.ConceptScheme))
    pointed = set(onto.objects(None, RIIKG.valueScheme))
    assert pointed and pointed <= schemes


EXPECTED_CODES = {
    "access-mode": {"excellence-driven", "market-driven", "wide"},
    "infrastructure-type": {
        "facility", "laboratory", "pilot-line", "test-bed", "core-facility", "single-sited",
        "distributed", "virtual", "computing",
    },
    "organisation-type": {
        "university", "rto", "company", "public-body", "consortium", "eric", "other",
    },
    "status": {"operational", "under-construction", "planned", "preparation", "unknown"},
    "fee-policy": {"free", "cost-based", "market-price", "on-request", "sponsored"},
    "scientific-domain": {
        "energy", "environment", "health-food", "physical-sciences-engineering",
        "social-cultural-innovation", "e-ri",
    },
    "ket": {
        "KET2009-MNE", "KET2009-NANO", "KET2009-IBIO", "KET2009-AMAT", "KET2009-PHOT",
        "KET2009-AMT", "KET2018-AMAN", "KET2018-AMN", "KET2018-LIFE", "KET2018-MNEP",
        "KET2018-AI", "KET2018-SEC",
    },
}  # fmt: skip


@pytest.mark.parametrize("scheme", sorted(EXPECTED_CODES))
def test_vocabulary_codes_and_iris(scheme: str) -> None:
    g = _file(f"vocab/{scheme}.ttl")
    scheme_iri = URIRef(VOCAB + scheme)
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in g
    concepts = set(g.subjects(SKOS.inScheme, scheme_iri))
    codes = {str(g.value(c, SKOS.notation)) for c in concepts}
    assert codes == EXPECTED_CODES[scheme]
    for concept in concepts:
        assert str(concept) == f"{scheme_iri}/{g.value(concept, SKOS.notation)}"
        assert (concept, SKOS.topConceptOf, scheme_iri) in g
        assert (scheme_iri, SKOS.hasTopConcept, concept) in g
        labels = [lbl for lbl in g.objects(concept, SKOS.prefLabel) if lbl.language == "en"]
        assert len(labels) == 1


def test_scientific_domains_keep_the_esfri_labels() -> None:
    g = _file("vocab/scientific-domain.ttl")
    labels = {str(o) for o in g.objects(None, SKOS.prefLabel)} - {
        "Scientific domains (ESFRI Roadmap 2016)"
    }
    assert labels == {
        "Energy", "Environment", "Health & Food", "Physical Sciences & Engineering",
        "Social & Cultural Innovation", "e-RI",
    }  # fmt: skip


def test_kets_keep_source_definition_note_and_lists() -> None:
    g = _file("vocab/ket.ttl")
    ket = URIRef(VOCAB + "ket")
    concepts = set(g.subjects(SKOS.inScheme, ket))
    assert len(concepts) == 12
    for c in concepts:
        source = g.value(c, DCT_SOURCE)
        assert isinstance(source, URIRef) and str(source).startswith("http"), c
        note = str(g.value(c, SKOS.note))
        assert note.startswith("Definition type: "), c
    assert "paraphrase by curator" in str(g.value(URIRef(VOCAB + "ket/KET2009-NANO"), SKOS.note))
    for year in ("2009", "2018"):
        members = set(g.objects(URIRef(f"{VOCAB}ket/list-{year}"), SKOS.member))
        assert len(members) == 6 and all(f"KET{year}-" in str(m) for m in members)


def test_ket_mapping_runs_both_ways() -> None:
    g = _file("vocab/ket.ttl")
    k = VOCAB + "ket/"
    # mergers: the 2009 KET is narrower than the 2018 one
    assert (URIRef(k + "KET2009-NANO"), SKOS.broadMatch, URIRef(k + "KET2018-AMN")) in g
    assert (URIRef(k + "KET2009-AMAT"), SKOS.broadMatch, URIRef(k + "KET2018-AMN")) in g
    assert (URIRef(k + "KET2009-IBIO"), SKOS.broadMatch, URIRef(k + "KET2018-LIFE")) in g
    assert (URIRef(k + "KET2009-AMT"), SKOS.closeMatch, URIRef(k + "KET2018-AMAN")) in g
    for s, o in g.subject_objects(SKOS.broadMatch):
        assert (o, SKOS.narrowMatch, s) in g
    for s, o in g.subject_objects(SKOS.narrowMatch):
        assert (o, SKOS.broadMatch, s) in g
    for s, o in g.subject_objects(SKOS.closeMatch):
        assert (o, SKOS.closeMatch, s) in g
    # every 2009 KET maps to the 2018 list; AI and security are new in 2018
    for c in g.subjects(SKOS.inScheme, URIRef(VOCAB + "ket")):
        mapped = set(g.objects(c, SKOS.broadMatch)) | set(g.objects(c, SKOS.closeMatch))
        mapped |= set(g.objects(c, SKOS.narrowMatch))
        assert bool(mapped) == (not str(c).endswith(("-AI", "-SEC"))), c


TARGET_NAMESPACES = {
    "EPOS-DCAT-AP": "https://www.epos-eu.org/epos-dcat-ap#",
    "CERIF": "https://w3id.org/cerif2/",
    "EURIO": "http://data.europa.eu/s66#",
    "schema.org": "http://schema.org/",
}


def test_alignments_state_a_direction_for_every_mapping() -> None:
    g = _file("alignments.ttl")
    axioms = list(g.subjects(RDF.type, OWL.Axiom))
    assert len(axioms) >= 20
    for ax in axioms:
        triple = (
            g.value(ax, OWL.annotatedSource),
            g.value(ax, OWL.annotatedProperty),
            g.value(ax, OWL.annotatedTarget),
        )
        assert triple in g, f"annotated mapping not asserted: {triple}"
        assert str(g.value(ax, DIRECTION)) in {"riikg to target", "target to riikg", "both", "none"}
        assert g.value(ax, RDFS.comment) is not None
    targets = {str(g.value(ax, OWL.annotatedTarget)) for ax in axioms}
    for name, ns in TARGET_NAMESPACES.items():
        assert any(t.startswith(ns) for t in targets), f"no alignment to {name}"
    assert list(g.triples((None, RIIKG.pidinstProperty, None))), "no PIDINST correspondence"
    # every asserted mapping of a riikg term to another vocabulary has its axiom
    mapping_props = {RDFS.subClassOf, RDFS.subPropertyOf, SKOS.closeMatch, SKOS.relatedMatch}
    annotated = {(g.value(a, OWL.annotatedSource), g.value(a, OWL.annotatedTarget)) for a in axioms}
    for s, p, o in g:
        if p in mapping_props:
            assert (s, o) in annotated, (s, p, o)


def _reused_vocabularies() -> dict[str, set[str] | object]:
    """Reused namespaces and how to check a local name (rdflib's closed term lists)."""
    from rdflib.namespace import (
        DCAT,
        DCTERMS,
        FOAF,
        GEO,
        ORG,
        PROV,
        SDO,
        SH,
        VANN,
        VOID,
        WGS,
        XSD,
    )  # fmt: skip

    return {
        str(RDF): RDF,
        str(RDFS): RDFS,
        str(OWL): OWL,
        str(XSD): XSD,
        str(SKOS): SKOS,
        str(DCTERMS): DCTERMS,
        str(DCAT): DCAT,
        str(ORG): ORG,
        str(PROV): PROV,
        str(FOAF): FOAF,
        str(VOID): VOID,
        str(SH): SH,
        str(GEO): GEO,
        str(VANN): VANN,
        "http://schema.org/": SDO,  # rdflib spells schema.org with https
        "http://www.w3.org/2003/01/geo/wgs84_pos#": WGS,  # likewise
        # not in rdflib: the terms riikg uses, checked against the W3C vocabularies by hand
        "http://www.w3.org/2006/vcard/ns#": {
            "Kind",
            "fn",
            "hasEmail",
            "hasURL",
            "Organization",
            "Individual",
            "given-name",
            "family-name",
            "hasName",
        },
        "http://www.w3.org/ns/locn#": {
            "geometry",
            "address",
            "Address",
            "postCode",
            "postName",
            "thoroughfare",
        },
        "http://www.w3.org/ns/adms#": {"status", "identifier", "Identifier", "schemaAgency"},
    }


def test_reused_terms_in_shapes_and_ontology_exist() -> None:
    """No misspelt reused term (dct:sorce) in the shapes or the ontology, and no stray namespace."""
    reused = _reused_vocabularies()
    own = (str(RIIKG), VOCAB, "https://w3id.org/riikg/shapes/", "https://w3id.org/riikg/ontology")
    elsewhere = ("http://data.europa.eu/nuts/", "https://creativecommons.org/licenses/")
    graph = Graph()
    for triple in shapes_graph():
        graph.add(triple)
    for triple in _file("riikg.ttl"):
        graph.add(triple)
    unknown: set[str] = set()
    for triple in graph:
        for term in triple:
            if not isinstance(term, URIRef) or str(term).startswith(own + elsewhere):
                continue
            iri = str(term)
            ns = max((n for n in reused if iri.startswith(n)), key=len, default=None)
            if ns is None or iri[len(ns) :] not in reused[ns]:  # type: ignore[operator]
                unknown.add(iri)
    assert not unknown, sorted(unknown)


def test_open_namespace_terms_in_loaders_exist() -> None:
    """``riikg.namespaces`` has open namespaces (VCARD, LOCN…); a typo there would go unnoticed."""
    reused = _reused_vocabularies()
    by_constant = {
        "VCARD": "http://www.w3.org/2006/vcard/ns#",
        "LOCN": "http://www.w3.org/ns/locn#",
        "ADMS": "http://www.w3.org/ns/adms#",
        "SCHEMA": "http://schema.org/",
        "WGS": "http://www.w3.org/2003/01/geo/wgs84_pos#",
        "GEO": "http://www.opengis.net/ont/geosparql#",
    }
    pattern = re.compile(r"\b(" + "|".join(by_constant) + r")\.([A-Za-z_][A-Za-z0-9_]*)")
    unknown = set()
    for path in sorted((ROOT / "loaders").rglob("*.py")):
        for constant, name in pattern.findall(path.read_text(encoding="utf-8")):
            if name not in reused[by_constant[constant]]:  # type: ignore[operator]
                unknown.add(f"{path.name}: {constant}.{name}")
    assert not unknown, sorted(unknown)
