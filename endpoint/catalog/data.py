"""What the catalogue routes know about the store: source records and coverage.

Build, run, transform: each function runs one ``.rq`` file from
``endpoint/queries/catalog/`` and returns plain dataclasses. Everything here depends only
on the data, so it is computed once per data version (:mod:`endpoint.cache`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox

from endpoint.cache import per_version
from riikg.namespaces import source_id_of
from riikg.queries import load_query
from riikg.store import Store

QUERIES = "endpoint/queries/catalog"


@dataclass(frozen=True)
class SourceRecord:
    """One loaded source, as its provenance record describes it (docs/model.md)."""

    id: str
    graph: str
    meta_graph: str
    title: str
    modified: datetime
    issued: str = ""
    licence: str = ""
    attribution: str = ""
    homepage: str = ""
    location: str = ""
    loader: str = ""
    triples: int = 0
    conforms: bool = True
    violations: int = 0
    warnings: int = 0
    sha256: str = ""
    synthetic: bool = False
    countries: tuple[str, ...] = field(default_factory=tuple)


def parse_datetime(text: str) -> datetime:
    """An ``xsd:dateTime`` / ``xsd:date`` lexical form as an aware UTC datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _value(row: dict[str, Any], name: str) -> str:
    term = row.get(name)
    return str(term.value) if term is not None else ""


def source_records(store: Store) -> list[SourceRecord]:
    """Every source with a provenance record, sorted by id."""
    base = store.base
    countries = source_countries(store)
    records: dict[str, SourceRecord] = {}
    for row in store.select(load_query(QUERIES, "source_records").text):
        graph = _value(row, "g")
        source_id = source_id_of(base, graph)
        if source_id is None or source_id in records:
            continue
        records[source_id] = SourceRecord(
            id=source_id,
            graph=graph,
            meta_graph=_value(row, "m"),
            title=_value(row, "title") or source_id,
            modified=parse_datetime(_value(row, "modified")),
            issued=_value(row, "issued"),
            licence=_value(row, "license"),
            attribution=_value(row, "attribution"),
            homepage=_value(row, "homepage"),
            location=_value(row, "location"),
            loader=_value(row, "loader"),
            triples=int(_value(row, "triples") or 0),
            conforms=_value(row, "conforms") != "false",
            violations=int(_value(row, "violations") or 0),
            warnings=int(_value(row, "warnings") or 0),
            sha256=_value(row, "sha"),
            synthetic=_value(row, "synthetic") == "true",
            countries=tuple(countries.get(graph, ())),
        )
    present = set(store.source_graphs())
    return [r for _, r in sorted(records.items()) if r.graph in present]


def source_countries(store: Store) -> dict[str, list[str]]:
    """Country-level NUTS IRIs per source graph IRI."""
    out: dict[str, list[str]] = {}
    for row in store.select(load_query(QUERIES, "source_countries").text):
        out.setdefault(_value(row, "g"), []).append(_value(row, "country"))
    return {g: sorted(set(cs)) for g, cs in out.items()}


def entity_pages(store: Store) -> dict[str, list[str]]:
    """Every data IRI under ``{base}id/`` mapped to the graphs that describe it."""
    out: dict[str, list[str]] = {}
    rows = store.select(
        load_query(QUERIES, "entity_pages").text, space=ox.Literal(f"{store.base}id/")
    )
    for row in rows:
        out.setdefault(_value(row, "s"), []).append(_value(row, "g"))
    return out


def latest(records: list[SourceRecord]) -> datetime | None:
    """The newest ``dct:modified`` of the sources (the whole graph's modification date)."""
    return max((r.modified for r in records), default=None)


def records() -> list[SourceRecord]:
    """The source records of the current app's store (cached per data version)."""
    return per_version("records", source_records)
