"""Fixtures of the store contract suite: one fresh, empty store per test, on every backend.

``any_store`` is parametrized over ``memory``, ``disk`` (writer + read-only reader on
``tmp_path``), ``oxigraph-server`` (``oxigraph serve``, writes through SPARQL Update) and
``virtuoso`` (writes through the Graph Store Protocol + one MOVE update). Server-backed
stores get a fresh base IRI per test, so tests share one server without seeing each other.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
import pytest

from riikg.store.base import Store
from riikg.store.oxigraph import OxigraphStore
from riikg.store.remote import RemoteStore
from tests.servers import RunningServer

BACKENDS = ["memory", "disk", "oxigraph-server", "virtuoso"]
_counter = itertools.count(1)


def fresh_base() -> str:
    return f"http://example.org/riikg-test/{next(_counter)}/"


class DiskPair(OxigraphStore):
    """The on-disk embedded store as the server uses it: writes through the writer (master
    plus published snapshot), everything else through a read-only reader of the published
    snapshot (this store)."""

    writer: OxigraphStore

    @classmethod
    def open(cls, base: str, root: Path) -> DiskPair:
        writer = OxigraphStore.open_writer(base, root)
        pair = cls.open_reader(base, root)
        pair.writer = writer
        return pair

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Triple] | None]) -> int:
        return self.writer.replace_graphs(graphs)

    def close(self) -> None:
        super().close()
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
        store = DiskPair.open(fresh_base(), tmp_path / "store")
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
