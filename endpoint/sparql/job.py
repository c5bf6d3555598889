"""Run one public query inside a killable worker process (:mod:`endpoint.sparql.pool`).

The worker opened its store with :meth:`riikg.store.Store.worker_opener`; the query runs
through :meth:`riikg.store.Store.public_query`, as on every backend (the row cap, the
default-graph union and the syntax-error positions live there, once). What is left here is
what only a worker needs: a thread with a big stack, and the answer's status as a frame.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from riikg.store import QueryFailed, QueryRequest, Store

#: the query a worker runs (a picklable :class:`riikg.store.QueryRequest`)
Job = QueryRequest


@dataclass(frozen=True)
class WorkerReport:
    """What a worker reports before the body: truncation, or an error message and its HTTP
    status (picklable)."""

    truncated: bool = False
    error: str = ""
    status: int = 200


#: stack of the thread a query runs in. pyoxigraph's parser and evaluator recurse; with the
#: 8 MiB of a main thread about 2,200 nested ``{`` overflow it, with 128 MiB nothing that
#: fits in 64 KiB of query text does (``python -m bench.parser_depth --thread-stack 128``).
#: The guard's caps stay far below either: this is defence in depth. Virtual memory, only
#: touched pages are used, but it counts against the worker's data limit; where that limit
#: leaves no room for it, the query runs in the calling thread.
QUERY_STACK = 128 << 20


def run_job(store: Store, job: Job) -> tuple[WorkerReport, bytes]:
    """Run ``job`` on ``store`` in a thread with a :data:`QUERY_STACK` stack."""
    outcome: list[tuple[WorkerReport, bytes]] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(_run_job(store, job))
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    previous = threading.stack_size(QUERY_STACK)
    try:
        thread = threading.Thread(target=target, name="sparql-query", daemon=True)
        thread.start()
    except RuntimeError:  # no room for the stack under a tight memory limit: run here
        return _run_job(store, job)
    finally:
        threading.stack_size(previous)
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def _run_job(store: Store, job: Job) -> tuple[WorkerReport, bytes]:
    try:
        answer = store.public_query(job)
    except QueryFailed as exc:
        return WorkerReport(error=str(exc), status=400), b""
    return WorkerReport(truncated=answer.truncated), answer.body
