"""Limits over a remote store (a real Virtuoso): timeout passed to the server, row cap."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask import Flask

from riikg.config import Settings, StoreKind
from tests.servers import RunningServer
from tests.sparql.conftest import _writer

pytestmark = pytest.mark.virtuoso

BASE = "http://riikg-sparql-limits.test/"
COUNT_CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def remote_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    from endpoint import create_app
    from riikg.store.remote import RemoteStore

    server: RunningServer = request.getfixturevalue("virtuoso_server")
    writer = _writer(server, BASE)
    store = RemoteStore(BASE, server.query_url, timeout=30)
    p = ox.NamedNode("http://example.org/p")
    graph = f"{BASE}graph/source/synth"
    writer.replace_graphs(
        {
            graph: [
                ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), p, ox.Literal(str(i)))
                for i in range(2000)
            ]
        }
    )
    settings = Settings(
        base_iri=BASE, store=StoreKind.REMOTE, remote_query_url=server.query_url, max_rows=7
    )
    yield create_app({"TESTING": True}, settings=settings, store=store)
    writer.replace_graphs({graph: None})


def test_remote_row_cap(remote_app: Flask) -> None:
    client = remote_app.test_client()
    for media in (JSON, "application/sparql-results+xml", "text/csv", "text/tab-separated-values"):
        r = client.get(
            "/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"}, headers={"Accept": media}
        )
        assert r.status_code == 200 and r.mimetype == media
        assert r.headers["X-Result-Truncated"] == "true"
        assert r.headers["X-Result-Max-Rows"] == "7"
    r = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 3"})
    assert "X-Result-Truncated" not in r.headers
    assert len(json.loads(r.data)["results"]["bindings"]) == 3
    r = client.get(
        "/sparql",
        query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert r.headers["X-Result-Truncated"] == "true"
    assert len(list(ox.parse(r.data, format=ox.RdfFormat.N_TRIPLES))) == 7


def test_remote_timeout_is_passed_and_bounded(remote_app: Flask) -> None:
    client = remote_app.test_client()
    started = time.monotonic()
    r = client.get(
        "/sparql", query_string={"query": COUNT_CARTESIAN, "timeout": "1"}, headers={"Accept": JSON}
    )
    elapsed = time.monotonic() - started
    assert elapsed < 5
    assert r.status_code in (503, 504), (r.status_code, r.headers, r.data[:300])
    assert r.headers["Retry-After"]
    r = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200
