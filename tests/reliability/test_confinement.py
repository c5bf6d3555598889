"""Query workers cannot open a network connection, whatever the query checks let through.

The query text checks refuse ``SERVICE`` to endpoints outside the allowlist; here they are
switched off on purpose, to show the second wall: each worker runs in an empty network
namespace under a seccomp filter (``riikg.confine``), so pyoxigraph's HTTP request for
``SERVICE`` fails inside the worker. A loopback listener of the test counts connections.
``riikg serve`` refuses to start when the confinement cannot be set up, unless told
``--allow-unconfined``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from endpoint.sparql.job import Job
from endpoint.sparql.pool import WorkerKilled, WorkerPool, memory_opener
from riikg import confine
from riikg.config import Settings
from riikg.confine import Confinement
from riikg.store.oxigraph import OxigraphStore
from tests.reliability.conftest import (
    DATA,
    ROOT,
    SERVER_SETTINGS,
    Served,
    build_store,
    child_env,
    free_port,
    stop_server,
)

#: switches off the query checks' SERVICE refusal, whatever module holds it now
NO_SERVICE_CHECK = (
    "import endpoint.sparql.routes as s, endpoint.sparql.guard as g\n"
    "s.check_services = g.check_services = lambda *a, **k: None\n"
)
#: replaces the confinement by one that fails, as on a host without namespaces or seccomp
NO_CONFINEMENT = (
    "import riikg.confine as c\n"
    "c.confine = lambda: c.Confinement(False, False, 'test: no namespaces, no seccomp')\n"
)
MAIN = "from riikg.cli import main\nmain()\n"


class Listener:
    """A loopback TCP listener that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port: int = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def service_query(port: int) -> str:
    return f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"


def in_child(body: Callable[[], list[str]]) -> list[str]:
    """Run ``body`` in a forked child; return the lines it reported."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        code = 0
        try:
            os.close(read_fd)
            os.write(write_fd, "\n".join(body()).encode())
        except BaseException as exc:
            os.write(write_fd, f"child failed: {exc!r}".encode())
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    out = b""
    while chunk := os.read(read_fd, 65536):
        out += chunk
    os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, out
    return out.decode().splitlines()


def attempt(what: str, action: Callable[[], object]) -> str:
    try:
        action()
    except OSError as exc:
        return f"{what}: refused {type(exc).__name__} errno={exc.errno}"
    return f"{what}: ok"


# ---- in a forked child -----------------------------------------------------------------------
def test_confined_child_cannot_reach_loopback_but_keeps_unix_sockets(listener: Listener) -> None:
    a, b = socket.socketpair()  # opened before the confinement, like the worker's channel

    def body() -> list[str]:
        state = confine.confine()

        def connect() -> None:
            with socket.create_connection(("127.0.0.1", listener.port), timeout=2):
                pass

        def pair() -> None:
            x, y = socket.socketpair()
            x.sendall(b"ping")
            assert y.recv(4) == b"ping"
            x.close()
            y.close()

        b.sendall(b"inherited")
        return [
            f"confined={state.confined} netns={state.netns} seccomp={state.seccomp}",
            attempt("connect", connect),
            attempt("inet", lambda: socket.socket(socket.AF_INET).close()),
            attempt("inet6", lambda: socket.socket(socket.AF_INET6).close()),
            attempt("netlink", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW).close()),
            attempt("unix", pair),
        ]

    lines = in_child(body)
    assert lines[0] == "confined=True netns=True seccomp=True", lines
    assert lines[1].startswith("connect: refused"), lines
    for family in ("inet", "inet6", "netlink"):
        line = next(x for x in lines if x.startswith(family + ":"))
        assert "PermissionError errno=1" in line, lines  # seccomp: EPERM
    assert "unix: ok" in lines, lines
    assert a.recv(64) == b"inherited"  # the inherited socketpair still carries data
    a.close()
    b.close()
    time.sleep(0.05)
    assert listener.accepted == 0


def test_each_layer_alone_blocks_the_network(listener: Listener) -> None:
    """The namespace stops connect() even with sockets allowed; seccomp stops socket()."""

    def netns_only() -> list[str]:
        assert confine._new_netns(confine._libc()) == ""
        sock = socket.socket(socket.AF_INET)  # allowed: no seccomp filter here
        sock.settimeout(2)
        return [attempt("connect", lambda: sock.connect(("127.0.0.1", listener.port)))]

    def seccomp_only() -> list[str]:
        assert confine._seccomp(confine._libc()) == ""
        return [attempt("inet", lambda: socket.socket(socket.AF_INET).close())]

    assert in_child(netns_only)[0].startswith("connect: refused"), "network namespace"
    assert in_child(seccomp_only)[0] == "inet: refused PermissionError errno=1", "seccomp"
    time.sleep(0.05)
    assert listener.accepted == 0


def test_probe_reports_confined() -> None:
    state = confine.probe()
    assert state.confined and state.netns and state.seccomp, state


def test_probe_notices_a_confinement_that_does_not_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """A layer that claims success but leaves loopback reachable is reported as unconfined."""
    monkeypatch.setattr(confine, "confine", lambda: Confinement(True, False))
    state = confine.probe()
    assert not state.confined and "loopback connection succeeded" in state.detail


# ---- the pool --------------------------------------------------------------------------------
def test_pool_reports_confinement_and_refuses_unconfined_workers_when_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = OxigraphStore.memory("http://localhost:8080/")
    job = Job("ASK {}", "application/sparql-results+json", None, None, 10)
    pool = WorkerPool(memory_opener(store), 1, lambda: 0)
    try:
        outcome, body = pool.run(job, timeout=10, queue_wait=1)
        assert b"true" in b"".join(body) and not outcome.error
        assert pool.confinement is not None and pool.confinement.confined
    finally:
        pool.close()

    monkeypatch.setattr(confine, "confine", lambda: Confinement(False, False, "test: none"))
    strict = WorkerPool(memory_opener(store), 1, lambda: 0)
    strict.require_confined = True
    with pytest.raises(WorkerKilled, match="cut off from the network"):
        strict.run(job, timeout=10, queue_wait=1)
    assert strict.confinement == Confinement(False, False, "test: none")
    lenient = WorkerPool(memory_opener(store), 1, lambda: 0)  # not required: serves
    try:
        outcome, body = lenient.run(job, timeout=10, queue_wait=1)
        assert b"true" in b"".join(body)
    finally:
        lenient.close()


# ---- through the app (memory store, workers forked from this process) ------------------------
def test_service_past_the_checks_fails_in_the_worker(
    client: FlaskClient, listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    import endpoint.sparql.guard
    import endpoint.sparql.routes

    def allow(*_args: object, **_kwargs: object) -> None:
        return None

    monkeypatch.setattr(endpoint.sparql.routes, "check_services", allow, raising=False)
    monkeypatch.setattr(endpoint.sparql.guard, "check_services", allow, raising=False)
    for _ in range(2):
        got = client.post("/sparql", data={"query": service_query(listener.port)})
        text = got.get_data(as_text=True)
        assert 400 <= got.status_code < 600, text
        assert "no network access" in text, text  # the worker's error, not the query checks'
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    time.sleep(0.05)
    assert listener.accepted == 0
    pool = client.application.extensions["riikg.sparql_pool"]
    assert pool.confinement is not None and pool.confinement.confined


# ---- through a real ``riikg serve`` (on-disk store, gunicorn) --------------------------------
@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("confined") / "store"
    done = build_store(path, DATA / "small.ttl")
    assert done.returncode == 0, done.stderr[-3000:]
    return path


def launch(
    prelude: str, store: Path, log: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    code = prelude + MAIN
    command = [sys.executable, "-c", code, "--store-path", str(store), "serve"]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [*command, "--port", str(port), "--workers", "1", *args],
            stdout=fh,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=child_env({**SERVER_SETTINGS, **(env or {})}),
        )
    return proc, port


def wait_served(proc: subprocess.Popen[bytes], port: int, store: Path, log: Path) -> Served:
    served = Served(port, store, proc, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            if served.health().status == 200:
                return served
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(served)
    raise AssertionError(f"no /health answer:\n{log.read_text()[-3000:]}")


@pytest.mark.slow
def test_served_service_past_the_checks_reaches_nothing(
    store_path: Path, tmp_path: Path, listener: Listener
) -> None:
    log = tmp_path / "serve.log"
    served = wait_served(*launch(NO_SERVICE_CHECK, store_path, log), store_path, log)
    try:
        got = served.request(
            "POST",
            "/sparql",
            service_query(listener.port).encode(),
            {"Content-Type": "application/sparql-query"},
        )
        assert 400 <= got.status < 600 and "no network access" in got.text(), got
        ok = served.request("GET", "/sparql?query=ASK%20%7B%7D", timeout=10)
        assert ok.status == 200, ok
        time.sleep(0.05)
        assert listener.accepted == 0
        assert served.alive()
    finally:
        stop_server(served)
    assert "query workers confined (network namespace + seccomp)" in log.read_text()


@pytest.mark.slow
def test_serve_refuses_to_start_unconfined(store_path: Path, tmp_path: Path) -> None:
    log = tmp_path / "refused.log"
    proc, port = launch(NO_CONFINEMENT, store_path, log)
    assert proc.wait(timeout=60) == 2
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    assert len(lines) == 1 and "--allow-unconfined" in lines[0], lines
    assert "cannot be cut off from the network" in lines[0]
    with socket.socket() as probe_sock:  # nothing was bound
        assert probe_sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.slow
@pytest.mark.parametrize("how", ["flag", "env"])
def test_serve_allow_unconfined_starts_with_a_warning(
    store_path: Path, tmp_path: Path, how: str
) -> None:
    log = tmp_path / "unconfined.log"
    args = ("--allow-unconfined",) if how == "flag" else ()
    env = {"RIIKG_ALLOW_UNCONFINED": "1"} if how == "env" else {}
    served = wait_served(*launch(NO_CONFINEMENT, store_path, log, *args, env=env), store_path, log)
    try:
        ok = served.request("GET", "/sparql?query=ASK%20%7B%7D", timeout=10)
        assert ok.status == 200, ok
    finally:
        stop_server(served)
    assert "WARNING: query workers are NOT cut off from the network" in log.read_text()


def test_a_service_allowlist_keeps_the_network_for_federation(
    settings: Settings, bundled_store: OxigraphStore
) -> None:
    """Federation is the operator's explicit choice: workers then keep network access;
    otherwise every worker must be confined unless the settings allow unconfined ones."""
    from endpoint import create_app
    from endpoint.sparql.executor import get_pool

    federating = settings.replace(service_allowlist=("http://127.0.0.1:9/",))
    lenient = settings.replace(allow_unconfined=True)
    cases = ((federating, True, True), (settings, False, True), (lenient, False, False))
    for conf, network, required in cases:
        app = create_app({"TESTING": True}, settings=conf, store=bundled_store)
        with app.app_context():
            pool = get_pool(bundled_store, conf)
        assert (pool.network, pool.require_confined) == (network, required)
