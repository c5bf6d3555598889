"""Fixtures of the reliability tests: an outbound-connection detector and a real server.

* ``outbound``: a loopback listener (hostile inputs point their URLs at it) plus a
  ``sys.addaudithook`` that records ``socket.connect`` to non-loopback addresses or to the
  listener (docs/security.md T1). Child processes cannot be hooked; the listener catches them.
* ``served``: ``riikg load`` of ``data/small.ttl`` into an on-disk store, then
  ``riikg serve`` (gunicorn) on a free port, as a real subprocess, with a short query
  deadline, a small row cap and a low per-client limit so the tests stay fast.
"""

from __future__ import annotations

import ipaddress
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bench.servers import (
    RIIKG,
    ROOT,
    Response,
    child_env,
    free_port,
    riikg_cli,
    start_riikg,
)
from bench.servers import RiikgServer as Served

DATA = Path(__file__).parent / "data"
SERVER_SETTINGS = {
    "RIIKG_QUERY_TIMEOUT": "3",
    "RIIKG_QUERY_TIMEOUT_MAX": "5",
    "RIIKG_MAX_ROWS": "50",
    "RIIKG_MAX_CONCURRENT_PER_CLIENT": "2",
    "RIIKG_SPARQL_WORKERS": "2",
}
#: the test modules import these from here (they live in ``bench/servers.py``)
__all__ = ["RIIKG", "ROOT", "Response", "Served", "child_env", "free_port"]
stop_server = Served.stop


# ---- outbound detection --------------------------------------------------------------------
@dataclass
class Outbound:
    """What left (or tried to leave) the process during one test."""

    port: int
    connects: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    recording: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def reset(self) -> None:
        self.connects.clear()
        self.accepted.clear()

    def assert_none(self, what: str = "") -> None:
        time.sleep(0.05)  # let the listener thread record a late connection
        assert self.connects == [], f"{what}: outbound connect(s) {self.connects}"
        assert self.accepted == [], f"{what}: the listener was contacted {self.accepted}"


_OUTBOUND: Outbound | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    state = _OUTBOUND
    if state is None or not state.recording or event != "socket.connect":
        return
    address = args[1]
    if not isinstance(address, tuple) or len(address) < 2:
        return
    host, port = str(address[0]), address[1]
    try:
        loopback = ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback or port == state.port:
        state.connects.append(f"{host}:{port}")


@pytest.fixture(scope="session")
def _outbound_session() -> Iterator[Outbound]:
    global _OUTBOUND
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    state = Outbound(port=listener.getsockname()[1])
    _OUTBOUND = state
    sys.addaudithook(_audit)  # cannot be removed; it only records while ``recording``

    def accept() -> None:
        while True:
            try:
                conn, peer = listener.accept()
            except OSError:
                return
            state.accepted.append(f"{peer[0]}:{peer[1]}")
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    yield state
    listener.close()
    _OUTBOUND = None


@pytest.fixture()
def outbound(_outbound_session: Outbound) -> Iterator[Outbound]:
    _outbound_session.reset()
    _outbound_session.recording = True
    try:
        yield _outbound_session
    finally:
        _outbound_session.recording = False


# ---- a real riikg server (helpers in bench/servers.py) -------------------------------------
def build_store(store_path: Path, *sources: Path) -> subprocess.CompletedProcess[str]:
    """``riikg load`` the given files into an on-disk store."""
    return riikg_cli(store_path, "load", *map(str, sources), timeout=300)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("served")
    store_path = work / "store"
    done = build_store(store_path, DATA / "small.ttl")
    if done.returncode != 0:
        pytest.fail(f"riikg load of small.ttl failed ({done.returncode}):\n{done.stderr[-3000:]}")
    with start_riikg(store_path, work / "server.log", SERVER_SETTINGS) as server:
        yield server
