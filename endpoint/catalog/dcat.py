"""The DCAT-AP 3 catalogue: datasets, distributions (the dumps), the SPARQL data service, paging.

Every IRI and URL comes from :mod:`endpoint.http.urls` and the settings, never from the request.
A page is self-contained: the publisher, contact point, licence and every controlled-vocabulary
term it uses are described on it, so it validates against the DCAT-AP 3 shapes on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from endpoint.catalog.data import SourceRecord, latest
from endpoint.catalog.dumps import GZIP_MEDIA, DumpFile, DumpSet
from endpoint.http import urls
from riikg.config import Settings
from riikg.namespaces import (
    DCAT_AP,
    EU_DATA_THEME,
    EU_FILE_TYPE,
    HYDRA,
    IANA_MEDIA_TYPE,
    PREFIXES,
    RIIKG,
    SPARQL_PROTOCOL,
    SPDX,
    VCARD,
)

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
KG_TITLE = "riikg: Research and Innovation Infrastructure Knowledge Graph"
KG_DESCRIPTION = (
    "Linked Open Data on the labs, facilities, equipment and services that research "
    "organisations open to companies, the Key Enabling Technologies they serve, the regional "
    "smart-specialisation (RIS3) priorities they support and the NUTS regions they are in. "
    "The union of every source dataset listed in this catalogue."
)
THEMES = {
    "TECH": "Science and technology",
    "EDUC": "Education, culture and sport",
    "REGI": "Regions and cities",
}
FILE_TYPES = {
    "application/n-triples": "RDF_N_TRIPLES",
    "application/n-quads": "RDF_N_QUADS",
    "text/turtle": "RDF_TURTLE",
}
FORMAT_TITLES = {"nt.gz": "N-Triples, gzip", "nq.gz": "N-Quads, gzip", "ttl": "Turtle"}
SHA256 = SPDX.checksumAlgorithm_sha256
DCAT_AP_STANDARD = URIRef(DCAT_AP)


@dataclass(frozen=True)
class Item:
    """One dataset of the catalogue: the whole graph (``record`` None) or a source."""

    record: SourceRecord | None
    modified: datetime | None


@dataclass(frozen=True)
class Page:
    """Which items one catalogue page shows, and the navigation around it."""

    number: int
    size: int
    total: int
    items: list[Item]
    modified_since: str = ""

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))


def items(records: list[SourceRecord], since: datetime | None) -> list[Item]:
    """The whole graph first, then the sources by id; only those changed since ``since``."""
    everything = [Item(None, latest(records))] + [Item(r, r.modified) for r in records]
    if since is None:
        return everything
    return [i for i in everything if i.modified is not None and i.modified >= since]


def paginate(all_items: list[Item], number: int, size: int, since: str = "") -> Page:
    start = (number - 1) * size
    return Page(number, size, len(all_items), all_items[start : start + size], since)


def page_url(settings: Settings, page: Page, number: int) -> str:
    query: dict[str, str | int] = {"page": number, "page_size": page.size}
    if page.modified_since:
        query["modified_since"] = page.modified_since
    return f"{urls.catalog_url(settings)}?{urlencode(query)}"


# ---- graph building ------------------------------------------------------------------------
def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    g.bind("spdx", str(SPDX))
    return g


def _datetime(value: datetime) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def add_agents(g: Graph, settings: Settings) -> tuple[URIRef, URIRef]:
    """Publisher (``foaf:Agent``) and contact point (``vcard:Kind``), repeated on every page."""
    publisher = URIRef(urls.publisher_iri(settings))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(settings.publisher_name)))
    contact = URIRef(urls.contact_iri(settings))
    email = settings.contact_email
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal(settings.publisher_name)))
    g.add(
        (
            contact,
            VCARD.hasEmail,
            URIRef(email if email.startswith("mailto:") else f"mailto:{email}"),
        )
    )
    return publisher, contact


def add_licence(g: Graph, licence: str) -> URIRef:
    node = URIRef(licence)
    g.add((node, RDF.type, DCTERMS.LicenseDocument))
    return node


def add_theme(g: Graph, code: str) -> URIRef:
    scheme = URIRef(EU_DATA_THEME.rstrip("/"))
    node = URIRef(EU_DATA_THEME + code)
    g.add((node, RDF.type, SKOS.Concept))
    g.add((node, SKOS.prefLabel, Literal(THEMES[code], lang="en")))
    g.add((node, SKOS.inScheme, scheme))
    return node


def add_theme_scheme(g: Graph) -> URIRef:
    scheme = URIRef(EU_DATA_THEME.rstrip("/"))
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    return scheme


def add_media_type(g: Graph, media: str) -> URIRef:
    node = URIRef(IANA_MEDIA_TYPE + media)
    g.add((node, RDF.type, DCTERMS.MediaType))
    return node


def add_distribution(g: Graph, settings: Settings, f: DumpFile, licence: URIRef) -> URIRef:
    dist = URIRef(urls.distribution_iri(settings, f.source_id, f.extension))
    url = URIRef(urls.dump_url(settings, f.source_id, f.extension))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(FORMAT_TITLES[f.extension], lang="en")))
    g.add((dist, DCAT.accessURL, url))
    g.add((dist, DCAT.downloadURL, url))
    g.add((dist, DCAT.mediaType, add_media_type(g, f.media_type)))
    fmt = URIRef(EU_FILE_TYPE + FILE_TYPES[f.media_type])
    g.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
    g.add((dist, DCTERMS.format, fmt))
    if f.compressed:
        g.add((dist, DCAT.compressFormat, add_media_type(g, GZIP_MEDIA)))
    g.add((dist, DCAT.byteSize, Literal(f.size, datatype=XSD.nonNegativeInteger)))
    checksum = URIRef(f"{dist}-sha256")
    g.add((dist, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SHA256))
    g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
    g.add((SHA256, RDF.type, SPDX.ChecksumAlgorithm))
    g.add((dist, DCTERMS.license, licence))
    if f.modified:
        g.add((dist, DCTERMS.modified, Literal(f.modified, datatype=XSD.dateTime)))
    return dist


def add_titled(g: Graph, node: URIRef, title: str, description: str) -> None:
    """``dct:title`` and ``dct:description``, in English."""
    g.add((node, DCTERMS.title, Literal(title, lang="en")))
    g.add((node, DCTERMS.description, Literal(description, lang="en")))


def add_data_service(g: Graph, settings: Settings, served: list[URIRef]) -> URIRef:
    """The SPARQL endpoint as a ``dcat:DataService``; its description is the SD at /sparql."""
    service = URIRef(urls.data_service_iri(settings))
    endpoint = URIRef(urls.sparql_endpoint(settings))
    publisher, contact = add_agents(g, settings)
    g.add((service, RDF.type, DCAT.DataService))
    add_titled(
        g,
        service,
        "riikg SPARQL 1.1 endpoint",
        "Read-only SPARQL 1.1 Protocol endpoint over the whole knowledge graph; "
        "the default graph is the union of the source graphs.",
    )
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))
    g.add((endpoint, RDF.type, RDFS.Resource))
    g.add((service, DCTERMS.conformsTo, URIRef(SPARQL_PROTOCOL)))
    g.add((URIRef(SPARQL_PROTOCOL), RDF.type, DCTERMS.Standard))
    g.add((service, DCTERMS.publisher, publisher))
    g.add((service, DCAT.contactPoint, contact))
    g.add((service, DCTERMS.license, add_licence(g, settings.licence)))
    for dataset in served:
        g.add((service, DCAT.servesDataset, dataset))
    return service


def add_dataset(
    g: Graph, settings: Settings, item: Item, dumps: DumpSet, records: list[SourceRecord]
) -> URIRef:
    """One dataset record with its distributions."""
    publisher, contact = add_agents(g, settings)
    record = item.record
    if record is None:
        node = URIRef(urls.dataset_iri(settings))
        title, description = KG_TITLE, KG_DESCRIPTION
        licence = add_licence(g, settings.licence)
        countries = sorted({c for r in records for c in r.countries})
        themes = ["TECH", "EDUC"] + (["REGI"] if countries else [])
        g.add((node, DCAT.landingPage, URIRef(settings.base_iri)))
        g.add((URIRef(settings.base_iri), RDF.type, FOAF.Document))
        for r in records:
            g.add((node, DCTERMS.hasPart, URIRef(r.graph)))
        files = [f for f in dumps.files.values() if f.source_id is None]
        g.add((node, DCTERMS.identifier, Literal(urls.dataset_iri(settings))))
    else:
        node = URIRef(record.graph)
        title = record.title
        description = (
            f"The source '{record.title}' ({record.id}) as loaded into riikg: "
            f"{record.triples} triples read from {record.location or record.id} by the "
            f"'{record.loader}' loader and validated against the riikg SHACL shapes."
        )
        if record.attribution:
            description += f" Attribution: {record.attribution}"
        licence = add_licence(g, record.licence or settings.licence)
        countries = list(record.countries)
        themes = ["TECH"] + (["REGI"] if countries else [])
        if record.homepage.startswith(("http://", "https://")):
            g.add((node, DCAT.landingPage, URIRef(record.homepage)))
            g.add((URIRef(record.homepage), RDF.type, FOAF.Document))
        if record.issued:
            g.add((node, DCTERMS.issued, Literal(record.issued, datatype=XSD.date)))
        g.add((node, DCTERMS.isPartOf, URIRef(urls.dataset_iri(settings))))
        g.add((node, DCTERMS.identifier, Literal(record.id)))
        if record.attribution:
            g.add((node, RIIKG.attribution, Literal(record.attribution)))
        files = [f for f in dumps.files.values() if f.source_id == record.id]
    g.add((node, RDF.type, DCAT.Dataset))
    add_titled(g, node, title, description)
    g.add((node, DCTERMS.publisher, publisher))
    g.add((node, DCAT.contactPoint, contact))
    g.add((node, DCTERMS.license, licence))
    if item.modified is not None:
        g.add((node, DCTERMS.modified, _datetime(item.modified)))
    for code in themes:
        g.add((node, DCAT.theme, add_theme(g, code)))
    for country in countries:
        g.add((node, DCTERMS.spatial, URIRef(country)))
        g.add((URIRef(country), RDF.type, DCTERMS.Location))
    for keyword in ("research infrastructure", "key enabling technologies", "RIS3", "NUTS"):
        g.add((node, DCAT.keyword, Literal(keyword, lang="en")))
    for f in sorted(files, key=lambda f: f.name):
        g.add((node, DCAT.distribution, add_distribution(g, settings, f, licence)))
    if record is None:
        g.add((node, DCAT.distribution, add_sparql_distribution(g, settings, licence)))
    return node


def add_sparql_distribution(g: Graph, settings: Settings, licence: URIRef) -> URIRef:
    dist = URIRef(urls.distribution_iri(settings, None, "sparql"))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    g.add((dist, DCAT.accessURL, URIRef(urls.sparql_endpoint(settings))))
    g.add((dist, DCAT.accessService, URIRef(urls.data_service_iri(settings))))
    g.add((dist, DCTERMS.license, licence))
    return dist


def catalog_graph(
    settings: Settings, page: Page, dumps: DumpSet, records: list[SourceRecord]
) -> Graph:
    """One page of the catalogue as a graph."""
    g = new_graph()
    catalog = URIRef(urls.catalog_url(settings))
    publisher, _ = add_agents(g, settings)
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, RDF.type, HYDRA.Collection))
    add_titled(
        g,
        catalog,
        "riikg catalogue",
        "DCAT-AP 3 catalogue of the riikg knowledge graph, its source datasets, "
        "their dumps and the SPARQL endpoint.",
    )
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, add_licence(g, settings.licence)))
    g.add((catalog, FOAF.homepage, URIRef(settings.base_iri)))
    g.add((URIRef(settings.base_iri), RDF.type, FOAF.Document))
    g.add((catalog, DCAT.themeTaxonomy, add_theme_scheme(g)))
    when = latest(records)
    if when is not None:
        g.add((catalog, DCTERMS.modified, _datetime(when)))
    served: list[URIRef] = []
    for item in page.items:
        node = add_dataset(g, settings, item, dumps, records)
        served.append(node)
        g.add((catalog, DCAT.dataset, node))
        g.add((catalog, DCAT.record, add_record(g, settings, node, item)))
        g.add((catalog, HYDRA.member, node))
    g.add((catalog, DCAT.service, add_data_service(g, settings, served)))
    g.add((catalog, HYDRA.totalItems, Literal(page.total, datatype=XSD.nonNegativeInteger)))
    add_view(g, settings, catalog, page)
    return g


def add_record(g: Graph, settings: Settings, dataset: URIRef, item: Item) -> URIRef:
    """The ``dcat:CatalogRecord`` of a dataset: what harvesters use to detect changes."""
    name = item.record.id if item.record is not None else "riikg"
    record = URIRef(f"{urls.catalog_url(settings)}#record-{name}")
    g.add((record, RDF.type, DCAT.CatalogRecord))
    g.add((record, FOAF.primaryTopic, dataset))
    g.add((dataset, RDF.type, DCAT.Resource))
    if item.modified is not None:
        g.add((record, DCTERMS.modified, _datetime(item.modified)))
    g.add((record, DCTERMS.conformsTo, DCAT_AP_STANDARD))
    g.add((DCAT_AP_STANDARD, RDF.type, DCTERMS.Standard))
    return record


def add_view(g: Graph, settings: Settings, catalog: URIRef, page: Page) -> None:
    """Hydra paging: the current view with first/last/next/previous (and the older nextPage)."""
    view = URIRef(page_url(settings, page, page.number))
    g.add((catalog, HYDRA.view, view))
    g.add((view, RDF.type, HYDRA.PartialCollectionView))
    g.add((view, HYDRA.first, URIRef(page_url(settings, page, 1))))
    g.add((view, HYDRA.last, URIRef(page_url(settings, page, page.last))))
    g.add((view, HYDRA.itemsPerPage, Literal(page.size, datatype=XSD.nonNegativeInteger)))
    if page.number < page.last:
        following = URIRef(page_url(settings, page, page.number + 1))
        g.add((view, HYDRA.next, following))
        g.add((view, HYDRA.nextPage, following))
    if page.number > 1:
        before = URIRef(page_url(settings, page, page.number - 1))
        g.add((view, HYDRA.previous, before))
        g.add((view, HYDRA.previousPage, before))


def dataset_graph(
    settings: Settings, record: SourceRecord | None, dumps: DumpSet, records: list[SourceRecord]
) -> Graph:
    """The description of one dataset on its own (``/graph/source/<id>``, OAI-PMH records)."""
    g = new_graph()
    modified = record.modified if record is not None else latest(records)
    add_dataset(g, settings, Item(record, modified), dumps, records)
    return g
