"""Pieces every backend shares: the data-version record, reading results, and the answer to
a public query (row cap, syntax errors) written once for every backend."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import pyoxigraph as ox
from pyoxigraph import Literal, NamedNode, Triple
from rdflib.namespace import DCTERMS, XSD

from riikg import formats
from riikg.namespaces import PREFIXES, RIIKG, meta_graph, source_graph_prefix
from riikg.store.base import (
    Answer,
    QueryFailed,
    QueryRequest,
    is_rdf,
    is_source_graph,
)

__all__ = ["is_source_graph", "source_graph_prefix"]  # re-exported: base and riikg.namespaces

DATA_VERSION = NamedNode(str(RIIKG.dataVersion))
MODIFIED = NamedNode(str(DCTERMS.modified))
XSD_INTEGER = NamedNode(str(XSD.integer))
XSD_DATETIME = NamedNode(str(XSD.dateTime))


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def version_graph(base: str) -> str:
    """The store-wide metadata graph that holds the data version."""
    return str(meta_graph(base))


def version_triples(base: str, version: int, when: datetime) -> list[Triple]:
    """The triples of the store-wide record ``<base> riikg:dataVersion N ; dct:modified t``."""
    subject = NamedNode(base)
    return [
        Triple(subject, DATA_VERSION, Literal(str(version), datatype=XSD_INTEGER)),
        Triple(subject, MODIFIED, Literal(when.isoformat(), datatype=XSD_DATETIME)),
    ]


def parse_version(triples: list[Triple]) -> tuple[int, datetime | None]:
    """Read version and modified time back from the record's triples."""
    version, modified = 0, None
    for t in triples:
        obj = t.object
        if not isinstance(obj, Literal):
            continue
        if t.predicate == DATA_VERSION:
            version = int(obj.value)
        elif t.predicate == MODIFIED:
            modified = datetime.fromisoformat(obj.value)
    return version, modified


def rows_of(result: object) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """Turn a SELECT result into rows (name -> term; unbound variables left out).

    Raises:
        QueryFailed: the query was not a SELECT.
    """
    if not isinstance(result, ox.QuerySolutions):
        raise QueryFailed("select() needs a SELECT query")
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        rows.append({n: solution[n] for n in names if solution[n] is not None})
    return rows


def boolean_of(result: object) -> bool:
    """The answer of an ASK result (QueryFailed for any other query form)."""
    if not isinstance(result, ox.QueryBoolean):
        raise QueryFailed("ask() needs an ASK query")
    return bool(result)


# ---- the answer to a public query ----------------------------------------------------------
def answer_of(result: Any, request: QueryRequest) -> Answer[bytes]:
    """Serialise ``result`` (pyoxigraph's, from the engine or parsed from a server's answer)
    in ``request``'s media type, cut at ``request.max_rows``.

    Truncation is detected without turning rows into Python objects:

    * SELECT: serialised to SPARQL TSV (one line per row), lines counted, the surplus row
      cut, and the TSV parsed back and serialised in the requested format (both in Rust);
      when the query's own LIMIT makes a cut impossible (``count_rows`` False) the
      solutions are serialised directly;
    * CONSTRUCT / DESCRIBE (``QueryTriples`` or a list of triples): at most ``max_rows + 1``
      triples are taken and serialised with riikg's prefixes; the cap counts triples;
    * ASK: nothing to cap.

    Raises:
        QueryFailed: the media type cannot carry this kind of result.
    """
    fmt = request.format
    if isinstance(result, ox.QueryBoolean | ox.QuerySolutions):
        if is_rdf(fmt):
            raise QueryFailed(f"{fmt.media_type} cannot carry SELECT/ASK results")
        capped = request.max_rows is not None and request.count_rows
        if isinstance(result, ox.QuerySolutions) and capped and request.max_rows is not None:
            return _capped_solutions(result, fmt, request.max_rows)
        return Answer(result.serialize(format=fmt.results) or b"")
    if not is_rdf(fmt):
        raise QueryFailed(f"{fmt.media_type} cannot carry CONSTRUCT/DESCRIBE results")
    if request.max_rows is None and isinstance(result, ox.QueryTriples):
        return Answer(result.serialize(format=fmt.rdf) or b"")
    triples: Iterable[Triple] = result
    if request.max_rows is not None:
        taken = list(islice(result, request.max_rows + 1))
        triples = taken[: request.max_rows]
        truncated = len(taken) > request.max_rows
    else:
        truncated = False
    out = io.BytesIO()
    prefixes = PREFIXES if fmt in (formats.TURTLE, formats.RDFXML) else None
    ox.serialize(triples, out, format=fmt.rdf, prefixes=prefixes)
    return Answer(out.getvalue(), truncated)


def _capped_solutions(
    result: ox.QuerySolutions, fmt: formats.Format, max_rows: int
) -> Answer[bytes]:
    tsv: bytes = result.serialize(format=ox.QueryResultsFormat.TSV) or b""
    truncated = tsv.count(b"\n") - 1 > max_rows
    if truncated:
        cut = -1
        for _ in range(max_rows + 1):  # header + max_rows lines
            cut = tsv.index(b"\n", cut + 1)
        tsv = tsv[: cut + 1]
    if fmt is formats.TSV:
        return Answer(tsv, truncated)
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return Answer(parsed.serialize(format=fmt.results) or b"", truncated)


def user_syntax_error(request: QueryRequest, message: str) -> str:
    """``message``, or pyoxigraph's syntax error for the user's own text when it has one.

    The text that ran carries what the endpoint added (a LIMIT, a BASE), so positions in
    its errors would not match what the user wrote. Parsing here is safe: the guard has
    already capped the nesting depth and operator chains of ``request.original``, the
    canonical text it checked; the store is empty, so nothing is evaluated.
    """
    if request.original:
        try:
            ox.Store().query(request.original, base_iri=request.base_iri or None)
        except SyntaxError as exc:
            return f"query syntax error: {exc}"
        except (OSError, RuntimeError, ValueError, TypeError):
            pass
    return message
