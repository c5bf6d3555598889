"""The endpoint under gunicorn (``riikg serve``) on an on-disk store with snapshots.

Shows what the test client cannot: workers open the published snapshot read-only, follow a
new snapshot, and a query whose client hangs up is killed at once.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import requests

from bench.servers import RiikgServer as Served
from bench.servers import start_riikg
from riikg.store.oxigraph import OxigraphStore
from tests.sparql.conftest import BASE

pytestmark = pytest.mark.slow

COUNT_CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
P = ox.NamedNode("http://example.org/p")


def triples(n: int, prefix: str = "s") -> list[ox.Triple]:
    return [
        ox.Triple(ox.NamedNode(f"http://example.org/{prefix}{i}"), P, ox.Literal(str(i)))
        for i in range(n)
    ]


def cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    path = tmp_path_factory.mktemp("sparql-gunicorn") / "store"
    writer = OxigraphStore.open_writer(BASE, path)
    writer.replace_graphs({f"{BASE}graph/source/synth": triples(2000)})
    writer.close()
    settings = {"RIIKG_BASE_IRI": BASE, "RIIKG_SPARQL_WORKERS": "1", "RIIKG_QUERY_TIMEOUT": "30"}
    with start_riikg(path, path.parent / "serve.log", settings, workers=1, timeout=30) as server:
        yield server


def count(served: Served) -> int:
    r = requests.get(
        served.url + "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return int(json.loads(r.content)["results"]["bindings"][0]["n"]["value"])


def test_serves_the_snapshot_and_follows_new_ones(served: Served) -> None:
    assert count(served) == 2000
    writer = OxigraphStore.open_writer(BASE, served.store_path)
    writer.replace_graphs({f"{BASE}graph/source/more": triples(5, "more")})
    writer.close()
    assert count(served) == 2005


def test_workers_warm_the_page_indexes(served: Served) -> None:
    """riikg serve builds the pages' indexes in each worker before any page is asked for
    (endpoint/pages/warm.py, started from gunicorn's post_worker_init)."""
    deadline = time.monotonic() + 60
    while b"pages warmed for data version" not in served.log.read_bytes():
        assert time.monotonic() < deadline, served.log.read_text(errors="replace")[-2000:]
        time.sleep(0.2)
    assert b"page warm-up failed" not in served.log.read_bytes()


def test_deadline_under_gunicorn(served: Served) -> None:
    started = time.monotonic()
    r = requests.get(
        served.url + "/sparql", params={"query": COUNT_CARTESIAN, "timeout": "1"}, timeout=10
    )
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert time.monotonic() - started < 3
    assert count(served) >= 2000


def test_client_hang_up_kills_the_query(served: Served) -> None:
    count(served)  # a worker exists
    with socket.create_connection(("127.0.0.1", served.port)) as conn:
        conn.sendall(
            f"GET /sparql?query={quote(COUNT_CARTESIAN)} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{served.port}\r\nAccept: */*\r\n\r\n".encode()
        )
        busy: int | None = None
        deadline = time.monotonic() + 5
        while busy is None and time.monotonic() < deadline:
            for pid in served.query_workers():
                first = cpu_ticks(pid)
                time.sleep(0.3)
                if cpu_ticks(pid) > first:
                    busy = pid
            time.sleep(0.1)
        assert busy is not None, "no query worker computing"
    # the client is gone: the worker must be killed well before the 30 s deadline
    deadline = time.monotonic() + 5
    while os.path.exists(f"/proc/{busy}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{busy}"), "the abandoned query is still running"
    assert count(served) >= 2000
