"""The DCAT-AP 3 catalogue: validation, paging, conneg, filters, graph IRIs."""

from __future__ import annotations

import hashlib

from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from riikg.namespaces import HYDRA, SPDX, VCARD
from tests.harvest.helpers import dcat_ap_shapes, get_graph, local, violations

CATALOG = URIRef("http://localhost:8080/catalog")
KG = URIRef("http://localhost:8080/.well-known/void#riikg")
INFRA = URIRef("http://localhost:8080/graph/source/infra")
REGIONS = URIRef("http://localhost:8080/graph/source/regions")
NUTS = "http://data.europa.eu/nuts/code/"


def test_catalogue_validates_against_dcat_ap_3(hclient: FlaskClient) -> None:
    graph = get_graph(hclient, "/catalog")
    count, text = violations(graph)
    assert count == 0, text
    _, dangling = dcat_ap_shapes()
    assert dangling == 5  # the official ranges.ttl's undefined property shapes (see helpers)


def test_every_small_page_validates_on_its_own(hclient: FlaskClient) -> None:
    for page in (1, 2, 3):
        graph = get_graph(hclient, f"/catalog?page={page}&page_size=1")
        count, text = violations(graph)
        assert count == 0, (page, text)
        # self-contained: publisher and contact point repeated on every page
        assert (URIRef("http://localhost:8080/#publisher"), FOAF.name, None) in graph
        assert (URIRef("http://localhost:8080/#contact"), VCARD.hasEmail, None) in graph


def test_the_shapes_do_find_violations(hclient: FlaskClient) -> None:
    """Guard against a validation that cannot fail: break the catalogue and expect violations."""
    graph = get_graph(hclient, "/catalog")
    for dataset in list(graph.subjects(RDF.type, DCAT.Dataset)):
        graph.remove((dataset, DCTERMS.title, None))
    count, _ = violations(graph)
    assert count == 3


def test_hydra_harvester_collects_every_dataset(hclient: FlaskClient) -> None:
    url: str | None = "/catalog?page_size=1"
    seen: list[URIRef] = []
    pages = 0
    while url:
        graph = get_graph(hclient, url)
        pages += 1
        assert graph.value(CATALOG, HYDRA.totalItems) == Literal(3, datatype=XSD.nonNegativeInteger)
        seen.extend(o for o in graph.objects(CATALOG, DCAT.dataset) if isinstance(o, URIRef))
        view = graph.value(CATALOG, HYDRA.view)
        assert (view, RDF.type, HYDRA.PartialCollectionView) in graph
        assert graph.value(view, HYDRA.first) is not None
        assert graph.value(view, HYDRA.last) is not None
        following = graph.value(view, HYDRA.next)
        assert following == graph.value(view, HYDRA.nextPage)
        url = local(following) if following is not None else None
        assert pages < 10
    assert pages == 3
    assert seen == [KG, INFRA, REGIONS]


def test_datasets_distributions_and_service(hclient: FlaskClient) -> None:
    g = get_graph(hclient, "/catalog")
    for dataset in (KG, INFRA, REGIONS):
        assert g.value(dataset, DCTERMS.publisher) == URIRef("http://localhost:8080/#publisher")
        assert (
            dataset,
            DCAT.theme,
            URIRef("http://publications.europa.eu/resource/authority/data-theme/TECH"),
        ) in g
        modified = g.value(dataset, DCTERMS.modified)
        assert isinstance(modified, Literal) and modified.datatype == XSD.dateTime
        assert g.value(dataset, DCTERMS.license) is not None
        assert g.value(dataset, DCAT.contactPoint) == URIRef("http://localhost:8080/#contact")
    for record in g.objects(CATALOG, DCAT.record):
        topic = g.value(record, FOAF.primaryTopic)
        assert g.value(record, DCTERMS.modified) == g.value(topic, DCTERMS.modified)
    assert len(set(g.objects(CATALOG, DCAT.record))) == 3
    assert set(g.objects(INFRA, DCTERMS.spatial)) == {URIRef(NUTS + "IT"), URIRef(NUTS + "SE")}
    assert set(g.objects(REGIONS, DCTERMS.spatial)) == {URIRef(NUTS + "IT"), URIRef(NUTS + "SE")}
    assert g.value(INFRA, DCTERMS.issued) == Literal("2026-11-01", datatype=XSD.date)
    downloads = 0
    for dist in g.objects(None, DCAT.distribution):
        url = g.value(dist, DCAT.downloadURL)
        if url is None:  # the SPARQL distribution
            assert g.value(dist, DCAT.accessService) == URIRef(
                "http://localhost:8080/catalog#sparql"
            )
            continue
        downloads += 1
        body = hclient.get(local(url)).data
        checksum = g.value(dist, SPDX.checksum)
        assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(g.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert int(str(g.value(dist, DCAT.byteSize))) == len(body)
        assert str(g.value(dist, DCAT.mediaType)).startswith(
            "http://www.iana.org/assignments/media-types/"
        )
        assert str(g.value(dist, DCTERMS.format)).startswith(
            "http://publications.europa.eu/resource/authority/file-type/RDF_"
        )
    assert downloads == 3 + 2 + 2
    service = URIRef("http://localhost:8080/catalog#sparql")
    assert g.value(service, DCAT.endpointURL) == URIRef("http://localhost:8080/sparql")
    assert g.value(service, DCAT.endpointDescription) == URIRef("http://localhost:8080/sparql")
    assert set(g.objects(service, DCAT.servesDataset)) == {KG, INFRA, REGIONS}


def test_conneg_and_suffixes(hclient: FlaskClient) -> None:
    reference = get_graph(hclient, "/catalog")
    for accept in ("application/rdf+xml", "application/ld+json", "application/n-triples"):
        assert len(get_graph(hclient, "/catalog", accept)) == len(reference)
    for ext, fmt in (("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")):
        response = hclient.get(f"/catalog.{ext}")
        assert response.status_code == 200
        assert len(Graph().parse(data=response.data, format=fmt)) == len(reference)
    page = hclient.get("/catalog", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert b"riikg.nt.gz" in page.data and b"Test infrastructures" in page.data
    assert hclient.get("/catalog.html").mimetype == "text/html"
    assert hclient.get("/catalog", headers={"Accept": "image/png"}).status_code == 406
    assert hclient.get("/catalog.exe").status_code == 404


def test_modified_since(hclient: FlaskClient) -> None:
    everything = get_graph(hclient, "/catalog?modified_since=2000-01-01")
    assert len(set(everything.objects(CATALOG, DCAT.dataset))) == 3
    future = get_graph(hclient, "/catalog?modified_since=2999-01-01T00:00:00Z")
    assert set(future.objects(CATALOG, DCAT.dataset)) == set()
    assert future.value(CATALOG, HYDRA.totalItems) == Literal(0, datatype=XSD.nonNegativeInteger)
    view = str(future.value(CATALOG, HYDRA.view))
    assert "modified_since=2999-01-01T00%3A00%3A00Z" in view
    offset = get_graph(hclient, "/catalog?modified_since=2999-01-01T00:00:00+01:00")
    assert set(offset.objects(CATALOG, DCAT.dataset)) == set()
    bad = hclient.get("/catalog?modified_since=yesterday", headers={"Accept": "text/plain"})
    assert bad.status_code == 400
    assert b"modified_since" in bad.data and b"ISO 8601" in bad.data
    assert "ETag" not in bad.headers


def test_bad_paging_arguments(hclient: FlaskClient) -> None:
    assert hclient.get("/catalog?page=0").status_code == 400
    assert hclient.get("/catalog?page_size=100000").status_code == 400
    assert hclient.get("/catalog?page=abc").status_code == 400
    assert hclient.get("/catalog?page=9&page_size=1").status_code == 404


def test_urls_come_from_the_configured_base_not_the_host(hclient: FlaskClient) -> None:
    for url in (
        "/catalog",
        "/.well-known/void",
        "/sitemap.xml",
        "/oai?verb=Identify",
        "/robots.txt",
        "/graph/source/infra.ttl",
    ):
        response = hclient.get(url, base_url="http://evil.example:666/")
        assert response.status_code == 200, url
        assert b"evil.example" not in response.data, url


def test_graph_iris_dereference(hclient: FlaskClient) -> None:
    description = get_graph(hclient, "/graph/source/infra")
    assert (INFRA, RDF.type, DCAT.Dataset) in description
    assert violations(description)[0] == 0
    html = hclient.get("/graph/source/infra", headers={"Accept": "text/html"})
    assert html.status_code == 200 and b"/graph/meta/infra" in html.data
    meta = get_graph(hclient, "/graph/meta/infra.ttl")
    assert meta.value(INFRA, URIRef("https://w3id.org/riikg/ontology/sha256")) is not None
    assert hclient.get("/graph/meta/infra", headers={"Accept": "text/html"}).status_code == 200
    report = hclient.get("/graph/report/infra.nt")
    assert report.status_code == 200 and report.mimetype == "application/n-triples"
    assert hclient.get("/graph/report/infra", headers={"Accept": "text/html"}).status_code == 200
    record = get_graph(hclient, "/graph/meta")
    version = record.value(
        URIRef("http://localhost:8080/"), URIRef("https://w3id.org/riikg/ontology/dataVersion")
    )
    assert version is not None and int(str(version)) == 2
    for missing in ("/graph/source/nope", "/graph/meta/nope", "/graph/report/nope.ttl"):
        assert hclient.get(missing).status_code == 404


def test_html_escapes_data(hclient: FlaskClient) -> None:
    page = hclient.get("/graph/meta/infra", headers={"Accept": "text/html"}).data.decode()
    assert "<script" not in page.split("</head>", 1)[1].lower()
