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


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[int]]]:
    """A loopback socket that counts the connections made to it."""
    import socket
    import threading

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/", hits
    stop.set()
    thread.join(2)
    sock.close()


def test_remote_guard_cannot_be_desynchronised(
    remote_app: Flask, listener: tuple[str, list[int]]
) -> None:
    """Virtuoso decodes \\u escapes everywhere before parsing (unlike pyoxigraph): the text it
    receives is the guard's canonical text, so what hides a SERVICE from one reader hides it
    from neither, and nothing reaches the listener."""
    from tests.reliability.catalogue import DESYNC_PREFIXES

    url, hits = listener
    client = remote_app.test_client()
    for name, _, prefix in DESYNC_PREFIXES:
        query = f"SELECT * WHERE {{ {prefix}\n SERVICE <{url}sparql> {{ ?s ?p ?o }} }}"
        r = client.post("/sparql", data={"query": query})
        assert r.status_code in (400, 403), (name, r.status_code, r.data[:200])
    assert hits == []


def test_remote_escapes_keep_their_meaning(remote_app: Flask) -> None:
    """The canonical text means what the original meant: an escaped quote stays inside the
    string, on a server that decodes escapes before it tokenises."""
    client = remote_app.test_client()
    query = 'SELECT ?x { BIND("a\\u0022b\\u005Cc" AS ?x) }'
    r = client.get("/sparql", query_string={"query": query})
    assert r.status_code == 200, r.data[:300]
    assert json.loads(r.data)["results"]["bindings"][0]["x"]["value"] == 'a"b\\c'


def test_remote_relative_iris_resolve_against_the_endpoint(remote_app: Flask) -> None:
    client = remote_app.test_client()
    r = client.get(
        "/sparql",
        query_string={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
        headers={"Accept": "application/n-triples"},
    )
    assert r.status_code == 200, r.data[:300]
    assert f"<{BASE}s> <{BASE}p>".encode() in r.data
