"""Fixtures for the SPARQL endpoint tests: a small dataset (data/sample.trig) and apps on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from riikg.config import Settings, StoreKind
from riikg.store.oxigraph import OxigraphStore

DATA = Path(__file__).parent / "data"
BASE = "http://localhost:8080/"


def sample_graphs() -> dict[str, list[ox.Triple]]:
    """The graphs of ``sample.trig`` as {graph IRI: triples}."""
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(path=str(DATA / "sample.trig"), format=ox.RdfFormat.TRIG):
        assert isinstance(quad.graph_name, ox.NamedNode)
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    return graphs


def make_app(store: OxigraphStore, **overrides: object) -> Flask:
    from endpoint import create_app

    settings = Settings(base_iri=BASE, store=StoreKind.MEMORY).replace(**overrides)
    return create_app({"TESTING": True}, settings=settings, store=store)


@pytest.fixture(scope="session")
def sample_store() -> OxigraphStore:
    store = OxigraphStore.memory(BASE)
    store.replace_graphs(sample_graphs())
    return store


@pytest.fixture(scope="session")
def sparql_app(sample_store: OxigraphStore) -> Iterator[Flask]:
    app = make_app(sample_store, max_rows=5, query_timeout=10)
    yield app
    pool = app.extensions.get("riikg.sparql_pool")
    if pool is not None:
        pool.close()


@pytest.fixture()
def sc(sparql_app: Flask) -> Iterator[FlaskClient]:
    with sparql_app.test_client() as c:
        yield c
