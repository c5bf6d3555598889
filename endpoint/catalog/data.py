"""What the catalogue routes know about the store: source records, coverage, a per-version cache.

Build, run, transform: each function runs one ``.rq`` file from
``endpoint/queries/catalog/`` and returns plain dataclasses. Everything here depends only
on the data, so it is computed once per data version (:func:`version_key`) and cached.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import pyoxigraph as ox
from flask import current_app

from endpoint.state import get_store
from riikg.namespaces import source_id_of
from riikg.queries import load_query
from riikg.store import Store

QUERIES = "endpoint/queries/catalog"
CACHE_KEY = "riikg.catalog"
T = TypeVar("T")


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


def version_key(store: Store) -> str:
    """Identifies the data version: the version number plus the time of that write.

    The time guards against a store rebuilt from scratch that reaches the same number.
    """
    modified = store.modified
    stamp = modified.strftime("%Y%m%dT%H%M%S") if modified else "0"
    return f"{store.version}-{stamp}"


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


class VersionCache:
    """Values computed from the data, kept for the current data version only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._key = ""
        self._values: dict[str, Any] = {}

    def _lookup(self, key: str, name: str) -> tuple[bool, Any]:
        with self._lock:
            if key != self._key:
                self._key, self._values = key, {}
            return name in self._values, self._values.get(name)

    def get(self, key: str, name: str, build: Callable[[], T]) -> T:
        """The cached value, or ``build()`` run once (other threads wait for it)."""
        found, value = self._lookup(key, name)
        if found:
            return value  # type: ignore[no-any-return]
        with self._lock:
            building = self._building.setdefault(name, threading.Lock())
        with building:
            found, value = self._lookup(key, name)
            if found:
                return value  # type: ignore[no-any-return]
            built = build()
            with self._lock:
                if key == self._key:
                    self._values[name] = built
            return built


def cached(name: str, build: Callable[[Store], T]) -> T:
    """``build(store)`` computed once per data version for the current app."""
    store = get_store()
    cache: VersionCache = current_app.extensions.setdefault(CACHE_KEY, VersionCache())
    return cache.get(version_key(store), name, lambda: build(store))


def records() -> list[SourceRecord]:
    """The source records of the current app's store (cached per data version)."""
    return cached("records", source_records)
