"""Execute a checked public query on the configured store, within the limits.

* embedded store: in a killable worker process (:mod:`endpoint.sparql.pool`);
* remote store: the timeout goes to the server and bounds the HTTP wait
  (``Store.query_raw(timeout=...)``); truncation is detected by parsing the answer natively.
"""

from __future__ import annotations

import atexit
import io
import socket
import threading
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox
from flask import current_app
from werkzeug.exceptions import ServiceUnavailable

from endpoint.sparql.job import Job
from endpoint.sparql.pool import (
    Body,
    PoolBusy,
    WorkerKilled,
    WorkerPool,
    memory_opener,
    snapshot_opener,
)
from riikg.config import Settings, StoreKind
from riikg.namespaces import PREFIXES
from riikg.sparql.text import QueryForm
from riikg.store import QueryFailed, QueryTimeout, RdfFormat, ResultFormat, Store
from riikg.store.oxigraph import RDF_FORMATS, RESULT_FORMATS, OxigraphStore

POOL_KEY = "riikg.sparql_pool"
#: how long a query waits for a free worker before a 503
QUEUE_WAIT = 10.0


@dataclass(frozen=True)
class Limits:
    timeout: float
    max_rows: int


@dataclass
class Answer:
    body: Body
    truncated: bool


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


def get_pool(store: Store, settings: Settings) -> WorkerPool:
    """The worker pool of this application (created on first use)."""
    pool: WorkerPool | None = current_app.extensions.get(POOL_KEY)
    if pool is None:
        with _clients_lock:
            pool = current_app.extensions.get(POOL_KEY)
            if pool is None:
                if settings.store is StoreKind.OXIGRAPH:
                    opener = snapshot_opener(settings.base_iri, settings.store_path)
                else:
                    opener = memory_opener(store)
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
    query: str,
    form: QueryForm,
    media_type: ResultFormat | RdfFormat,
    *,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
    limits: Limits,
    client: socket.socket | None = None,
    original: str = "",
    count_rows: bool = True,
    base_iri: str = "",
) -> Answer:
    """Run ``query``; raise QueryFailed (400), QueryTimeout (503) or ServiceUnavailable.

    Relative IRIs in ``query`` resolve against ``base_iri`` (the endpoint's URL) on every
    backend: pyoxigraph takes it as ``base_iri``, a remote store gets a ``BASE`` declaration
    before the text (on the same line, so line numbers in its messages do not move).
    """
    if isinstance(store, OxigraphStore):
        return _embedded(
            store,
            settings,
            query,
            media_type,
            default_graphs,
            named_graphs,
            limits,
            client,
            original,
            count_rows,
            base_iri,
        )
    sent = f"BASE <{base_iri}> {query}" if base_iri else query
    try:
        return _remote(store, sent, form, media_type, default_graphs, named_graphs, limits)
    except QueryFailed as exc:
        raise QueryFailed(_user_message(exc, sent, original, base_iri)) from exc


def _embedded(
    store: OxigraphStore,
    settings: Settings,
    query: str,
    media_type: ResultFormat | RdfFormat,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
    limits: Limits,
    client: socket.socket | None,
    original: str,
    count_rows: bool,
    base_iri: str,
) -> Answer:
    pool = get_pool(store, settings)
    job = Job(
        query=query,
        media_type=media_type.value,
        default_graphs=None if default_graphs is None else tuple(default_graphs),
        named_graphs=None if named_graphs is None else tuple(named_graphs),
        max_rows=limits.max_rows,
        original=original,
        timeout=limits.timeout,
        count_rows=count_rows,
        base_iri=base_iri,
    )
    try:
        outcome, body = pool.run(job, timeout=limits.timeout, queue_wait=QUEUE_WAIT, client=client)
    except PoolBusy as exc:
        raise ServiceUnavailable(f"{exc}; retry shortly", retry_after=5) from exc
    except WorkerKilled as exc:
        current_app.logger.warning(
            "sparql: query worker stopped (%s) after %.1f s limit", exc.reason, limits.timeout
        )
        if exc.reason == "timeout":
            raise QueryTimeout(
                f"the query ran past its time limit of {limits.timeout:g} s and was stopped; "
                "add LIMIT, narrow the patterns, or use the dumps for bulk access"
            ) from exc
        raise ServiceUnavailable(str(exc), retry_after=5) from exc
    if outcome.error:
        body.close()
        if outcome.status >= 500:
            raise ServiceUnavailable(outcome.error, retry_after=5)
        raise QueryFailed(outcome.error)
    return Answer(body=body, truncated=outcome.truncated)


def _user_message(exc: QueryFailed, sent: str, original: str, base_iri: str = "") -> str:
    """The server's message, or pyoxigraph's for the user's own text when that has a
    syntax error (positions in the server's message count the BASE and LIMIT the endpoint
    added).

    Parsing here is safe: the guard has already capped the nesting depth and operator
    chains, and ``original`` is the canonical text the guard checked.
    """
    if original and original != sent:
        try:
            ox.Store().query(original, base_iri=base_iri or None)  # empty store
        except SyntaxError as syntax:
            return f"query syntax error: {syntax}"
        except (OSError, ValueError, TypeError):
            pass
    return str(exc)


def _remote(
    store: Store,
    query: str,
    form: QueryForm,
    media_type: ResultFormat | RdfFormat,
    default_graphs: list[str] | None,
    named_graphs: list[str] | None,
    limits: Limits,
) -> Answer:
    def ask(media: ResultFormat | RdfFormat) -> bytes:
        return store.query_raw(
            query,
            media,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            timeout=limits.timeout,
        )

    if form is QueryForm.ASK:
        return Answer(Body([ask(media_type)], None), False)
    if isinstance(media_type, RdfFormat):
        raw = ask(RdfFormat.NTRIPLES)
        triples = list(islice(ox.parse(raw, format=ox.RdfFormat.N_TRIPLES), limits.max_rows + 1))
        out = io.BytesIO()
        fmt = RDF_FORMATS[media_type]
        prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
        ox.serialize(
            (t.triple for t in triples[: limits.max_rows]), out, format=fmt, prefixes=prefixes
        )
        return Answer(Body([out.getvalue()], None), len(triples) > limits.max_rows)
    # SELECT: fetch JSON (every server speaks it), count natively, pass through when complete
    fetch = ResultFormat.JSON if media_type is ResultFormat.CSV else media_type
    raw = ask(fetch)
    try:
        solutions = ox.parse_query_results(raw, format=RESULT_FORMATS[fetch])
    except (SyntaxError, ValueError) as exc:
        raise QueryFailed(f"the store answered unreadable results: {exc}") from exc
    if not isinstance(solutions, ox.QuerySolutions):
        return Answer(Body([raw], None), False)
    names = [v.value for v in solutions.variables]
    rows = list(islice(solutions, limits.max_rows + 1))
    truncated = len(rows) > limits.max_rows
    if not truncated and fetch is media_type:
        return Answer(Body([raw], None), False)
    lines = ["\t".join(f"?{n}" for n in names)]
    for row in rows[: limits.max_rows]:
        lines.append("\t".join("" if row[n] is None else str(row[n]) for n in names))
    tsv = ("\n".join(lines) + "\n").encode("utf-8")
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    body = parsed.serialize(format=RESULT_FORMATS[ResultFormat(media_type)]) or b""
    return Answer(Body([body], None), truncated)
