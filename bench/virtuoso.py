"""Virtuoso (``virtuoso-t``) with a throw-away database on loopback, for the tests.

Built on :mod:`bench.servers` (same :class:`~bench.servers.RunningServer`, same import
direction: ``tests/servers.py`` imports this module, never the other way)::

    with start_virtuoso(tmp / "vt") as server:
        server.query_url, server.update_url, server.gsp_url, server.auth_url
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.servers import (
    VIRTUOSO_DBA_PASSWORD,
    VIRTUOSO_DBA_USER,
    RunningServer,
    free_port,
)

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
    server.wait(started)
    try:
        virtuoso_isql(server, "\n".join(VIRTUOSO_SETUP))
    except Exception:
        server.stop()
        raise
    server.startup_seconds = time.monotonic() - started
    return server
