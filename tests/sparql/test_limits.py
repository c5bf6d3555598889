"""Limits that protect the server: deadline (killed workers), depth, size, rows, concurrency.

Each test uses its own small app so that the limits can be set low.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask import Flask

from endpoint.sparql.pool import WorkerPool
from riikg.store.oxigraph import OxigraphStore
from tests.sparql.conftest import BASE, make_app, sample_graphs
from tests.sparql.helpers import Listener

CARTESIAN = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
COUNT_CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON = "application/sparql-results+json"


def synthetic_store(n: int = 2000) -> OxigraphStore:
    store = OxigraphStore.memory(BASE)
    p = ox.NamedNode("http://example.org/p")
    store.replace_graphs(
        {
            f"{BASE}graph/source/synth": [
                ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), p, ox.Literal(str(i)))
                for i in range(n)
            ]
        }
    )
    return store


@pytest.fixture()
def slow_app() -> Iterator[Flask]:
    """2,000 triples: the 3-way cartesian product has 8e9 rows and never finishes."""
    app = make_app(synthetic_store(), max_rows=10**9, sparql_workers=1, query_timeout=2)
    yield app
    pool(app).close()


def pool(app: Flask) -> WorkerPool:
    found: WorkerPool | None = app.extensions.get("riikg.sparql_pool")
    assert found is not None
    return found


def children() -> list[int]:
    """Child process ids of this process (all threads)."""
    pids: list[int] = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children", encoding="ascii") as fh:
            pids += [int(p) for p in fh.read().split()]
    return pids


def cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def assert_no_child_burns_cpu() -> None:
    before = {pid: cpu_ticks(pid) for pid in children()}
    time.sleep(0.5)
    for pid, ticks in before.items():
        if os.path.exists(f"/proc/{pid}"):
            assert cpu_ticks(pid) - ticks <= 2, f"child {pid} is still computing"


@pytest.mark.parametrize("query", [CARTESIAN, COUNT_CARTESIAN])
def test_deadline_kills_the_worker_and_frees_it(slow_app: Flask, query: str) -> None:
    client = slow_app.test_client()
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    started = time.monotonic()
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    elapsed = time.monotonic() - started
    assert r.status_code == 503
    assert r.headers["Retry-After"]
    assert "time limit" in json.loads(r.data)["message"]
    assert 1.9 <= elapsed < 4.0
    killed = pool(slow_app).last_killed
    assert killed is not None and not os.path.exists(f"/proc/{killed}")
    started = time.monotonic()
    r = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert r.status_code == 200
    assert time.monotonic() - started < 1.5
    assert json.loads(r.data)["results"]["bindings"][0]["n"]["value"] == "2000"
    assert_no_child_burns_cpu()


def test_timeout_parameter_is_capped(slow_app: Flask) -> None:
    client = slow_app.test_client()
    r = client.get("/sparql", query_string={"query": "ASK {}", "timeout": "1000"})
    assert r.headers["X-Query-Timeout"] == "60"  # query_timeout_max
    r = client.get("/sparql", query_string={"query": "ASK {}", "timeout": "0.5"})
    assert r.headers["X-Query-Timeout"] == "0.5"
    started = time.monotonic()
    r = client.get("/sparql", query_string={"query": COUNT_CARTESIAN, "timeout": "1"})
    assert r.status_code == 503 and time.monotonic() - started < 2.5
    for bad in ("abc", "-1", "0"):
        assert (
            client.get("/sparql", query_string={"query": "ASK {}", "timeout": bad}).status_code
            == 400
        )


def test_deep_nesting_is_refused_and_the_server_survives(sparql_app: Flask) -> None:
    client = sparql_app.test_client()
    for hostile in (
        "ASK " + "{" * 3000 + "}" * 3000,
        "ASK { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }",
        "SELECT * { ?s " + "(" * 3000 + "<p:x>" + ")*" * 3000 + " ?o }",
    ):
        r = client.get("/sparql", query_string={"query": hostile}, headers={"Accept": JSON})
        assert r.status_code == 400
        assert "too deeply nested" in json.loads(r.data)["message"]
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_a_crashing_worker_is_replaced() -> None:
    """Defence in depth: with the depth guard set far too high, pyoxigraph overflows even
    the query thread's large stack (docs/security.md F1) - in the worker, not in the server,
    which answers 503 and carries on."""
    app = make_app(synthetic_store(10), max_query_depth=1_000_000, max_query_bytes=1 << 20)
    client = app.test_client()
    try:
        hostile = "ASK " + "{" * 200_000 + "}" * 200_000
        r = client.post("/sparql", data=hostile, content_type="application/sparql-query")
        assert r.status_code == 503
        assert b"worker died" in r.data
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    finally:
        pool(app).close()


def test_query_size_cap(sparql_app: Flask) -> None:
    client = sparql_app.test_client()
    big = "ASK {} #" + "x" * 70_000
    assert client.get("/sparql", query_string={"query": big}).status_code == 413
    assert client.post("/sparql", data={"query": big}).status_code == 413
    r = client.post("/sparql", data=big.encode(), content_type="application/sparql-query")
    assert r.status_code == 413


def _count_rows(data: bytes, media: str) -> int:
    if media == JSON:
        return len(json.loads(data)["results"]["bindings"])
    if media == "application/sparql-results+xml":
        return data.count(b"<result>")
    return data.decode().strip("\r\n").count("\n")  # CSV / TSV: minus the header line


@pytest.mark.parametrize(
    "media", [JSON, "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
)
def test_row_cap_is_signalled(sparql_app: Flask, media: str) -> None:
    """sparql_app has max_rows=5."""
    client = sparql_app.test_client()
    r = client.get(
        "/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"}, headers={"Accept": media}
    )
    assert r.status_code == 200 and r.mimetype == media
    assert r.headers["X-Result-Truncated"] == "true"
    assert r.headers["X-Result-Max-Rows"] == "5"
    assert _count_rows(r.data, media) == 5
    r = client.get(
        "/sparql",
        query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 5"},
        headers={"Accept": media},
    )
    assert "X-Result-Truncated" not in r.headers
    assert _count_rows(r.data, media) == 5


def test_row_cap_on_construct_counts_triples(sparql_app: Flask) -> None:
    client = sparql_app.test_client()
    r = client.get(
        "/sparql",
        query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert r.headers["X-Result-Truncated"] == "true"
    assert len(list(ox.parse(r.data, format=ox.RdfFormat.N_TRIPLES))) == 5
    r = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s a ?t } LIMIT 2"})
    assert "X-Result-Truncated" not in r.headers


def test_row_cap_keeps_order_and_user_limit(sparql_app: Flask) -> None:
    client = sparql_app.test_client()
    q = "SELECT ?s WHERE { ?s a ?t } ORDER BY DESC(STR(?s))"
    full = sparql_app.extensions["riikg"]["store"].select(q)
    r = client.get("/sparql", query_string={"query": q})
    got = [b["s"]["value"] for b in json.loads(r.data)["results"]["bindings"]]
    assert got == [row["s"].value for row in full][:5]


def test_per_client_concurrency_limit() -> None:
    app = make_app(
        synthetic_store(), max_concurrent_per_client=1, sparql_workers=2, query_timeout=3
    )
    client = app.test_client()
    try:
        slow = threading.Thread(
            target=lambda: app.test_client().get("/sparql", query_string={"query": COUNT_CARTESIAN})
        )
        slow.start()
        time.sleep(0.7)
        r = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": JSON})
        assert r.status_code == 429
        assert r.headers["Retry-After"]
        assert "at once" in json.loads(r.data)["message"]
        slow.join(10)
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    finally:
        pool(app).close()


def test_workers_follow_data_changes() -> None:
    """A memory-store worker forked before a write must not answer from the old data."""
    store = OxigraphStore.memory(BASE)
    store.replace_graphs(sample_graphs())
    app = make_app(store)
    client = app.test_client()
    q = {"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}
    try:
        before = int(
            json.loads(client.get("/sparql", query_string=q).data)["results"]["bindings"][0]["n"][
                "value"
            ]
        )
        old = {w.pid for w in pool(app)._idle}
        store.replace_graphs(
            {
                f"{BASE}graph/source/extra": [
                    ox.Triple(
                        ox.NamedNode("http://e/x"), ox.NamedNode("http://e/p"), ox.Literal("1")
                    )
                ]
            }
        )
        after = int(
            json.loads(client.get("/sparql", query_string=q).data)["results"]["bindings"][0]["n"][
                "value"
            ]
        )
        assert after == before + 1
        assert not old & {w.pid for w in pool(app)._idle}
    finally:
        pool(app).close()


def test_service_makes_no_outbound_connection(sparql_app: Flask, listener: Listener) -> None:
    url = f"http://127.0.0.1:{listener.port}/"
    client = sparql_app.test_client()
    for q in (
        f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ {{ SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"PREFIX x: <{url}> SELECT * {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
    ):
        r = client.get("/sparql", query_string={"query": q}, headers={"Accept": JSON})
        assert r.status_code == 403, q
        assert "not allowed" in json.loads(r.data)["message"]
    time.sleep(0.3)
    assert listener.connections == 0


def test_service_allowlist_is_the_only_way_out(listener: Listener) -> None:
    """Positive control: the listener does see pyoxigraph's request once allow-listed."""
    url = f"http://127.0.0.1:{listener.port}/"
    app = make_app(synthetic_store(10), service_allowlist=(url,), query_timeout=5)
    try:
        r = app.test_client().get(
            "/sparql", query_string={"query": f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"}
        )
        assert r.status_code != 403
        deadline = time.monotonic() + 3
        while listener.connections == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert listener.connections >= 1
    finally:
        pool(app).close()


def test_from_names_only_local_graphs(sparql_app: Flask, listener: Listener) -> None:
    client = sparql_app.test_client()
    url = f"http://127.0.0.1:{listener.port}/data.ttl"
    for q in (
        f"SELECT * FROM <{url}> {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }",
    ):
        r = client.get("/sparql", query_string={"query": q}, headers={"Accept": JSON})
        assert r.status_code == 400
        assert "unknown graph" in json.loads(r.data)["message"]
    r = client.get("/sparql", query_string={"query": "ASK {}", "default-graph-uri": url})
    assert r.status_code == 400
    assert listener.connections == 0


def test_meta_and_report_graphs_are_reachable_with_graph(sparql_app: Flask) -> None:
    client = sparql_app.test_client()
    q = f"ASK {{ GRAPH <{BASE}graph/meta/survey> {{ ?s a ?t }} }}"
    assert json.loads(client.get("/sparql", query_string={"query": q}).data)["boolean"] is True
    q = f"ASK {{ <{BASE}graph/source/survey> ?p ?o }}"  # provenance is not in the default graph
    assert json.loads(client.get("/sparql", query_string={"query": q}).data)["boolean"] is False
    q = f"ASK FROM <{BASE}graph/meta/survey> {{ <{BASE}graph/source/survey> ?p ?o }}"
    assert json.loads(client.get("/sparql", query_string={"query": q}).data)["boolean"] is True


def test_worker_ends_itself_if_nobody_kills_it() -> None:
    """Second line of defence: a worker whose parent never kills it (parent gone, bug) ends
    itself a few seconds after the job's deadline (SIGALRM with its default action)."""
    from endpoint.sparql.job import Job
    from endpoint.sparql.pool import SELF_KILL_GRACE, WorkerKilled, memory_opener

    store = synthetic_store()
    workers = WorkerPool(memory_opener(store), 1, lambda: store.version)
    job = Job(COUNT_CARTESIAN, JSON, None, None, 10, timeout=1)
    started = time.monotonic()
    try:
        with pytest.raises(WorkerKilled) as info:
            workers.run(job, timeout=30, queue_wait=1)  # the parent would wait 30 s
        assert info.value.reason == "crash"
        assert time.monotonic() - started < 1 + SELF_KILL_GRACE + 1.5
    finally:
        workers.close()


def test_a_worker_out_of_memory_dies_alone() -> None:
    """C7: a memory-hungry query fails in its own worker (data segment capped), the server
    answers the next query with a fresh worker."""
    from endpoint.sparql.job import Job
    from endpoint.sparql.pool import WorkerKilled, memory_opener

    store = synthetic_store()
    workers = WorkerPool(memory_opener(store), 1, lambda: store.version, memory=64 << 20)
    hungry = (
        "SELECT (COUNT(DISTINCT ?x) AS ?n) { ?a ?b ?c . ?d ?e ?f "
        "BIND(CONCAT(STR(?a), STR(?d), STR(?c), STR(?f)) AS ?x) }"
    )
    try:
        with pytest.raises(WorkerKilled) as info:
            workers.run(Job(hungry, JSON, None, None, 10, timeout=60), timeout=60, queue_wait=1)
        assert info.value.reason == "crash"
        outcome, body = workers.run(
            Job("ASK { ?s ?p ?o }", JSON, None, None, 10, timeout=5), timeout=5, queue_wait=1
        )
        assert b"true" in b"".join(body)
    finally:
        workers.close()


def test_a_worker_is_replaced_after_its_quota_of_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long-lived fork is retired after MAX_JOBS_PER_WORKER queries (bounds slow leaks)."""
    from endpoint.sparql import pool as sparql_pool
    from endpoint.sparql.job import Job

    monkeypatch.setattr(sparql_pool, "MAX_JOBS_PER_WORKER", 3)
    store = synthetic_store()
    workers = WorkerPool(sparql_pool.memory_opener(store), 1, lambda: store.version)
    pids = []
    try:
        for _ in range(7):
            outcome, body = workers.run(
                Job("ASK { ?s ?p ?o }", JSON, None, None, 10, timeout=5), timeout=5, queue_wait=1
            )
            assert b"true" in b"".join(body)
            pids.append(workers._idle[0].pid)
    finally:
        workers.close()
    assert len(set(pids[:3])) == 1 and len(set(pids[3:6])) == 1 and pids[3] != pids[0]
    assert pids[6] != pids[3]
