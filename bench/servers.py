"""Real servers on loopback, for the benchmarks and the tests: ``oxigraph serve`` and
``riikg serve`` (Virtuoso: ``bench/virtuoso.py``), each on a free port, waited for, and
stopped (SIGTERM, then SIGKILL).

Import direction: ``tests`` imports this module (``tests/servers.py`` adds the pytest fixtures
and re-exports these names; ``tests/reliability/conftest.py`` and
``tests/sparql/test_gunicorn.py`` start ``riikg serve`` with :func:`start_riikg`); ``bench``
never imports ``tests``. The product packages (``riikg``, ``loaders``, ``endpoint``) import
neither. Nothing here needs pytest.

::

    with start_oxigraph(tmp / "ox") as server:      # oxigraph serve, read-write
        server.query_url, server.update_url, server.gsp_url
    with start_riikg(store, log, {"RIIKG_QUERY_TIMEOUT": "3"}) as served:   # gunicorn
        served.request("GET", "/health").status

:class:`RunningServer` (SPARQL servers) and :class:`RiikgServer` are context managers;
``stop()`` is idempotent; ``RunningServer.kill()`` stops abruptly and keeps the data. The
process helpers they are built on (:func:`free_port`, :func:`child_env`,
:func:`stop_process`, :func:`tree_memory`...) live in :mod:`bench.processes`.
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from bench.processes import (
    RIIKG,
    ROOT,
    child_env,
    child_pids,
    free_port,
    log_tail,
    process_tree,
    riikg_cli,
    run_python,
    stop_process,
    tree_memory,
)

if TYPE_CHECKING:
    from riikg.store.remote import RemoteStore

#: the helpers of :mod:`bench.processes` stay importable from here, as they always were
__all__ = [
    "RIIKG",
    "ROOT",
    "STARTUP_TIMEOUT",
    "VIRTUOSO_DBA_PASSWORD",
    "VIRTUOSO_DBA_USER",
    "Response",
    "RiikgServer",
    "RunningServer",
    "answers_ask",
    "child_env",
    "child_pids",
    "free_port",
    "log_tail",
    "oxigraph_program",
    "process_tree",
    "request",
    "riikg_cli",
    "run_python",
    "start_oxigraph",
    "start_riikg",
    "stop_process",
    "tree_memory",
    "wait_until",
]

STARTUP_TIMEOUT = 60.0
VIRTUOSO_DBA_USER = "dba"
VIRTUOSO_DBA_PASSWORD = "dba"  # fresh throw-away database: the default password


# ---- HTTP ---------------------------------------------------------------------------------
@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> Response:
    """One request to 127.0.0.1:``port`` on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    t = time.monotonic()
    try:
        try:
            conn.request(method, path, body=body, headers=headers or {})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (e.g. 413) and closed before the body was sent
        resp = conn.getresponse()
        data = resp.read()
        return Response(
            resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, time.monotonic() - t
        )
    finally:
        conn.close()


def wait_until(
    proc: subprocess.Popen[bytes],
    ready: Callable[[], bool],
    what: str,
    log: Path,
    timeout: float = STARTUP_TIMEOUT,
    interval: float = 0.02,
) -> None:
    """Poll ``ready()`` (connection errors count as not ready) until it is true; raise with
    the log's tail when ``proc`` exits or ``timeout`` passes (the caller stops ``proc``)."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{what} exited with code {proc.returncode} during start-up; log:\n{log_tail(log)}"
            )
        try:
            if ready():
                return
            last = "not ready"
        except (OSError, http.client.HTTPException) as exc:
            last = type(exc).__name__
        time.sleep(interval)
    raise RuntimeError(
        f"{what} did not answer within {timeout:.0f} s ({last}); log:\n{log_tail(log)}"
    )


def answers_ask(port: int, path: str, timeout: float = 5.0) -> bool:
    """Whether the SPARQL endpoint at ``path`` answers ``ASK {}`` with 200."""
    ask = path + "?" + urlencode({"query": "ASK {}"})
    return request(port, "GET", ask, timeout=timeout).status == 200


# ---- SPARQL servers (oxigraph, Virtuoso) --------------------------------------------------
@dataclass
class RunningServer:
    """A SPARQL server process started by this module."""

    name: str
    process: subprocess.Popen[bytes]
    query_url: str
    update_url: str
    gsp_url: str
    log_path: Path
    data_dir: Path
    startup_seconds: float = 0.0
    auth_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    cleanup_dir: Path | None = None

    @property
    def port(self) -> int:
        return int(urlsplit(self.query_url).port or 80)

    @property
    def query_path(self) -> str:
        return urlsplit(self.query_url).path

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), keeping the data directory (crash tests)."""
        if self.alive():
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM, then SIGKILL after 20 s) and remove temporary files."""
        stop_process(self.process)
        if self.cleanup_dir is not None:
            shutil.rmtree(self.cleanup_dir, ignore_errors=True)

    def remote_store(self, base: str, *, gsp: bool = True, timeout: float = 60.0) -> RemoteStore:
        """A riikg store that may write to this server (Virtuoso: dba, digest auth).

        ``gsp`` uploads graphs through the Graph Store Protocol (needed on Virtuoso above
        about a thousand triples per write); otherwise everything goes through SPARQL Update.
        """
        from riikg.store.remote import RemoteStore

        virtuoso = self.name == "virtuoso"
        return RemoteStore(
            base,
            self.query_url,
            self.update_url,
            self.gsp_url if gsp else "",
            user=VIRTUOSO_DBA_USER if virtuoso else "",
            password=VIRTUOSO_DBA_PASSWORD if virtuoso else "",
            timeout=timeout,
        )

    def wait(self, started: float, timeout: float = STARTUP_TIMEOUT) -> None:
        """Wait until the query endpoint answers ``ASK {}``; stop the server on failure."""
        try:
            ready = lambda: answers_ask(self.port, self.query_path)  # noqa: E731
            wait_until(self.process, ready, self.name, self.log_path, timeout)
        except Exception:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def oxigraph_program() -> str | None:
    """The ``oxigraph`` CLI: next to the running Python (the venv) or on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    return shutil.which("oxigraph")


def start_oxigraph(
    data_dir: Path | None = None,
    port: int | None = None,
    read_only: bool = False,
    extra_args: Sequence[str] = (),
    *,
    timeout_s: float | None = 30,
) -> RunningServer:
    """Start ``oxigraph serve`` (or ``serve-read-only``) on 127.0.0.1 and wait for it.

    Args:
        data_dir: the ``--location``; a temporary directory (removed on stop) when None.
            Reusing a directory after :meth:`RunningServer.kill` restarts on the same data.
        port: the port; a free one when None.
        read_only: run ``serve-read-only`` (no /update, no writes through /store).
        extra_args: more command-line arguments (e.g. ``["--union-default-graph"]``).
        timeout_s: ``--timeout-s`` (server-side query timeout), None for none.
    """
    program = oxigraph_program()
    if program is None:
        raise FileNotFoundError("oxigraph CLI not found (pip install oxigraph)")
    cleanup = None
    if data_dir is None:
        cleanup = Path(tempfile.mkdtemp(prefix="riikg-oxigraph-"))
        data_dir = cleanup / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log_path = data_dir.parent / f"{data_dir.name}.oxigraph.log"
    args = [program, "serve-read-only" if read_only else "serve", "--location", str(data_dir)]
    args += ["--bind", f"127.0.0.1:{port}"]
    if timeout_s is not None:
        args += ["--timeout-s", str(timeout_s)]
    args += list(extra_args)
    started = time.monotonic()
    with open(log_path, "ab") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    root = f"http://127.0.0.1:{port}"
    server = RunningServer(
        name="oxigraph serve",
        process=process,
        query_url=f"{root}/query",
        update_url="" if read_only else f"{root}/update",
        gsp_url=f"{root}/store",
        log_path=log_path,
        data_dir=data_dir,
        cleanup_dir=cleanup,
    )
    server.wait(started)
    return server


# ---- riikg serve --------------------------------------------------------------------------
@dataclass
class RiikgServer:
    """A ``riikg serve`` (gunicorn) subprocess over an on-disk store."""

    port: int
    store_path: Path
    proc: subprocess.Popen[bytes]
    log: Path
    log_file: IO[bytes] | None = None
    started: float = 0.0  # time.monotonic() just before the process was started
    startup_seconds: float = 0.0  # from ``started`` to the first 200 from /health
    query_path: str = "/sparql"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> Response:
        return request(self.port, method, path, body, headers, timeout)

    def health(self) -> Response:
        return self.request("GET", "/health", timeout=5)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def worker_pids(self) -> set[int]:
        """gunicorn worker processes (direct children of the master)."""
        return set(child_pids(self.proc.pid))

    def query_workers(self) -> list[int]:
        """Query worker processes: grandchildren of the gunicorn master."""
        return [w for g in child_pids(self.proc.pid) for w in child_pids(g)]

    def crash_lines(self) -> list[str]:
        """gunicorn's reports of workers killed by a signal or exiting abnormally."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        keys = ("SIGSEGV", "SIGABRT", "signal 11", "signal 6", "code 139", "code 134", "SIGKILL")
        return [line for line in text.splitlines() if any(k in line for k in keys)]

    def store_state(self, base: str = "http://localhost:8080/") -> tuple[int, int]:
        """(quads, version) of the published snapshot, read in this process."""
        from riikg.store.oxigraph import OxigraphStore

        store = OxigraphStore.open_reader(base, self.store_path)
        try:
            return store.count(), store.version
        finally:
            store.close()

    def stop(self, grace: float = 20.0) -> None:
        stop_process(self.proc, grace)
        if self.log_file is not None:
            self.log_file.close()

    def __enter__(self) -> RiikgServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_riikg(
    store_path: Path,
    log: Path,
    settings: dict[str, str] | None = None,
    workers: int = 2,
    timeout: float = STARTUP_TIMEOUT,
) -> RiikgServer:
    """``riikg --store-path STORE serve`` on a free loopback port, with ``settings`` as its
    only ``RIIKG_*`` environment; returns once ``/health`` answers 200 (stopped on failure).
    Output and errors go to ``log``."""
    port = free_port()
    fh = open(log, "wb")  # noqa: SIM115 - closed by RiikgServer.stop
    started = time.monotonic()
    proc = subprocess.Popen(
        [*RIIKG, "--store-path", str(store_path), "serve", "--host", "127.0.0.1"]
        + ["--port", str(port), "--workers", str(workers)],
        stdout=fh,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        env=child_env(settings),
    )
    served = RiikgServer(port, store_path, proc, log, fh, started)
    try:
        wait_until(proc, lambda: served.health().status == 200, "riikg serve", log, timeout)
    except Exception:
        served.stop()
        raise
    served.startup_seconds = time.monotonic() - started
    return served
