"""VoID description of the knowledge graph (``/.well-known/void``).

Statistics come from the canonical dumps (``catalog.canonical.GraphStats``), so ``void:triples``
equals the number of lines of ``riikg.nt.gz`` and every figure is computed once per version.
Linksets to NUTS (Publications Office), Wikidata and MERIL are always listed, with
``void:triples 0`` when there are no links (a harvester then knows the target was counted).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, VOID, XSD

from endpoint.catalog.canonical import LINK_TARGETS, GraphStats
from endpoint.catalog.data import SourceRecord, latest
from endpoint.catalog.dcat import add_agents, add_licence, new_graph
from endpoint.catalog.dumps import DumpSet
from endpoint.http import urls
from riikg import formats
from riikg.config import Settings
from riikg.namespaces import MERIL, NUTS_ROOT, RIIKG, SD, WIKIDATA_ROOT

TARGETS = {
    "nuts": (NUTS_ROOT, "NUTS regions (EU Publications Office)"),
    "wikidata": (WIKIDATA_ROOT, "Wikidata"),
    "meril": (MERIL, "MERIL, the Mapping of the European Research Infrastructure Landscape"),
}


def _int(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def add_stats(g: Graph, node: URIRef, stats: GraphStats) -> None:
    g.add((node, VOID.triples, _int(stats.triples)))
    g.add((node, VOID.entities, _int(stats.entities)))
    g.add((node, VOID.distinctSubjects, _int(stats.distinct_subjects)))
    g.add((node, VOID.distinctObjects, _int(stats.distinct_objects)))
    g.add((node, VOID.classes, _int(len(stats.classes))))
    g.add((node, VOID.properties, _int(len(stats.properties))))


def void_graph(settings: Settings, dumps: DumpSet, records: list[SourceRecord]) -> Graph:
    """The VoID document."""
    g = new_graph()
    doc = URIRef(urls.void_url(settings))
    ds = URIRef(urls.dataset_iri(settings))
    publisher, _ = add_agents(g, settings)
    g.add((doc, RDF.type, VOID.DatasetDescription))
    g.add((doc, DCTERMS.title, Literal("VoID description of riikg", lang="en")))
    g.add((doc, FOAF.primaryTopic, ds))
    g.add((ds, RDF.type, VOID.Dataset))
    g.add(
        (
            ds,
            DCTERMS.title,
            Literal("riikg: Research and Innovation Infrastructure Knowledge Graph", lang="en"),
        )
    )
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((ds, DCTERMS.license, add_licence(g, settings.licence)))
    g.add((ds, FOAF.homepage, URIRef(settings.base_iri)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(urls.sparql_endpoint(settings))))
    g.add((ds, VOID.uriSpace, Literal(f"{settings.base_iri}id/")))
    for feature in (formats.NTRIPLES, formats.TURTLE):
        g.add((ds, VOID.feature, URIRef(str(feature.w3c))))
    g.add((ds, VOID.rootResource, URIRef(urls.catalog_url(settings))))
    g.add((ds, SD.endpoint, URIRef(urls.sparql_endpoint(settings))))
    when = latest(records)
    if when is not None:
        g.add((ds, DCTERMS.modified, Literal(when.isoformat(), datatype=XSD.dateTime)))
    for f in sorted(dumps.files.values(), key=lambda f: f.name):
        if f.source_id is None and f.extension != "nq.gz":
            g.add((ds, VOID.dataDump, URIRef(urls.dump_url(settings, None, f.extension))))
    for example in dumps.stats.examples:
        g.add((ds, VOID.exampleResource, URIRef(example)))
    add_stats(g, ds, dumps.stats)
    add_partitions(g, ds, dumps.stats)
    for record in records:
        add_subset(g, settings, ds, record, dumps)
    add_linksets(g, settings, ds, dumps.stats)
    return g


def add_partitions(g: Graph, ds: URIRef, stats: GraphStats) -> None:
    for i, (cls, n) in enumerate(sorted(stats.classes.items())):
        part = URIRef(f"{ds}-class-{i}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, _int(n)))
    for i, (prop, n) in enumerate(sorted(stats.properties.items())):
        part = URIRef(f"{ds}-property-{i}")
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, _int(n)))


def add_subset(
    g: Graph, settings: Settings, ds: URIRef, record: SourceRecord, dumps: DumpSet
) -> None:
    """One ``void:subset`` per source: its named graph, dumps and counts."""
    subset = URIRef(record.graph)
    g.add((ds, VOID.subset, subset))
    g.add((subset, RDF.type, VOID.Dataset))
    g.add((subset, DCTERMS.title, Literal(record.title, lang="en")))
    g.add((subset, DCTERMS.identifier, Literal(record.id)))
    g.add((subset, DCTERMS.modified, Literal(record.modified.isoformat(), datatype=XSD.dateTime)))
    g.add((subset, VOID.sparqlEndpoint, URIRef(urls.sparql_endpoint(settings))))
    g.add((subset, DCTERMS.license, add_licence(g, record.licence or settings.licence)))
    for f in sorted(dumps.files.values(), key=lambda f: f.name):
        if f.source_id == record.id:
            g.add((subset, VOID.dataDump, URIRef(urls.dump_url(settings, record.id, f.extension))))
    stats = dumps.source_stats.get(record.id)
    if stats is not None:
        add_stats(g, subset, stats)


def add_linksets(g: Graph, settings: Settings, ds: URIRef, stats: GraphStats) -> None:
    for name in LINK_TARGETS:
        uri_space, title = TARGETS[name]
        target = URIRef(f"{settings.base_iri}.well-known/void#{name}")
        g.add((target, RDF.type, VOID.Dataset))
        g.add((target, DCTERMS.title, Literal(title, lang="en")))
        g.add((target, VOID.uriSpace, Literal(uri_space)))
        linkset = URIRef(f"{ds}-links-{name}")
        links = stats.links.get(name, {})
        g.add((ds, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.subjectsTarget, ds))
        g.add((linkset, VOID.objectsTarget, target))
        g.add((linkset, VOID.target, ds))
        g.add((linkset, VOID.target, target))
        g.add((linkset, VOID.triples, _int(sum(links.values()))))
        if name == "meril":
            ids = stats.properties.get(str(RIIKG.merilId), 0)
            note = (
                f"Counts IRIs in the MERIL namespace. {ids} resources carry a MERIL "
                "identifier as a literal (riikg:merilId); those are in the property "
                "partition, not counted as links."
            )
            g.add((linkset, DCTERMS.description, Literal(note, lang="en")))
        for predicate in sorted(links):
            g.add((linkset, VOID.linkPredicate, URIRef(predicate)))
