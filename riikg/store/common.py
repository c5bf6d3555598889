"""Pieces every backend shares: the data-version record and graph classification."""

from __future__ import annotations

from datetime import UTC, datetime

import pyoxigraph as ox
from pyoxigraph import Literal, NamedNode, Triple
from rdflib.namespace import DCTERMS, XSD

from riikg.namespaces import RIIKG, meta_graph

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


def source_graph_prefix(base: str) -> str:
    return f"{base}graph/source/"


def is_source_graph(base: str, graph: str) -> bool:
    return graph.startswith(source_graph_prefix(base))


def rows_of(result: object) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """Turn a SELECT result into rows (name -> term; unbound variables left out).

    Raises:
        QueryFailed: the query was not a SELECT.
    """
    from riikg.store.base import QueryFailed

    if not isinstance(result, ox.QuerySolutions):
        raise QueryFailed("select() needs a SELECT query")
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        rows.append({n: solution[n] for n in names if solution[n] is not None})
    return rows


def boolean_of(result: object) -> bool:
    """The answer of an ASK result (QueryFailed for any other query form)."""
    from riikg.store.base import QueryFailed

    if not isinstance(result, ox.QueryBoolean):
        raise QueryFailed("ask() needs an ASK query")
    return bool(result)
