"""Fixtures of the store contract suite: one fresh, empty store per test, on every backend.

``any_store`` is parametrized over ``memory``, ``disk`` (writer + read-only reader on
``tmp_path``), ``oxigraph-server`` (``oxigraph serve``, writes through SPARQL Update) and
``virtuoso`` (writes through the Graph Store Protocol + one MOVE update). Server-backed
stores get a fresh base IRI per test, so tests share one server without seeing each other.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from riikg.store.base import RdfFormat, ResultFormat, Row, Store, Term
from riikg.store.oxigraph import OxigraphStore
from riikg.store.remote import RemoteStore
from tests.servers import RunningServer

BACKENDS = ["memory", "disk", "oxigraph-server", "virtuoso"]
_counter = itertools.count(1)


def fresh_base() -> str:
    return f"http://example.org/riikg-test/{next(_counter)}/"


class DiskPair:
    """The on-disk embedded store as the server uses it: writes through the writer (master
    plus published snapshot), reads through a read-only reader of the published snapshot."""

    def __init__(self, base: str, root: Path) -> None:
        self.base = base
        self.writer = OxigraphStore.open_writer(base, root)
        self.reader = OxigraphStore.open_reader(base, root)

    def select(self, query: str, **bindings: Term) -> list[Row]:
        return self.reader.select(query, **bindings)

    def ask(self, query: str, **bindings: Term) -> bool:
        return self.reader.ask(query, **bindings)

    def construct(self, query: str, **bindings: Term) -> list[ox.Triple]:
        return self.reader.construct(query, **bindings)

    def query_raw(
        self,
        query: str,
        media_type: ResultFormat | RdfFormat,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        return self.reader.query_raw(
            query,
            media_type,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            timeout=timeout,
        )

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Triple] | None]) -> int:
        return self.writer.replace_graphs(graphs)

    def named_graphs(self) -> list[str]:
        return self.reader.named_graphs()

    def source_graphs(self) -> list[str]:
        return self.reader.source_graphs()

    def count(self, graph: str | None = None) -> int:
        return self.reader.count(graph)

    def dump(self, graph: str, media_type: RdfFormat) -> bytes:
        return self.reader.dump(graph, media_type)

    @property
    def version(self) -> int:
        return self.reader.version

    @property
    def modified(self) -> datetime | None:
        return self.reader.modified

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


def remote_store(server: RunningServer, *, gsp: bool, base: str | None = None) -> RemoteStore:
    """A store on ``server`` under a fresh base IRI (Virtuoso writes as dba)."""
    return server.remote_store(base or fresh_base(), gsp=gsp, timeout=30)


@pytest.fixture(params=BACKENDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store on one backend (the id names the backend)."""
    kind = request.param
    store: Store
    if kind == "memory":
        store = OxigraphStore.memory(fresh_base())
    elif kind == "disk":
        store = DiskPair(fresh_base(), tmp_path / "store")
    elif kind == "oxigraph-server":
        store = remote_store(request.getfixturevalue("oxigraph_server"), gsp=False)
    else:
        store = remote_store(request.getfixturevalue("virtuoso_server"), gsp=True)
    assert isinstance(store, Store)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=["oxigraph-server", "virtuoso"])
def server(request: pytest.FixtureRequest) -> RunningServer:
    """Each real server in turn."""
    name = "oxigraph_server" if request.param == "oxigraph-server" else "virtuoso_server"
    value: RunningServer = request.getfixturevalue(name)
    return value
