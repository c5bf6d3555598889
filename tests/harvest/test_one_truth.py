"""One source of truth: SD, VoID, DCAT-AP and the sitemap agree on endpoint, dumps and base."""

from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, VOID

from endpoint import create_app
from endpoint.http import urls
from riikg.config import Settings, StoreKind
from riikg.namespaces import SD
from riikg.pipeline import load_source
from riikg.store.oxigraph import OxigraphStore
from tests.harvest.conftest import DATA, turtle_loader, turtle_source

BASE = "https://kg.example.org/riikg/"


@pytest.fixture()
def other_base(tmp_path: Path) -> tuple[FlaskClient, Settings]:
    """A deployment under a different public base, data minted under it."""
    settings = Settings(base_iri=BASE, store=StoreKind.MEMORY)
    store = OxigraphStore.memory(BASE)
    for source_id, name in (("regions", "regions.ttl"), ("infra", "infrastructures.ttl")):
        text = (DATA / name).read_text(encoding="utf-8").replace("http://localhost:8080/", BASE)
        (tmp_path / name).write_text(text, encoding="utf-8")
        load_source(store, turtle_source(source_id, tmp_path / name, source_id), turtle_loader)
    app = create_app({"TESTING": True}, settings=settings, store=store)
    return app.test_client(), settings


def _path(url: str) -> str:
    assert url.startswith(BASE), url
    return "/" + url[len(BASE) :]


def test_every_document_agrees(other_base: tuple[FlaskClient, Settings]) -> None:
    client, settings = other_base
    endpoint = URIRef(urls.sparql_endpoint(settings))
    void = Graph().parse(data=client.get("/.well-known/void.ttl").data, format="turtle")
    catalog = Graph().parse(data=client.get("/catalog.ttl").data, format="turtle")
    dataset = URIRef(urls.dataset_iri(settings))

    assert set(void.objects(dataset, VOID.sparqlEndpoint)) == {endpoint}
    assert set(catalog.objects(None, DCAT.endpointURL)) == {endpoint}
    void_dumps = {str(u) for u in void.objects(None, VOID.dataDump)}
    catalog_dumps = {str(u) for u in catalog.objects(None, DCAT.downloadURL)}
    # VoID lists the triple dumps; the catalogue also offers the N-Quads (graphs + provenance)
    assert void_dumps == catalog_dumps - {urls.dump_url(settings, None, "nq.gz")}
    manifest = client.get("/dumps/manifest.json").get_json()
    assert {f["url"] for f in manifest["files"] if "nq.gz" not in f["name"]} == void_dumps
    assert urls.dump_url(settings, None, "nt.gz") in void_dumps
    for url in void_dumps:
        assert client.get(_path(url)).status_code == 200

    sitemap = SafeET.fromstring(client.get("/sitemap.xml").data)
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert urls.sparql_endpoint(settings) in locs and urls.catalog_url(settings) in locs
    assert BASE + "id/infrastructure/alfa-lab" in locs

    for graph in (void, catalog):
        for term in set(graph.subjects()) | set(graph.objects()):
            if isinstance(term, URIRef) and "localhost" in term:
                pytest.fail(f"{term} is not under the configured base")
    assert all(str(loc).startswith(BASE) for loc in locs)


def test_service_description_agrees(other_base: tuple[FlaskClient, Settings]) -> None:
    """The SPARQL engineer's Service Description at /sparql names the same endpoint and VoID."""
    client, settings = other_base
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    if response.status_code != 200 or response.mimetype != "text/turtle":
        pytest.skip("/sparql does not serve a Service Description yet")
    sd = Graph().parse(data=response.data, format="turtle")
    endpoint = URIRef(urls.sparql_endpoint(settings))
    assert set(sd.objects(None, SD.endpoint)) == {endpoint}
    mentioned = {str(o) for o in sd.objects() if isinstance(o, URIRef)}
    assert urls.void_url(settings) in mentioned or urls.dataset_iri(settings) in mentioned
    for term in mentioned | {str(s) for s in sd.subjects() if isinstance(s, URIRef)}:
        assert "localhost" not in term, term
