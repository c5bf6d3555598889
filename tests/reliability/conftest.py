"""Fixtures of the reliability tests: an outbound-connection detector and a real server.

* ``outbound``: a loopback listener (hostile inputs point their URLs at it) plus a
  ``sys.addaudithook`` that records ``socket.connect`` to non-loopback addresses or to the
  listener (docs/security.md T1). Child processes cannot be hooked; the listener catches them.
* ``served``: ``riikg load`` of ``data/small.ttl`` into an on-disk store, then
  ``riikg serve`` (gunicorn) on a free port, as a real subprocess, with a short query
  deadline, a small row cap and a low per-client limit so the tests stay fast.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
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

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
RIIKG = [sys.executable, "-c", "from riikg.cli import main; main()"]
SERVER_SETTINGS = {
    "RIIKG_QUERY_TIMEOUT": "3",
    "RIIKG_QUERY_TIMEOUT_MAX": "5",
    "RIIKG_MAX_ROWS": "50",
    "RIIKG_MAX_CONCURRENT_PER_CLIENT": "2",
    "RIIKG_SPARQL_WORKERS": "2",
}


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for riikg subprocesses: the checkout importable, no RIIKG_* leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIIKG_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra or {})
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


# ---- a real riikg server -------------------------------------------------------------------
@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Served:
    """A ``riikg serve`` subprocess over an on-disk store."""

    port: int
    store_path: Path
    proc: subprocess.Popen[bytes]
    log: Path
    log_file: Any = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        t = time.monotonic()
        try:
            try:
                conn.request(method, path, body=body, headers=headers or {})
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered (e.g. 413) and closed before the body was sent
            resp = conn.getresponse()
            data = resp.read()
            return Response(
                resp.status,
                {k.lower(): v for k, v in resp.getheaders()},
                data,
                time.monotonic() - t,
            )
        finally:
            conn.close()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def worker_pids(self) -> set[int]:
        """gunicorn worker processes (direct children of the master)."""
        pids = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.proc.pid:
                pids.add(int(entry.name))
        return pids

    def crash_lines(self) -> list[str]:
        """gunicorn's reports of workers killed by a signal or exiting abnormally."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        keys = ("SIGSEGV", "SIGABRT", "signal 11", "signal 6", "code 139", "code 134", "SIGKILL")
        return [line for line in text.splitlines() if any(k in line for k in keys)]

    def health(self) -> Response:
        return self.request("GET", "/health", timeout=5)

    def store_state(self) -> tuple[int, int]:
        """(quads, version) of the published snapshot, read in this process."""
        from riikg.store.oxigraph import OxigraphStore

        store = OxigraphStore.open_reader("http://localhost:8080/", self.store_path)
        try:
            return store.count(), store.version
        finally:
            store.close()


def build_store(store_path: Path, *sources: Path) -> subprocess.CompletedProcess[str]:
    """``riikg load`` the given files into an on-disk store."""
    return subprocess.run(
        [*RIIKG, "--store-path", str(store_path), "load", *map(str, sources)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(),
        timeout=300,
        check=False,
    )


def start_server(store_path: Path, log: Path, settings: dict[str, str], workers: int = 2) -> Served:
    port = free_port()
    fh = open(log, "wb")  # noqa: SIM115 - closed by stop_server
    proc = subprocess.Popen(
        [*RIIKG, "--store-path", str(store_path), "serve", "--port", str(port)]
        + ["--workers", str(workers)],
        stdout=fh,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        env=child_env(settings),
    )
    served = Served(port, store_path, proc, log, fh)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            stop_server(served)
            raise RuntimeError(f"riikg serve exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if served.health().status == 200:
                return served
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(served)
    raise RuntimeError(f"riikg serve did not answer /health:\n{log.read_text()[-3000:]}")


def stop_server(served: Served) -> None:
    if served.proc.poll() is None:
        served.proc.terminate()
        try:
            served.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            served.proc.kill()
            served.proc.wait(timeout=10)
    if served.log_file is not None:
        served.log_file.close()


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("served")
    store_path = work / "store"
    done = build_store(store_path, DATA / "small.ttl")
    if done.returncode != 0:
        pytest.fail(f"riikg load of small.ttl failed ({done.returncode}):\n{done.stderr[-3000:]}")
    server = start_server(store_path, work / "server.log", SERVER_SETTINGS)
    yield server
    stop_server(server)
