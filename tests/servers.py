"""Real SPARQL servers on loopback for integration tests and benchmarks.

Plain helpers (usable outside pytest, e.g. by ``bench/``)::

    with start_oxigraph(tmp / "ox") as server:      # oxigraph serve, read-write
        server.query_url, server.update_url, server.gsp_url
    with start_virtuoso(tmp / "vt") as server:      # virtuoso-t with a throw-away database
        server.query_url, server.update_url, server.gsp_url, server.auth_url

Both return a :class:`RunningServer` (also a context manager; ``stop()`` is idempotent;
``kill()`` stops abruptly and keeps the data; ``remote_store(base)`` gives a riikg store
that may write to the server).

Pytest fixtures (session scope, started once): ``oxigraph_server`` and ``virtuoso_server``
yield a :class:`RunningServer`. They call ``require_tool`` so that in CI (``CI=true``) a
missing program fails the tests instead of skipping them.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

if TYPE_CHECKING:
    from riikg.store.remote import RemoteStore

STARTUP_TIMEOUT = 60.0
VIRTUOSO_DBA_USER = "dba"
VIRTUOSO_DBA_PASSWORD = "dba"  # fresh throw-away database: the default password


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningServer:
    """A server process started by this module."""

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

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), keeping the data directory (crash tests)."""
        if self.alive():
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM, then SIGKILL after 20 s) and remove temporary files."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
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

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _wait_until_answers(server: RunningServer, timeout: float = STARTUP_TIMEOUT) -> None:
    """Poll the query endpoint with ``ASK {}`` until it answers 200 (or fail with the log)."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(
                f"{server.name} exited with code {server.process.returncode} during start-up; "
                f"log:\n{server.log_tail()}"
            )
        try:
            r = requests.post(
                server.query_url,
                data={"query": "ASK {}"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=(1, 5),
            )
            if r.status_code == 200:
                return
            last = f"HTTP {r.status_code}"
        except requests.RequestException as exc:
            last = type(exc).__name__
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(
        f"{server.name} did not answer within {timeout:.0f} s ({last}); log:\n{server.log_tail()}"
    )


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
    args = [
        program,
        "serve-read-only" if read_only else "serve",
        "--location",
        str(data_dir),
        "--bind",
        f"127.0.0.1:{port}",
    ]
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
    _wait_until_answers(server)
    server.startup_seconds = time.monotonic() - started
    return server


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
AllowOSCalls = 0
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
{server_root}MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledDavVSP = 0
HTTPProxyEnabled = 0
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 30
MaxQueryCostEstimationTime = 400

[Plugins]
"""

# The anonymous /sparql user keeps its read-only rights: granting it SPARQL_UPDATE would
# also grant SPARQL_SPONGE (FROM + get:soft / input:grab-all fetch URLs, docs/security.md A9), and
# revoking that breaks updates. Writes go through /sparql-auth and /sparql-graph-crud-auth
# as dba (digest auth), as a production Virtuoso should be set up.
VIRTUOSO_SETUP = ("DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1);",)


def virtuoso_isql(server: RunningServer, sql: str) -> str:
    """Run SQL through ``isql-vt`` as dba; raise with the output on error."""
    isql = shutil.which("isql-vt") or shutil.which("isql")
    if isql is None:
        raise FileNotFoundError("isql-vt not found (Debian virtuoso-opensource)")
    result = subprocess.run(
        [isql, f"127.0.0.1:{server.extra['isql_port']}", VIRTUOSO_DBA_USER, VIRTUOSO_DBA_PASSWORD],
        input=sql.encode() + b"\n",
        capture_output=True,
        timeout=60,
    )
    out = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
    if result.returncode != 0 or "*** Error" in out:
        raise RuntimeError(f"isql failed: {out}")
    return out


def start_virtuoso(tmpdir: Path | None = None, http_port: int | None = None) -> RunningServer:
    """Start ``virtuoso-t +foreground`` with a fresh database in ``tmpdir`` and wait for it.

    ``query_url`` is the anonymous, read-only ``/sparql`` (no Sponger); ``update_url``
    (``/sparql-auth``) and ``gsp_url`` (``/sparql-graph-crud-auth``) need the dba account
    (digest auth, user and password :data:`VIRTUOSO_DBA_USER` / :data:`VIRTUOSO_DBA_PASSWORD`).
    ``stop()`` shuts the server down and removes ``tmpdir`` when it was created here.
    """
    program = shutil.which("virtuoso-t")
    if program is None:
        raise FileNotFoundError("virtuoso-t not found (Debian virtuoso-opensource)")
    cleanup = None
    if tmpdir is None:
        tmpdir = cleanup = Path(tempfile.mkdtemp(prefix="riikg-virtuoso-"))
    tmpdir.mkdir(parents=True, exist_ok=True)
    http_port = http_port or free_port()
    isql_port = free_port()
    while isql_port == http_port:
        isql_port = free_port()
    vsp = Path("/var/lib/virtuoso-opensource-7/vsp")
    ini = tmpdir / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(
            d=tmpdir,
            isql_port=isql_port,
            http_port=http_port,
            server_root=f"ServerRoot = {vsp}\n" if vsp.is_dir() else "",
        ),
        encoding="utf-8",
    )
    log_path = tmpdir / "virtuoso.out"
    started = time.monotonic()
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [program, "+foreground", "+configfile", str(ini)],
            cwd=tmpdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    root = f"http://127.0.0.1:{http_port}"
    server = RunningServer(
        name="virtuoso",
        process=process,
        query_url=f"{root}/sparql",
        update_url=f"{root}/sparql-auth",
        gsp_url=f"{root}/sparql-graph-crud-auth",
        auth_url=f"{root}/sparql-auth",
        log_path=log_path,
        data_dir=tmpdir,
        extra={"isql_port": str(isql_port), "http_port": str(http_port)},
        cleanup_dir=cleanup,
    )
    _wait_until_answers(server)
    try:
        virtuoso_isql(server, "\n".join(VIRTUOSO_SETUP))
    except Exception:
        server.stop()
        raise
    server.startup_seconds = time.monotonic() - started
    return server


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
