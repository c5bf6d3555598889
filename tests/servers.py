"""Real SPARQL servers on loopback for integration tests: the pytest fixtures.

The helpers themselves live in ``bench/servers.py`` and ``bench/virtuoso.py`` (shared with
the benchmarks; tests import bench, bench never imports tests) and are re-exported here for
the test modules::

    with start_oxigraph(tmp / "ox") as server:      # oxigraph serve, read-write
        server.query_url, server.update_url, server.gsp_url
    with start_virtuoso(tmp / "vt") as server:      # virtuoso-t with a throw-away database
        server.query_url, server.update_url, server.gsp_url, server.auth_url

Fixtures (session scope, started once): ``oxigraph_server`` and ``virtuoso_server`` yield a
:class:`RunningServer`. They call ``require_tool`` so that in CI (``CI=true``) a missing
program fails the tests instead of skipping them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.servers import (
    VIRTUOSO_DBA_PASSWORD,
    VIRTUOSO_DBA_USER,
    RunningServer,
    free_port,
    oxigraph_program,
    start_oxigraph,
)
from bench.virtuoso import start_virtuoso

__all__ = [
    "VIRTUOSO_DBA_PASSWORD",
    "VIRTUOSO_DBA_USER",
    "RunningServer",
    "free_port",
    "oxigraph_program",
    "oxigraph_server",
    "start_oxigraph",
    "start_virtuoso",
    "virtuoso_server",
]


# ---- pytest fixtures --------------------------------------------------------------------


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One read-write ``oxigraph serve`` for the session (tests clean up their own graphs)."""
    from tests.conftest import require_tool

    if oxigraph_program() is None:
        require_tool("oxigraph", "remote-store tests against oxigraph serve")
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-server") / "data")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One Virtuoso with a throw-away database for the session."""
    from tests.conftest import require_tool

    require_tool("virtuoso-t", "remote-store tests against Virtuoso")
    require_tool("isql-vt", "granting update rights in the test Virtuoso")
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-server"))
    try:
        yield server
    finally:
        server.stop()
