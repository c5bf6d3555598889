"""Run one public query on a pyoxigraph store and serialise it natively, with the row cap.

Used inside the killable worker processes (:mod:`endpoint.sparql.pool`). The query text
already carries ``LIMIT max_rows + 1`` (see :func:`endpoint.sparql.guard.cap_limit`), so
the engine stops early. Truncation is detected without turning rows into Python objects:

* SELECT: when the query's own ``LIMIT`` is at most ``max_rows`` nothing can be cut and the
  solutions are serialised directly; otherwise they are serialised to SPARQL TSV (one line
  per row), lines are counted, the surplus row is cut, and the TSV is parsed back natively
  and serialised in the requested format (``parse_query_results`` + ``serialize``, both in Rust);
* CONSTRUCT / DESCRIBE: at most ``max_rows + 1`` triples are taken from the lazy iterator
  and serialised with ``pyoxigraph.serialize``; the cap counts triples;
* ASK: nothing to cap.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pyoxigraph as ox

from riikg.namespaces import PREFIXES
from riikg.store.base import RdfFormat, ResultFormat
from riikg.store.oxigraph import RDF_FORMATS, RESULT_FORMATS


@dataclass(frozen=True)
class Job:
    """One query for a worker (picklable)."""

    query: str
    media_type: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    max_rows: int
    #: the text as the user wrote it (positions in syntax errors refer to it)
    original: str = ""
    #: the deadline in seconds; the worker also stops itself a little after it
    timeout: float = 0.0
    #: False when the query's own LIMIT makes truncation impossible (serialise directly)
    count_rows: bool = True
    #: relative IRIs in the query resolve against it (the endpoint's URL); "" for none
    base_iri: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a worker answers: the body, or an error message (picklable)."""

    body: bytes = b""
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


def run_job(store: ox.Store, source_graphs: Sequence[ox.NamedNode], job: Job) -> Outcome:
    """Evaluate ``job`` on ``store`` in a thread with a :data:`QUERY_STACK` stack; the
    default graph is the union of ``source_graphs``."""
    outcome: list[Outcome] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(_run_job(store, source_graphs, job))
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    previous = threading.stack_size(QUERY_STACK)
    try:
        thread = threading.Thread(target=target, name="sparql-query", daemon=True)
        thread.start()
    except RuntimeError:  # no room for the stack under a tight memory limit: run here
        return _run_job(store, source_graphs, job)
    finally:
        threading.stack_size(previous)
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def _run_job(store: ox.Store, source_graphs: Sequence[ox.NamedNode], job: Job) -> Outcome:
    kwargs: dict[str, Any] = {}
    if job.default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs] or [
            ox.DefaultGraph()
        ]
    else:
        kwargs["default_graph"] = list(source_graphs) or [ox.DefaultGraph()]
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    try:
        result = store.query(job.query, base_iri=job.base_iri or None, **kwargs)
        return _serialise(result, job)
    except SyntaxError as exc:
        return Outcome(error=f"query syntax error: {_user_position(exc, job)}", status=400)
    except (OSError, ValueError, TypeError) as exc:
        return Outcome(error=f"query failed: {exc}", status=400)


def _user_position(exc: SyntaxError, job: Job) -> str:
    """The parser's message for the user's own text (the LIMIT the endpoint added shifts it)."""
    if job.original and job.original != job.query:
        try:
            # empty store: parses, evaluates nothing; the canonical text the guard checked
            ox.Store().query(job.original, base_iri=job.base_iri or None)
        except SyntaxError as original:
            return str(original)
        except (OSError, ValueError, TypeError):
            pass
    return str(exc)


def _serialise(result: Any, job: Job) -> Outcome:
    if isinstance(result, ox.QueryBoolean):
        fmt = _result_format(job.media_type)
        return Outcome(body=result.serialize(format=fmt) or b"")
    if isinstance(result, ox.QuerySolutions):
        return _solutions(result, job)
    rdf = RDF_FORMATS[RdfFormat(job.media_type)]
    triples = list(islice(result, job.max_rows + 1))
    truncated = len(triples) > job.max_rows
    out = io.BytesIO()
    prefixes = PREFIXES if rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    ox.serialize(triples[: job.max_rows], out, format=rdf, prefixes=prefixes)
    return Outcome(body=out.getvalue(), truncated=truncated)


def _result_format(media_type: str) -> ox.QueryResultsFormat:
    return RESULT_FORMATS[ResultFormat(media_type)]


def _solutions(result: ox.QuerySolutions, job: Job) -> Outcome:
    if not job.count_rows:
        return Outcome(body=result.serialize(format=_result_format(job.media_type)) or b"")
    tsv: bytes = result.serialize(format=ox.QueryResultsFormat.TSV) or b""
    rows = tsv.count(b"\n") - 1
    truncated = rows > job.max_rows
    if truncated:
        cut = -1
        for _ in range(job.max_rows + 1):  # header + max_rows lines
            cut = tsv.index(b"\n", cut + 1)
        tsv = tsv[: cut + 1]
    fmt = _result_format(job.media_type)
    if fmt == ox.QueryResultsFormat.TSV:
        return Outcome(body=tsv, truncated=truncated)
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    body = parsed.serialize(format=fmt) or b""
    return Outcome(body=body, truncated=truncated)
