"""A pool of forked worker processes that run public queries and are killed at the deadline.

pyoxigraph can neither cancel a query nor survive some hostile ones (docs/security.md F1/F2), so a
public query never runs in the server process. Each server process (gunicorn worker, or the
test app) owns ``sparql_workers`` workers, forked on first use:

* the store says how a worker opens it (:meth:`riikg.store.Store.worker_opener`): the
  memory store is inherited by the fork; when the data version changes, idle workers are
  retired and re-forked, so they never serve stale data. The on-disk store is opened
  read-only *after* the fork (``OxigraphStore.open_reader``), never shared, and reopens
  when a new snapshot is published.

Right after the fork, before it opens the store or reads a job, a worker
(:mod:`endpoint.sparql.worker`, the child side) cuts itself off from the network
(:func:`riikg.confine.confine`: an empty network namespace and a seccomp filter on
``socket``), so a ``SERVICE`` call that got past the query checks fails in the
worker and becomes an ordinary query error. The worker's first frame reports what took
effect; the pool keeps it in :attr:`WorkerPool.confinement`, and refuses to use a worker
that is not confined unless the settings allow it (``RIIKG_ALLOW_UNCONFINED`` /
``riikg serve --allow-unconfined``). The one exception is federation: with a
``service_allowlist``, workers keep network access (``SERVICE`` to those endpoints must
work) and only the query checks stand between a query and the network.

The parent sends a pickled :class:`~endpoint.sparql.job.Job` (a
:class:`riikg.store.QueryRequest`) over a socketpair and waits
for the answer with ``poll`` until the deadline, watching the client's socket too (gunicorn
passes it as ``gunicorn.socket``). At the deadline, or when the client hangs up, the worker
gets ``SIGKILL``, is reaped, and a fresh one is forked for the next query. The answer is
streamed from the socket to the client in chunks.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from endpoint.sparql import worker as _worker
from endpoint.sparql.job import Job, WorkerReport
from endpoint.sparql.worker import (
    CHUNK,
    SELF_KILL_GRACE,
    WORKER_MEMORY,
    StoreOpener,
    recv_exact,
    recv_frame,
    send_frame,
)
from riikg.confine import Confinement
from riikg.store import Store

__all__ = [
    "SELF_KILL_GRACE",
    "WORKER_MEMORY",
    "Body",
    "PoolBusy",
    "StoreOpener",
    "Worker",
    "WorkerKilled",
    "WorkerPool",
    "memory_opener",
]

#: answers up to this size are read at once and the worker is freed before sending
SPOOL_BYTES = 1 << 20
#: a worker is replaced after this many queries (bounds leaks in a long-lived fork)
MAX_JOBS_PER_WORKER = 5000
#: seconds a new worker has to report its confinement
START_TIMEOUT = 10.0


class PoolBusy(Exception):
    """No worker became free in time."""


class WorkerKilled(Exception):
    """The worker was stopped (deadline, client gone) or died (crash)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # "timeout", "client", "crash"


@dataclass
class Worker:
    pid: int
    sock: socket.socket
    version: int
    jobs: int = 0


class WorkerPool:
    """``size`` killable query workers for one server process."""

    def __init__(
        self,
        opener: StoreOpener,
        size: int,
        version: Callable[[], int],
        *,
        memory: int = WORKER_MEMORY,
        network: bool = False,
        require_confined: bool = False,
    ) -> None:
        """``network``: let workers reach the network (federation through a SERVICE
        allowlist); ``require_confined``: refuse workers that could not cut themselves off
        from the network."""
        self.network = network
        self._memory = memory
        self._opener = opener
        self._size = size
        self._version = version
        self._idle: list[Worker] = []
        self._busy = 0
        self._cond = threading.Condition()
        self._owner = os.getpid()
        self.killed = 0  # workers killed at a deadline / hang-up, for tests and logs
        self.last_killed: int | None = None
        self.require_confined = require_confined
        #: what the newest worker reported (None before the first worker started)
        self.confinement: Confinement | None = None

    # ---- worker life cycle -----------------------------------------------------------
    def _spawn(self, version: int) -> Worker:
        parent_sock, child_sock = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            _worker.serve(
                child_sock,
                parent_sock,
                self._opener,
                memory=self._memory,
                network=self.network,
                require_confined=self.require_confined,
            )
        child_sock.close()
        worker = Worker(pid, parent_sock, version)
        try:
            parent_sock.settimeout(START_TIMEOUT)
            state = Confinement.from_json(recv_frame(parent_sock))
            parent_sock.settimeout(None)
        except (OSError, EOFError, ValueError, KeyError) as exc:
            self._kill(worker)
            raise WorkerKilled(f"the query worker did not start: {exc}", "crash") from exc
        self.confinement = state
        if not state.confined and self.require_confined and not self.network:
            self._kill(worker)
            raise WorkerKilled(
                "the query worker could not be cut off from the network "
                f"({state.detail}); queries are refused",
                "crash",
            )
        return worker

    @staticmethod
    def _kill(worker: Worker) -> None:
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(worker.pid, 0)
        except ChildProcessError:
            pass
        worker.sock.close()

    def _acquire(self, wait: float) -> Worker:
        version = self._version()
        deadline = time.monotonic() + wait
        with self._cond:
            if os.getpid() != self._owner:  # inherited by a fork: start afresh
                self._idle, self._busy, self._owner = [], 0, os.getpid()
            while True:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.version == version and worker.jobs < MAX_JOBS_PER_WORKER:
                        self._busy += 1
                        return worker
                    self._kill(worker)  # stale data or worn out
                if self._busy < self._size:
                    self._busy += 1
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise PoolBusy(f"all {self._size} query workers are busy")
                self._cond.wait(left)
        try:
            return self._spawn(version)
        except BaseException:
            with self._cond:
                self._busy -= 1
                self._cond.notify()
            raise

    def _release(self, worker: Worker | None) -> None:
        with self._cond:
            self._busy -= 1
            if worker is not None:
                worker.jobs += 1
                self._idle.append(worker)
            self._cond.notify()

    def close(self) -> None:
        """Kill every idle worker (busy ones are killed by their requests)."""
        with self._cond:
            for worker in self._idle:
                self._kill(worker)
            self._idle = []

    # ---- running a query -------------------------------------------------------------
    def run(
        self,
        job: Job,
        *,
        timeout: float,
        queue_wait: float,
        client: socket.socket | None = None,
    ) -> tuple[WorkerReport, Body]:
        """Run ``job``; return its outcome (body empty) and an iterator over the body.

        The iterator must be exhausted or closed: it gives the worker back.

        Raises:
            PoolBusy: no worker free within ``queue_wait`` seconds.
            WorkerKilled: deadline reached, client gone, or the worker crashed.
        """
        started = time.monotonic()
        worker = self._acquire(min(queue_wait, timeout))
        deadline = started + timeout
        try:
            send_frame(worker.sock, pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            self._wait(worker, deadline, client)
            status, error, truncated, length = pickle.loads(recv_frame(worker.sock))
        except WorkerKilled:
            self._kill(worker)
            self._release(None)
            raise
        except (OSError, EOFError) as exc:
            self._kill(worker)
            self._release(None)
            raise WorkerKilled(f"the query worker died: {exc}", "crash") from exc
        except BaseException:
            self._kill(worker)
            self._release(None)
            raise
        outcome = WorkerReport(truncated=truncated, error=error, status=status)
        return outcome, self._body(worker, length)

    def _wait(self, worker: Worker, deadline: float, client: socket.socket | None) -> None:
        poller = select.poll()
        poller.register(worker.sock, select.POLLIN | select.POLLHUP)
        watch_client = client is not None
        if client is not None:
            poller.register(client, select.POLLIN | select.POLLHUP)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.killed += 1
                self.last_killed = worker.pid
                raise WorkerKilled("the query ran past its time limit and was stopped", "timeout")
            events = poller.poll(min(left, 1.0) * 1000)
            for fd, _ in events:
                if fd == worker.sock.fileno():
                    return
                if watch_client and client is not None and fd == client.fileno():
                    if _client_gone(client):
                        self.killed += 1
                        self.last_killed = worker.pid
                        raise WorkerKilled("the client went away; the query was stopped", "client")
                    poller.unregister(client)  # pipelined data: stop watching
                    watch_client = False

    def _body(self, worker: Worker, length: int) -> Body:
        if length <= SPOOL_BYTES:  # small answer: read it now and give the worker back
            try:
                data = recv_exact(worker.sock, length)
            except (OSError, EOFError) as exc:
                self._kill(worker)
                self._release(None)
                raise WorkerKilled(f"the query worker died: {exc}", "crash") from exc
            self._release(worker)
            return Body([data] if data else [], None)
        return Body(_Stream(self, worker, length), None)

    def finish(self, worker: Worker, complete: bool) -> None:
        """Give a worker back after its answer was streamed (or kill it if cut short)."""
        if complete:
            self._release(worker)
        else:  # the client stopped reading mid-body: the worker is in an unknown state
            self._kill(worker)
            self._release(None)


class _Stream:
    """Iterator over a large answer, read from the worker socket chunk by chunk."""

    def __init__(self, pool: WorkerPool, worker: Worker, length: int) -> None:
        self._pool = pool
        self._worker = worker
        self._left = length
        self._finished = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._left <= 0:
            self.close()
            raise StopIteration
        chunk = self._worker.sock.recv(min(CHUNK, self._left))
        if not chunk:
            self.close()
            raise EOFError("the query worker closed the stream early")
        self._left -= len(chunk)
        return chunk

    def close(self) -> None:
        if not self._finished:
            self._finished = True
            self._pool.finish(self._worker, self._left <= 0)


class Body:
    """The answer's bytes: an iterable whose ``close()`` always runs the clean-up.

    A generator that was never started ignores ``close()``; this wrapper does not, so a
    HEAD request or an unread response still gives the worker (and the client's slot) back.
    """

    def __init__(self, chunks: Iterable[bytes], on_close: Callable[[], None] | None) -> None:
        self._chunks = chunks
        self._iter: Iterator[bytes] | None = None
        self._on_close = on_close
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._iter is None:
            self._iter = iter(self._chunks)
        try:
            return next(self._iter)
        except StopIteration:
            self.close()
            raise

    def then(self, callback: Callable[[], None]) -> Body:
        """Run ``callback`` (once) when the body is closed or exhausted."""
        previous = self._on_close

        def both() -> None:
            try:
                if previous is not None:
                    previous()
            finally:
                callback()

        self._on_close = both
        return self

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()
        finally:
            if self._on_close is not None:
                self._on_close()

    def __del__(self) -> None:
        self.close()


def _client_gone(client: socket.socket) -> bool:
    try:
        data = client.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return data == b""


def memory_opener(store: Store) -> StoreOpener:
    """Opener for a store the forked worker inherits as it is (a memory store)."""
    return lambda: store
