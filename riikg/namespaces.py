"""The only place IRIs are spelled out, and IRI minting per entity kind (see docs/model.md)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from enum import StrEnum

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

RIIKG_ROOT = "https://w3id.org/riikg/"
RIIKG = Namespace(RIIKG_ROOT + "ontology/")
#: the IRI of the riikg ontology itself (``ontology/riikg.ttl``), not of its terms
ONTOLOGY = URIRef(RIIKG_ROOT + "ontology")
VOCAB = RIIKG_ROOT + "vocab/"
NUTS_CODE = "http://data.europa.eu/nuts/code/"
NUTS_SCHEME = "http://data.europa.eu/nuts/scheme/"
#: IRI that names the bundled JSON-LD context (data/templates/riikg-context.jsonld); never fetched
JSONLD_CONTEXT = RIIKG_ROOT + "context.jsonld"

SCHEMA = Namespace("http://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
EPOS = Namespace("https://www.epos-eu.org/epos-dcat-ap#")
EURIO = Namespace("http://data.europa.eu/s66#")
CERIF = Namespace("https://w3id.org/cerif2/")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
MERIL = "https://portal.meril.eu/"
DCAT_AP = "http://data.europa.eu/r5r/"
EU_DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
IANA_MEDIA_TYPE = "http://www.iana.org/assignments/media-types/"
OAI_PMH = "http://www.openarchives.org/OAI/2.0/"
OAI_PMH_SCHEMA = OAI_PMH + "OAI-PMH.xsd"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = OAI_PMH + "oai_dc.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: the DCAT-AP release riikg's catalogue follows (the ``dcat_ap`` OAI-PMH format's schema)
DCAT_AP_3 = "https://semiceu.github.io/DCAT-AP/releases/3.0.1/"
#: the standard the SPARQL endpoint ``dct:conformsTo``
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
#: roots of the link targets counted by VoID linksets (their ``void:uriSpace``)
NUTS_ROOT = "http://data.europa.eu/nuts/"
WIKIDATA_ROOT = "http://www.wikidata.org/"
DC_ELEMENTS = "http://purl.org/dc/elements/1.1/"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: EU language authority table: the dct:language of a service (e.g. ``{EU_LANGUAGE}ENG``)
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
#: EOSC Portal API record of an EOSC Resource Catalogue vocabulary term (alignment targets only)
EOSC_VOCABULARY = "https://api.eosc-portal.eu/vocabulary/"
ROR = "https://ror.org/"
#: the riikg vocabularies of the service and access model (``vocab_scheme(name)``)
SERVICE_SCHEMES = (
    "target-user",
    "access-type",
    "trl",
    "technique",
    "price-unit",
    "structure-type",
    "meril-domain",
    "legal-status",
    "identifier-scheme",
)

PREFIXES: dict[str, str] = {
    "riikg": str(RIIKG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "foaf": str(FOAF),
    "org": str(ORG),
    "prov": str(PROV),
    "void": str(VOID),
    "sh": str(SH),
    "schema": str(SCHEMA),
    "vcard": str(VCARD),
    "locn": str(LOCN),
    "geo": str(GEO),
    "wgs": str(WGS),
    "adms": str(ADMS),
    "sd": str(SD),
    "hydra": str(HYDRA),
    "dqv": str(DQV),
    "nuts": NUTS_CODE,
    "wd": str(WIKIDATA),
}


_LOCAL_NAME = re.compile(r"[\w.-]+")


def curie(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """A prefixed name for an IRI when a prefix fits (the longest namespace whose rest is a
    plain local name: letters, digits, ``-``, ``_``, ``.``), else the IRI unchanged.

    >>> curie("http://www.w3.org/2004/02/skos/core#prefLabel")
    'skos:prefLabel'
    >>> curie("http://example.org/x")
    'http://example.org/x'
    >>> curie("http://data.europa.eu/nuts/code/ITH55/x")
    'http://data.europa.eu/nuts/code/ITH55/x'
    """
    best, found = "", iri
    for prefix, ns in prefixes.items():
        if prefix and len(ns) > len(best) and iri.startswith(ns):
            local = iri[len(ns) :]
            if _LOCAL_NAME.fullmatch(local):
                best, found = ns, f"{prefix}:{local}"
    return found


class Kind(StrEnum):
    """Kinds of minted data IRIs: ``{base}id/{kind}/{slug}``."""

    INFRASTRUCTURE = "infrastructure"
    EQUIPMENT = "equipment"
    SERVICE = "service"
    ORGANISATION = "organisation"
    CONTACT = "contact"
    RIS3_STRATEGY = "ris3-strategy"
    RIS3_PRIORITY = "ris3-priority"
    NETWORK = "network"


_NON_SLUG = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


def slugify(text: str) -> str:
    """Turn a name into a stable slug (documented in docs/model.md).

    >>> slugify("Laboratorio MIST E-R (Bologna)")
    'laboratorio-mist-e-r-bologna'
    >>> slugify("Ångström Laboratory")
    'angstrom-laboratory'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", folded.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[:MAX_SLUG]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or "x"


def mint(base: str, kind: Kind, slug: str) -> URIRef:
    """Mint a data IRI.

    >>> mint("http://localhost:8080/", Kind.INFRASTRUCTURE, "mist-e-r")
    rdflib.term.URIRef('http://localhost:8080/id/infrastructure/mist-e-r')
    """
    return URIRef(f"{base}id/{kind.value}/{slug}")


def sub_slug(parent_slug: str, child_slug: str) -> str:
    """Slug of an entity that belongs to another (equipment, service, priority).

    >>> sub_slug("mist-e-r", "sem")
    'mist-e-r--sem'
    """
    return f"{parent_slug}--{child_slug}"


def vocab_scheme(scheme: str) -> URIRef:
    """IRI of a controlled vocabulary (a ``skos:ConceptScheme``)."""
    return URIRef(f"{VOCAB}{scheme}")


def vocab_concept(scheme: str, code: str) -> URIRef:
    """IRI of a concept in a controlled vocabulary.

    >>> vocab_concept("ket", "KET2009-MNE")
    rdflib.term.URIRef('https://w3id.org/riikg/vocab/ket/KET2009-MNE')
    """
    return URIRef(f"{VOCAB}{scheme}/{code}")


def nuts(code: str) -> URIRef:
    """The Publications Office IRI of a NUTS code.

    >>> nuts("ITH55")
    rdflib.term.URIRef('http://data.europa.eu/nuts/code/ITH55')
    """
    return URIRef(NUTS_CODE + code.strip().upper())


def nuts_scheme(version: str) -> URIRef:
    return URIRef(NUTS_SCHEME + version)


def source_graph_prefix(base: str) -> str:
    """What every source graph IRI starts with: ``{base}graph/source/``."""
    return f"{base}graph/source/"


def source_graph(base: str, source_id: str) -> URIRef:
    """Named graph holding one source's data."""
    return URIRef(source_graph_prefix(base) + source_id)


def meta_graph(base: str, source_id: str | None = None) -> URIRef:
    """A source's provenance graph, or (no source) the store-wide metadata graph."""
    return URIRef(f"{base}graph/meta" + (f"/{source_id}" if source_id else ""))


def report_graph(base: str, source_id: str) -> URIRef:
    """Named graph holding a source's SHACL validation report."""
    return URIRef(f"{base}graph/report/{source_id}")


def source_id_of(base: str, graph: str) -> str | None:
    """Inverse of :func:`source_graph`: the source id, or None for other graphs.

    >>> source_id_of("http://x/", "http://x/graph/source/nuts")
    'nuts'
    """
    prefix = source_graph_prefix(base)
    return graph[len(prefix) :] if graph.startswith(prefix) else None
