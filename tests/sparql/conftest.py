"""Fixtures for the SPARQL endpoint tests: a small dataset (data/sample.trig) and apps on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from riikg.config import Settings, StoreKind
from riikg.store import Store
from riikg.store.oxigraph import OxigraphStore
from tests.servers import RunningServer
from tests.sparql.helpers import Backend, Listener

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


@pytest.fixture(params=["embedded", "virtuoso"])
def backend(request: pytest.FixtureRequest, sparql_app: Flask) -> Iterator[Backend]:
    """The protocol tests run over the embedded store and over a real Virtuoso."""
    if request.param == "embedded":
        with sparql_app.test_client() as c:
            yield Backend("embedded", c, get_app_store(sparql_app))
        return
    app = request.getfixturevalue("virtuoso_sparql_app")
    with app.test_client() as c:
        yield Backend("virtuoso", c, get_app_store(app))


def get_app_store(app: Flask) -> Store:
    store: Store = app.extensions["riikg"]["store"]
    return store


@pytest.fixture(scope="session")
def virtuoso_sparql_app(request: pytest.FixtureRequest) -> Flask:
    try:
        from riikg.store.remote import RemoteStore  # noqa: F401
    except ImportError:
        pytest.skip("riikg.store.remote is not written yet")
    try:
        server = request.getfixturevalue("virtuoso_server")
    except pytest.FixtureLookupError:
        pytest.skip("tests/servers.py has no virtuoso_server fixture yet")
    return _virtuoso_app(server)


def _virtuoso_app(server: RunningServer) -> Flask:
    """The app over a real Virtuoso holding the sample graphs (loaded with replace_graphs)."""
    from endpoint import create_app
    from riikg.store.remote import RemoteStore

    store = RemoteStore(BASE, server.query_url, server.update_url, server.gsp_url, timeout=30)
    store.replace_graphs(sample_graphs())
    settings = Settings(
        base_iri=BASE,
        store=StoreKind.REMOTE,
        remote_query_url=server.query_url,
        max_rows=5,
        query_timeout=10,
    )
    return create_app({"TESTING": True}, settings=settings, store=store)


@pytest.fixture()
def listener() -> Iterator[Listener]:
    """A loopback TCP listener counting the connections it receives (outbound detector)."""
    lst = Listener()
    yield lst
    lst.close()
