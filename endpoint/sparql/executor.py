"""Execute a checked public query on the configured store, within the limits.

Every backend answers through one member of the store protocol,
:meth:`riikg.store.Store.public_query`; the store also says where that must run
(:meth:`riikg.store.Store.worker_opener`), and the executor for the application is chosen
from it once, on first use:

* a store that needs a worker (the embedded engine cannot be cancelled): the query runs in
  a killable, network-confined worker process (:mod:`endpoint.sparql.pool`);
* a store that does not (a remote server): the query runs here; the server stops it at the
  deadline and the HTTP wait is bounded by it.
"""

from __future__ import annotations

import atexit
import socket
import threading
from typing import Protocol

from flask import current_app
from werkzeug.exceptions import ServiceUnavailable

from endpoint.sparql.pool import Body, PoolBusy, WorkerKilled, WorkerPool
from riikg.config import Settings
from riikg.store import Answer, QueryFailed, QueryRequest, QueryTimeout, Store

POOL_KEY = "riikg.sparql_pool"
EXECUTOR_KEY = "riikg.sparql_executor"
#: how long a query waits for a free worker before a 503
QUEUE_WAIT = 10.0


class _Slot:
    def __init__(self, key: str) -> None:
        self._key = key
        self._done = False

    def release(self) -> None:
        with _clients_lock:
            if self._done:
                return
            self._done = True
            left = _clients.get(self._key, 1) - 1
            if left <= 0:
                _clients.pop(self._key, None)
            else:
                _clients[self._key] = left


_clients: dict[str, int] = {}
_clients_lock = threading.Lock()


def client_slot(key: str, limit: int) -> _Slot | None:
    """Take one of the client's ``limit`` concurrent-query slots (None when all are taken).

    Counted per server process; the slot is held until the answer has been sent.
    """
    with _clients_lock:
        running = _clients.get(key, 0)
        if running >= limit:
            return None
        _clients[key] = running + 1
    return _Slot(key)


def running_queries() -> dict[str, int]:
    """Snapshot of the per-client counters (tests, logs)."""
    with _clients_lock:
        return dict(_clients)


class Executor(Protocol):
    """Runs public queries on one store."""

    def run(self, request: QueryRequest, client: socket.socket | None) -> Answer[Body]:
        """Run ``request``; raise QueryFailed (400), QueryTimeout (503) or ServiceUnavailable.

        ``client`` is the client's socket when the server passes it (gunicorn): a worker
        is stopped when the client hangs up."""
        ...


class InProcess:
    """The store runs public queries itself, in this process (it bounds their time)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self, request: QueryRequest, client: socket.socket | None) -> Answer[Body]:
        answer = self.store.public_query(request)
        return Answer(Body([answer.body], None), answer.truncated)


class InWorkers:
    """Public queries run in the killable worker processes of ``pool``."""

    def __init__(self, pool: WorkerPool, default_timeout: float) -> None:
        self.pool = pool
        self.default_timeout = default_timeout

    def run(self, request: QueryRequest, client: socket.socket | None) -> Answer[Body]:
        timeout = request.timeout or self.default_timeout
        try:
            outcome, body = self.pool.run(
                request, timeout=timeout, queue_wait=QUEUE_WAIT, client=client
            )
        except PoolBusy as exc:
            raise ServiceUnavailable(f"{exc}; retry shortly", retry_after=5) from exc
        except WorkerKilled as exc:
            current_app.logger.warning(
                "sparql: query worker stopped (%s) after %.1f s limit", exc.reason, timeout
            )
            if exc.reason == "timeout":
                raise QueryTimeout(
                    f"the query ran past its time limit of {timeout:g} s and was stopped; "
                    "add LIMIT, narrow the patterns, or use the dumps for bulk access"
                ) from exc
            raise ServiceUnavailable(str(exc), retry_after=5) from exc
        if outcome.error:
            body.close()
            if outcome.status >= 500:
                raise ServiceUnavailable(outcome.error, retry_after=5)
            raise QueryFailed(outcome.error)
        return Answer(body, outcome.truncated)


def get_executor(store: Store, settings: Settings) -> Executor:
    """The executor of this application, chosen from what the store says (on first use)."""
    executor: Executor | None = current_app.extensions.get(EXECUTOR_KEY)
    if executor is None:
        if store.worker_opener() is None:
            executor = InProcess(store)
        else:
            executor = InWorkers(get_pool(store, settings), settings.query_timeout)
        current_app.extensions[EXECUTOR_KEY] = executor
    return executor


def get_pool(store: Store, settings: Settings) -> WorkerPool:
    """The worker pool of this application (created on first use), its workers opening the
    store as it says (:meth:`riikg.store.Store.worker_opener`)."""
    pool: WorkerPool | None = current_app.extensions.get(POOL_KEY)
    if pool is None:
        with _clients_lock:
            pool = current_app.extensions.get(POOL_KEY)
            if pool is None:
                opener = store.worker_opener()
                if opener is None:
                    raise ValueError("this store runs public queries itself; it has no workers")
                pool = WorkerPool(
                    opener,
                    settings.sparql_workers,
                    lambda: store.version,
                    network=bool(settings.service_allowlist),
                    require_confined=not settings.allow_unconfined,
                )
                current_app.extensions[POOL_KEY] = pool
                atexit.register(pool.close)
    return pool


def execute(
    store: Store,
    settings: Settings,
    request: QueryRequest,
    *,
    client: socket.socket | None = None,
) -> Answer[Body]:
    """Run ``request`` with the application's executor; raise QueryFailed (400),
    QueryTimeout (503) or ServiceUnavailable."""
    return get_executor(store, settings).run(request, client)
