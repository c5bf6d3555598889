"""The /sparql response cache (endpoint/sparql/result_cache.py): identical requests at the same data
version are answered from memory; anything that changes the answer misses."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask

from endpoint.sparql.executor import execute
from endpoint.sparql.result_cache import CACHEABLE, ResultCache
from endpoint.state import RESULT_CACHE
from riikg.store.oxigraph import OxigraphStore
from tests.sparql.conftest import BASE, make_app, sample_graphs
from tests.sparql.helpers import Backend

JSON = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"


@pytest.fixture()
def store() -> OxigraphStore:
    s = OxigraphStore.memory(BASE)
    s.replace_graphs(sample_graphs())
    return s


@pytest.fixture()
def app(store: OxigraphStore) -> Iterator[Flask]:
    app = make_app(store)
    yield app
    pool = app.extensions.get("riikg.sparql_pool")
    if pool is not None:
        pool.close()


@pytest.fixture()
def runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every query the view hands to the store (the cache must spare these)."""
    seen: list[str] = []

    def counting(store: Any, settings: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(query)
        return execute(store, settings, query, *args, **kwargs)

    monkeypatch.setattr("endpoint.sparql.routes.execute", counting)
    return seen


def count(data: bytes) -> int:
    return int(json.loads(data)["results"]["bindings"][0]["n"]["value"])


def test_identical_get_is_answered_from_memory(app: Flask, runs: list[str]) -> None:
    c = app.test_client()
    first = c.get("/sparql", query_string={"query": COUNT}, headers={"Accept": JSON})
    assert first.status_code == 200 and count(first.data) > 0  # kept once sent completely
    second = c.get("/sparql", query_string={"query": COUNT}, headers={"Accept": JSON})
    assert second.status_code == 200
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert second.data == first.data and count(second.data) > 0
    assert second.headers["Content-Length"] == str(len(first.data))
    assert int(second.headers["Age"]) >= 0
    for header in ("Content-Type", "ETag", "Last-Modified", "Access-Control-Allow-Origin", "Vary"):
        assert second.headers[header] == first.headers[header], header
    assert len(runs) == 1
    assert app.extensions[RESULT_CACHE].hits == 1


def test_identical_post_is_answered_from_memory(app: Flask, runs: list[str]) -> None:
    c = app.test_client()
    for _ in range(3):
        r = c.post("/sparql", data={"query": COUNT}, content_type=FORM, headers={"Accept": JSON})
        assert r.status_code == 200 and count(r.data) > 0
    assert r.headers["X-Cache"] == "hit"
    assert len(runs) == 1


def test_a_data_change_is_never_hidden(app: Flask, store: OxigraphStore, runs: list[str]) -> None:
    c = app.test_client()
    before = count(c.get("/sparql", query_string={"query": COUNT}).data)
    extra = f"{BASE}graph/source/extra"
    store.replace_graphs(
        {
            extra: [
                ox.Triple(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"), ox.Literal("1"))
            ]
        }
    )
    r = c.get("/sparql", query_string={"query": COUNT})
    assert r.headers["X-Cache"] == "miss"
    assert count(r.data) == before + 1
    assert len(runs) == 2


@pytest.mark.parametrize(
    "change",
    [
        {"headers": {"Accept": "text/csv"}},
        {"query_string": {"query": COUNT + " # another text"}},
        {"query_string": {"query": COUNT, "timeout": "5"}},
    ],
)
def test_what_changes_the_answer_misses(
    app: Flask, runs: list[str], change: dict[str, Any]
) -> None:
    c = app.test_client()
    assert c.get("/sparql", query_string={"query": COUNT}, headers={"Accept": JSON}).data
    kwargs: dict[str, Any] = {"query_string": {"query": COUNT}, "headers": {"Accept": JSON}}
    kwargs.update(change)
    r = c.get("/sparql", **kwargs)
    assert r.status_code == 200 and r.headers["X-Cache"] == "miss"
    assert len(runs) == 2


@pytest.mark.parametrize("call", ["NOW()", "RAND()", "STRUUID()", "UUID()", "BNODE()"])
def test_volatile_functions_are_not_kept(app: Flask, runs: list[str], call: str) -> None:
    c = app.test_client()
    query = f"SELECT ?v {{ BIND({call} AS ?v) }}"
    for _ in range(2):
        r = c.get("/sparql", query_string={"query": query})
        assert r.status_code == 200 and r.headers["X-Cache"] == "miss"
    assert len(runs) == 2


def test_errors_are_not_kept(app: Flask) -> None:
    c = app.test_client()
    for _ in range(2):
        r = c.get("/sparql", query_string={"query": "SELECT * { ?s ?p }"})
        assert r.status_code == 400 and r.headers["X-Cache"] == "miss"
    assert len(app.extensions[RESULT_CACHE]) == 0


def test_conditional_request_is_answered_by_the_application(app: Flask) -> None:
    c = app.test_client()
    first = c.get("/sparql", query_string={"query": COUNT})
    assert first.data
    r = c.get(
        "/sparql", query_string={"query": COUNT}, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert r.status_code == 304 and "X-Cache" not in r.headers


def test_turned_off(store: OxigraphStore, runs: list[str]) -> None:
    app = make_app(store, result_cache_mb=0)
    c = app.test_client()
    for _ in range(2):
        r = c.get("/sparql", query_string={"query": COUNT})
        assert r.status_code == 200 and "X-Cache" not in r.headers
    assert len(runs) == 2 and RESULT_CACHE not in app.extensions
    app.extensions["riikg.sparql_pool"].close()


# ---- the middleware on its own ------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Toy:
    """A WSGI application answering ``size`` bytes per request, in ``chunks`` parts."""

    def __init__(self, size: int = 10, chunks: int = 1, cacheable: bool = True) -> None:
        self.size, self.chunks, self.cacheable = size, chunks, cacheable
        self.calls = 0
        self.closed = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.calls += 1
        environ[CACHEABLE] = self.cacheable
        start_response("200 OK", [("Content-Type", "text/plain"), ("Date", "now")])
        part = self.size // self.chunks
        body = [bytes([65 + self.calls % 26]) * part for _ in range(self.chunks)]
        toy = self

        class Closing(list[bytes]):
            def close(self) -> None:
                toy.closed += 1

        return Closing(body)


def call(
    app: Any, query: str = "q=1", method: str = "GET", body: bytes = b""
) -> tuple[str, dict[str, str], bytes]:
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        got["status"], got["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/sparql",
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    result = app(environ, start_response)
    data = b"".join(result)
    getattr(result, "close", lambda: None)()
    return got["status"], got["headers"], data


def cache(
    toy: Toy, clock: Clock | None = None, max_bytes: int = 1000, ttl: float = 300
) -> ResultCache:
    return ResultCache(
        toy, lambda: 1, max_bytes=max_bytes, ttl=ttl, max_body=100, clock=clock or Clock()
    )


def test_entries_expire_after_the_ttl() -> None:
    clock, toy = Clock(), Toy()
    mw = cache(toy, clock, ttl=300)
    call(mw)
    clock.now = 299
    assert call(mw)[1]["Age"] == "299" and toy.calls == 1
    clock.now = 301
    assert call(mw)[1]["X-Cache"] == "miss" and toy.calls == 2


def test_memory_is_bounded_least_recently_used_first() -> None:
    toy = Toy(size=100)
    mw = cache(toy, max_bytes=250)
    call(mw, "q=1"), call(mw, "q=2"), call(mw, "q=1"), call(mw, "q=3")  # q=2 goes
    assert mw.size <= 250 and len(mw) == 2
    assert call(mw, "q=1")[1]["X-Cache"] == "hit"
    assert call(mw, "q=2")[1]["X-Cache"] == "miss"


def test_large_answers_stream_and_are_not_kept() -> None:
    toy = Toy(size=400, chunks=4)
    mw = cache(toy)
    status, headers, data = call(mw)
    assert len(data) == 400 and headers["X-Cache"] == "miss" and len(mw) == 0
    assert toy.closed == 1


def test_post_body_is_part_of_the_key_and_reaches_the_application() -> None:
    seen: list[bytes] = []
    toy = Toy()

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        seen.append(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
        return toy(environ, start_response)

    mw = cache(app)  # type: ignore[arg-type]
    call(mw, "", "POST", b"query=1"), call(mw, "", "POST", b"query=2")
    assert call(mw, "", "POST", b"query=1")[1]["X-Cache"] == "hit"
    assert seen == [b"query=1", b"query=2"]


def test_unmarked_answers_and_other_paths_are_not_kept() -> None:
    toy = Toy(cacheable=False)
    mw = cache(toy)
    call(mw), call(mw)
    assert toy.calls == 2 and len(mw) == 0
    marked = Toy()
    mw = cache(marked)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/other", "QUERY_STRING": ""}
    for _ in range(2):
        list(mw(environ, lambda *a: None))
    assert marked.calls == 2 and len(mw) == 0


def test_the_service_description_says_so(app: Flask, store: OxigraphStore) -> None:
    on = app.test_client().get("/sparql", headers={"Accept": "text/turtle"})
    assert on.status_code == 200 and b"X-Cache: hit" in on.data
    off_app = make_app(store, result_cache_mb=0)
    off = off_app.test_client().get("/sparql", headers={"Accept": "text/turtle"})
    assert off.status_code == 200 and b"X-Cache" not in off.data


def test_every_backend_answers_a_repeat_from_memory(backend: Backend) -> None:
    """Embedded store, Virtuoso and oxigraph serve: the repeat is byte-identical and is not
    sent to the store again."""
    query = f"SELECT ?p ?o {{ <{BASE}id/infrastructure/mechlav> ?p ?o }} # cache {backend.name}"
    first = backend.client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    assert first.status_code == 200 and first.data  # kept once sent completely
    app = backend.client.application
    before = app.extensions[RESULT_CACHE].hits
    again = backend.client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
    assert again.status_code == 200 and again.headers["X-Cache"] == "hit"
    assert again.data == first.data
    assert len(json.loads(again.data)["results"]["bindings"]) > 0
    assert app.extensions[RESULT_CACHE].hits == before + 1
