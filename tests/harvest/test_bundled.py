"""The real bundled dataset: the catalogue validates, harvesters and crawlers see everything."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, VOID

from endpoint import create_app
from endpoint.catalog.dumps import build_dumps
from riikg.config import Settings
from riikg.errors import LoadError, SourceRefused
from riikg.namespaces import HYDRA
from riikg.store.oxigraph import OxigraphStore
from tests.harvest.helpers import get_graph, local, violations
from tests.harvest.test_oai import harvest

CATALOG = URIRef("http://localhost:8080/catalog")


@pytest.fixture(scope="module")
def bundled(request: pytest.FixtureRequest) -> Iterator[tuple[Flask, OxigraphStore]]:
    try:
        app: Flask = request.getfixturevalue("app")
        store: OxigraphStore = request.getfixturevalue("bundled_store")
    except (SourceRefused, LoadError) as exc:  # the loaders' own tests report this
        pytest.skip(f"the bundled dataset does not load: {str(exc).splitlines()[0]}")
    yield app, store


@pytest.fixture()
def bclient(bundled: tuple[Flask, OxigraphStore]) -> Iterator[FlaskClient]:
    with bundled[0].test_client() as c:
        yield c


def test_bundled_catalogue_validates_and_pages(bclient: FlaskClient) -> None:
    url: str | None = "/catalog?page_size=3"
    datasets: list[URIRef] = []
    while url:
        graph = get_graph(bclient, url)
        count, text = violations(graph)
        assert count == 0, text
        datasets.extend(o for o in graph.objects(CATALOG, DCAT.dataset) if isinstance(o, URIRef))
        following = graph.value(graph.value(CATALOG, HYDRA.view), HYDRA.next)
        url = local(following) if following is not None else None
    sources = bclient.get("/dumps/manifest.json").get_json()["files"]
    source_ids = {f["source"] for f in sources if f["source"]}
    assert len(datasets) == len(set(datasets)) == len(source_ids) + 1
    whole = get_graph(bclient, "/catalog?page_size=500")
    assert violations(whole)[0] == 0
    nuts = URIRef("http://localhost:8080/graph/source/nuts")
    if "nuts" in source_ids:
        countries = {str(c) for c in whole.objects(nuts, DCTERMS.spatial)}
        assert "http://data.europa.eu/nuts/code/IT" in countries and len(countries) > 25


def test_bundled_oai_harvest(settings: Settings, bundled: tuple[Flask, OxigraphStore]) -> None:
    app = create_app(
        {"TESTING": True}, settings=settings.replace(oai_page_size=50), store=bundled[1]
    )
    records, calls = harvest(app.test_client(), "ListIdentifiers", metadataPrefix="oai_dc")
    identifiers = [r.findtext("{http://www.openarchives.org/OAI/2.0/}identifier") for r in records]
    assert len(identifiers) == len(set(identifiers)) > 50
    assert calls == -(-len(identifiers) // 50)


def test_bundled_void_crawl_is_isomorphic_to_the_dump(bclient: FlaskClient) -> None:
    void = get_graph(bclient, "/.well-known/void")
    crawled = Graph()
    for subset in void.objects(None, VOID.subset):
        for url in void.objects(subset, VOID.dataDump):
            if str(url).endswith(".nt.gz"):
                crawled.parse(data=gzip.decompress(bclient.get(local(url)).data), format="nt")
    dump = Graph().parse(data=gzip.decompress(bclient.get("/dumps/riikg.nt.gz").data), format="nt")
    assert len(dump) > 10_000
    assert isomorphic(crawled, dump)


def test_bundled_dumps_are_deterministic(bundled: tuple[Flask, OxigraphStore]) -> None:
    store = bundled[1]
    first = {n: f.sha256 for n, f in build_dumps(store).files.items()}
    second = {n: f.sha256 for n, f in build_dumps(store).files.items()}
    assert first == second


def test_bundled_reload_changes_nothing(
    bundled: tuple[Flask, OxigraphStore], bclient: FlaskClient
) -> None:
    from loaders import get_loader
    from riikg.pipeline import Status, load_source
    from riikg.sources import read_manifest

    store = bundled[1]
    urls = ["/catalog", "/.well-known/void", "/sitemap.xml", "/dumps/manifest.json"]
    before = {url: bclient.get(url).headers["ETag"] for url in urls}
    sums = bclient.get("/dumps/SHA256SUMS").data
    version = store.version
    for source in read_manifest():
        report = load_source(store, source, get_loader(source.loader))
        assert report.status is Status.UNCHANGED, source.id
    assert store.version == version
    assert {url: bclient.get(url).headers["ETag"] for url in urls} == before
    assert bclient.get("/dumps/SHA256SUMS").data == sums


def test_bundled_sitemap_urls_resolve(bclient: FlaskClient) -> None:
    import defusedxml.ElementTree as SafeET

    root = SafeET.fromstring(bclient.get("/sitemap.xml").data)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [e.text or "" for e in root.iter(f"{ns}loc")]
    assert len(locs) > 100
    step = max(1, len(locs) // 60)  # a spread sample: every page kind, bounded time
    for loc in locs[:12] + locs[12::step]:
        response = bclient.get(local(loc), headers={"Accept": "text/html"})
        assert response.status_code == 200, loc
