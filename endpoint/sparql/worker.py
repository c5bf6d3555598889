"""The child side of the query worker pool: what a forked worker does, from the fork to its end.

:class:`endpoint.sparql.pool.WorkerPool` forks; the child calls :func:`serve` and never
returns from it. Right after the fork, before it opens the store or reads a job, the worker
closes the descriptors it inherited (the server's client connections, the parent's store
files), caps its data segment (C7 in docs/security.md), cuts itself off from the network
(:func:`riikg.confine.confine`: an empty network namespace and a seccomp filter on
``socket``; skipped when federation through a ``SERVICE`` allowlist needs the network) and
reports what took effect in its first frame. Then it opens its store and answers one pickled
:class:`~endpoint.sparql.job.Job` after another, each as a metadata frame followed by the
body, until the parent closes the socket.

Both sides speak the same framing: a frame is an unsigned 64-bit length and that many bytes.
"""

from __future__ import annotations

import gc
import os
import pickle
import re
import resource
import signal
import socket
import struct
from collections.abc import Callable
from typing import NoReturn

from endpoint.sparql.job import Job, WorkerReport, run_job
from riikg import confine as _confine
from riikg.confine import Confinement
from riikg.store import Store

_HEADER = struct.Struct("!Q")
#: bytes read from a worker socket at a time
CHUNK = 64 * 1024
#: memory a worker may allocate beyond what it inherited (its data segment is capped)
WORKER_MEMORY = 2 << 30
#: seconds after the deadline at which a worker ends itself (SIGALRM, default action)
SELF_KILL_GRACE = 3
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
NO_NETWORK_NOTE = " (query workers have no network access: SERVICE cannot reach other endpoints)"

#: how a worker opens its store, called in the worker (``Store.worker_opener()``)
StoreOpener = Callable[[], Store]


def send_frame(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(_HEADER.pack(len(payload)) + payload)


def recv_exact(sock: socket.socket, size: int) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        chunk = sock.recv(min(CHUNK, size - len(buf)))
        if not chunk:
            raise EOFError("worker socket closed")
        buf += chunk
    return bytes(buf)


def recv_frame(sock: socket.socket) -> bytes:
    size: int = _HEADER.unpack(recv_exact(sock, _HEADER.size))[0]
    return recv_exact(sock, size)


def serve(
    sock: socket.socket,
    parent_end: socket.socket,
    opener: StoreOpener,
    *,
    memory: int,
    network: bool,
    require_confined: bool,
) -> NoReturn:  # pragma: no cover - runs in the forked child
    """In the child, right after the fork: set the worker up, report its confinement on
    ``sock`` and answer jobs until the parent hangs up; then end the process.

    ``parent_end`` is the parent's end of the socket pair (closed here); ``network`` and
    ``require_confined`` are the pool's settings of the same names.
    """
    code = 0
    try:
        parent_end.close()
        gc.disable()
        _close_inherited_fds(sock.fileno())
        _limit_memory(memory)
        if network:
            state = Confinement(False, False, "network kept for the SERVICE allowlist")
        else:
            state = _confine.confine()  # looked up here: tests may replace it
        send_frame(sock, state.to_json())
        if state.confined or network or not require_confined:
            _main_loop(sock, opener, state)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _main_loop(
    sock: socket.socket, opener: StoreOpener, state: Confinement
) -> None:  # pragma: no cover
    """Worker loop (runs in the forked child; covered by the pool tests, not by coverage)."""
    for sig in (
        signal.SIGTERM,
        signal.SIGINT,
        signal.SIGHUP,
        signal.SIGQUIT,
        signal.SIGUSR1,
        signal.SIGALRM,
    ):
        signal.signal(sig, signal.SIG_DFL)
    store = opener()
    while True:
        try:
            job: Job = pickle.loads(recv_frame(sock))
        except EOFError:
            return
        # second line of defence: if the parent is gone (or never kills us), the kernel ends
        # this process a little after the deadline, whatever the query is doing
        if job.timeout and job.timeout > 0:
            signal.alarm(int(job.timeout) + SELF_KILL_GRACE)
        try:
            outcome, body = run_job(store, job)
        except Exception as exc:  # report, never die silently; the parent decides the status
            outcome = WorkerReport(error=f"query failed: {type(exc).__name__}: {exc}", status=500)
            body = b""
        signal.alarm(0)
        if outcome.error and state.confined and _SERVICE.search(job.text):
            outcome = WorkerReport(error=outcome.error + NO_NETWORK_NOTE, status=outcome.status)
        meta = pickle.dumps(
            (outcome.status, outcome.error, outcome.truncated, len(body)),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        send_frame(sock, meta)
        sock.sendall(body)


def _limit_memory(extra: int) -> None:
    """In the child: cap the data segment at its size now plus ``extra`` bytes (C7 in
    docs/security.md).

    A query that needs more (huge ORDER BY, GROUP BY, DISTINCT) fails in its own worker.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            data_kb = next(int(line.split()[1]) for line in fh if line.startswith("VmData:"))
        limit = data_kb * 1024 + extra
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (OSError, ValueError, StopIteration):  # pragma: no cover - not Linux
        pass


def _close_inherited_fds(keep: int) -> None:
    """In the child: close every inherited descriptor except stdio and ``keep``.

    A forked child must not hold the server's client connections open (a closed connection
    would never reach the client) nor the parent's store files.
    """
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # pragma: no cover - no /proc
        fds = list(range(3, 4096))
    for fd in fds:
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:
                pass
