"""The public endpoint reaches every backend through the store protocol: ``/sparql`` takes
its executor from what the store says (``Store.worker_opener``) and every answer comes from
``Store.public_query``, with the same row cap, default graph and syntax errors on every
backend (memory, disk, ``oxigraph serve``, Virtuoso)."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from endpoint.sparql.executor import InProcess, InWorkers, get_executor
from endpoint.state import get_settings
from riikg.config import Settings, StoreKind
from riikg.store import QueryFailed, QueryRequest, ResultFormat, Store
from tests.store.test_contract import EX, fill

ROOT = Path(__file__).resolve().parents[2]
JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


@pytest.fixture()
def app(any_store: Store) -> Iterator[Flask]:
    from endpoint import create_app

    fill(any_store)
    settings = Settings(base_iri=any_store.base, store=StoreKind.MEMORY, max_rows=2)
    app = create_app({"TESTING": True}, settings=settings, store=any_store)
    yield app
    pool = app.extensions.get("riikg.sparql_pool")
    if pool is not None:
        pool.close()


def test_sparql_answers_through_the_executor_the_store_chose(app: Flask, any_store: Store) -> None:
    client = app.test_client()
    r = client.get(
        "/sparql",
        query_string={"query": f"SELECT ?s ?l WHERE {{ ?s <{EX}label> ?l }}"},
        headers={"Accept": JSON},
    )
    assert r.status_code == 200, r.data
    assert r.headers["X-Result-Truncated"] == "true"  # three labels in the source graphs
    assert len(json.loads(r.data)["results"]["bindings"]) == 2
    with app.app_context():
        executor = get_executor(any_store, get_settings())
    if any_store.worker_opener() is None:
        assert isinstance(executor, InProcess) and executor.store is any_store
        assert "riikg.sparql_pool" not in app.extensions
    else:
        assert isinstance(executor, InWorkers)
        assert executor.pool is app.extensions["riikg.sparql_pool"]


def test_public_query_caps_rows_and_triples_alike_on_every_backend(any_store: Store) -> None:
    fill(any_store)
    select = f"SELECT ?s WHERE {{ ?s <{EX}label> ?l }} LIMIT 3"
    capped = any_store.public_query(QueryRequest(select, JSON, max_rows=2))
    assert capped.truncated
    assert len(json.loads(capped.body)["results"]["bindings"]) == 2
    whole = any_store.public_query(QueryRequest(select, JSON, max_rows=3))
    assert not whole.truncated
    assert len(json.loads(whole.body)["results"]["bindings"]) == 3
    construct = f"CONSTRUCT {{ ?s <{EX}label> ?l }} WHERE {{ ?s <{EX}label> ?l }} LIMIT 3"
    triples = any_store.public_query(QueryRequest(construct, TURTLE, max_rows=1))
    assert triples.truncated and triples.body.count(f"<{EX}label>".encode()) <= 1
    tsv = any_store.public_query(QueryRequest(select, ResultFormat.TSV, max_rows=1))
    assert tsv.truncated and len(tsv.body.decode().splitlines()) == 2
    ask = any_store.public_query(QueryRequest(f"ASK {{ ?s <{EX}label> ?l }}", JSON, max_rows=0))
    assert not ask.truncated and json.loads(ask.body)["boolean"] is True


def test_syntax_errors_point_into_the_users_own_text(any_store: Store) -> None:
    """The text that runs carries a LIMIT (and, on a server, a BASE) the user never wrote;
    the message reports the position in what the user wrote, on every backend."""
    original = "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(\n}"
    request = QueryRequest(original + " LIMIT 3", JSON, max_rows=2, original=original)
    # line 4, column 2 of the user's text: where the FILTER's expression should start
    with pytest.raises(QueryFailed, match="query syntax error: error at 4:2:"):
        any_store.public_query(request)


def test_the_endpoint_names_no_backend() -> None:
    """No backend switch outside riikg/store: the web layer imports no backend class."""
    for path in sorted((ROOT / "endpoint").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("riikg.store.oxigraph", "riikg.store.remote")), (
                    f"{path.relative_to(ROOT)} imports {node.module}"
                )
            if isinstance(node, ast.Name):
                assert node.id not in ("OxigraphStore", "RemoteStore"), path
