"""VoID: statistics, partitions, subsets, linksets, and a crawler that rebuilds the graph."""

from __future__ import annotations

import gzip

from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import VOID, XSD

from tests.harvest.helpers import get_graph, local, nt_lines

DS = URIRef("http://localhost:8080/.well-known/void#riikg")


def _int(g: Graph, s: object, p: URIRef) -> int:
    value = g.value(s, p)  # type: ignore[call-overload]
    assert isinstance(value, Literal) and value.datatype == XSD.integer, (s, p, value)
    return int(value)


def test_void_conneg(hclient: FlaskClient) -> None:
    sizes = {
        len(get_graph(hclient, "/.well-known/void", accept))
        for accept in ("text/turtle", "application/rdf+xml", "application/ld+json")
    }
    assert len(sizes) == 1
    assert hclient.get("/.well-known/void.rdf").mimetype == "application/rdf+xml"
    page = hclient.get("/.well-known/void", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert hclient.get("/.well-known/void").mimetype == "text/turtle"
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert hclient.get("/.well-known/void", headers={"Accept": browser}).mimetype == "text/html"


def test_void_statistics_match_the_dump(hclient: FlaskClient) -> None:
    g = get_graph(hclient, "/.well-known/void")
    lines = nt_lines(hclient, "/dumps/riikg.nt.gz")
    dump = Graph().parse(data="\n".join(lines), format="nt")
    assert _int(g, DS, VOID.triples) == len(lines) == len(dump)
    assert _int(g, DS, VOID.distinctSubjects) == len(set(dump.subjects()))
    assert _int(g, DS, VOID.distinctObjects) == len(set(dump.objects()))
    assert _int(g, DS, VOID.entities) == 2  # the two infrastructures under {base}id/
    assert g.value(DS, VOID.uriSpace) == Literal("http://localhost:8080/id/")
    assert g.value(DS, VOID.sparqlEndpoint) == URIRef("http://localhost:8080/sparql")
    examples = set(g.objects(DS, VOID.exampleResource))
    assert URIRef("http://localhost:8080/id/infrastructure/delta-lab") in examples
    classes = {
        str(g.value(p, VOID["class"])): _int(g, p, VOID.entities)
        for p in g.objects(DS, VOID.classPartition)
    }
    assert classes["https://w3id.org/riikg/ontology/ResearchInfrastructure"] == 2
    assert classes["https://w3id.org/riikg/ontology/NUTSRegion"] == 8
    properties = {
        str(g.value(p, VOID.property)): _int(g, p, VOID.triples)
        for p in g.objects(DS, VOID.propertyPartition)
    }
    assert sum(properties.values()) == len(lines)
    assert properties["http://www.w3.org/2004/02/skos/core#notation"] == 8


def test_linksets(hclient: FlaskClient) -> None:
    g = get_graph(hclient, "/.well-known/void")
    links = {}
    for linkset in g.subjects(VOID.subjectsTarget, DS):
        target = str(g.value(linkset, VOID.objectsTarget)).rsplit("#", 1)[1]
        links[target] = _int(g, linkset, VOID.triples)
    # 2 riikg:region + 6 skos:broader to NUTS; 2 Wikidata and 1 MERIL owl:sameAs
    assert links == {"nuts": 8, "wikidata": 2, "meril": 1}


def test_crawler_from_void_rebuilds_the_graph(hclient: FlaskClient) -> None:
    """An rdflib crawler: root dumps, then every subset's dumps; both give the same graph."""
    g = get_graph(hclient, "/.well-known/void")
    root = [u for u in g.objects(DS, VOID.dataDump) if str(u).endswith(".nt.gz")]
    assert len(root) == 1
    whole = Graph().parse(data=gzip.decompress(hclient.get(local(root[0])).data), format="nt")
    crawled = Graph()
    subsets = [s for s in g.objects(DS, VOID.subset) if g.value(s, VOID.dataDump) is not None]
    assert len(subsets) == 2
    for subset in subsets:
        for url in g.objects(subset, VOID.dataDump):
            body = hclient.get(local(url)).data
            if str(url).endswith(".nt.gz"):
                crawled.parse(data=gzip.decompress(body), format="nt")
            else:
                assert str(url).endswith(".ttl")
                assert len(Graph().parse(data=body, format="turtle")) == _int(
                    g, subset, VOID.triples
                )
    assert len(whole) > 0
    assert isomorphic(crawled, whole)
