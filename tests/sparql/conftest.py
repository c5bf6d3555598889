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


@pytest.fixture(params=["embedded", "virtuoso", "oxigraph-server"])
def backend(request: pytest.FixtureRequest, sparql_app: Flask) -> Iterator[Backend]:
    """The protocol tests run over the embedded store and over real remote servers."""
    if request.param == "embedded":
        with sparql_app.test_client() as c:
            yield Backend("embedded", c, get_app_store(sparql_app))
        return
    fixture = "virtuoso_sparql_app" if request.param == "virtuoso" else "oxigraph_sparql_app"
    app = request.getfixturevalue(fixture)
    with app.test_client() as c:
        yield Backend(request.param, c, get_app_store(app))


def get_app_store(app: Flask) -> Store:
    store: Store = app.extensions["riikg"]["store"]
    return store


@pytest.fixture(scope="session")
def virtuoso_sparql_app(request: pytest.FixtureRequest) -> Flask:
    return _remote_app(request.getfixturevalue("virtuoso_server"))


@pytest.fixture(scope="session")
def oxigraph_sparql_app(request: pytest.FixtureRequest) -> Flask:
    return _remote_app(request.getfixturevalue("oxigraph_server"))


def _writer(server: RunningServer, base: str) -> Store:
    """A store that may write to ``server`` (Virtuoso's write endpoints need dba)."""
    from riikg.store.remote import RemoteStore
    from tests.servers import VIRTUOSO_DBA_PASSWORD, VIRTUOSO_DBA_USER

    virtuoso = server.name == "virtuoso"
    return RemoteStore(
        base,
        server.query_url,
        server.update_url,
        server.gsp_url,
        timeout=30,
        user=VIRTUOSO_DBA_USER if virtuoso else "",
        password=VIRTUOSO_DBA_PASSWORD if virtuoso else "",
    )


def _remote_app(server: RunningServer) -> Flask:
    """The app over a real server holding the sample graphs (loaded with replace_graphs)."""
    from endpoint import create_app
    from riikg.store.remote import RemoteStore

    _writer(server, BASE).replace_graphs(sample_graphs())
    # the endpoint reads as the public does: no credentials
    store = RemoteStore(BASE, server.query_url, timeout=30)
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
