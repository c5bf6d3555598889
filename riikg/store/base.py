"""The store interface every backend implements, its term types and its errors.

Terms are pyoxigraph's (``NamedNode``, ``BlankNode``, ``Literal``, ``Triple``) on every
backend: the remote backend parses protocol results with ``pyoxigraph.parse_query_results``
so callers never see a difference.

Graph semantics of ``select``/``ask``/``construct``/``query_raw``: unless ``default_graphs``
is given, the default graph is the union of the *source* graphs
(``{base}graph/source/*``); metadata and report graphs are reached with ``GRAPH``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

Term = NamedNode | BlankNode | Literal
Row = dict[str, Term]


class StoreError(Exception):
    """Base class of store failures; the message is safe to show to users."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or opened (maps to HTTP 503)."""


class QueryFailed(StoreError):
    """The store refused or failed a query (bad syntax, unsupported feature, ...)."""


class QueryTimeout(StoreError):
    """The query ran past its deadline and was stopped."""


class ReadOnlyStore(StoreError):
    """A write was attempted on a store opened read-only."""


class ResultFormat(StrEnum):
    """SPARQL results media types (SELECT / ASK)."""

    JSON = "application/sparql-results+json"
    XML = "application/sparql-results+xml"
    CSV = "text/csv"
    TSV = "text/tab-separated-values"


class RdfFormat(StrEnum):
    """RDF media types (CONSTRUCT / DESCRIBE, dumps)."""

    TURTLE = "text/turtle"
    NTRIPLES = "application/n-triples"
    NQUADS = "application/n-quads"
    TRIG = "application/trig"
    RDFXML = "application/rdf+xml"
    JSONLD = "application/ld+json"


@runtime_checkable
class Store(Protocol):
    """What riikg needs from a store. Choose a backend with :func:`riikg.store.open_store`."""

    base: str

    def select(self, query: str, **bindings: Term) -> list[Row]:
        """Run a SELECT with ``bindings`` substituted for variables; rows map name -> term."""
        ...

    def ask(self, query: str, **bindings: Term) -> bool:
        """Run an ASK."""
        ...

    def construct(self, query: str, **bindings: Term) -> list[Triple]:
        """Run a CONSTRUCT or DESCRIBE."""
        ...

    def query_raw(
        self,
        query: str,
        media_type: ResultFormat | RdfFormat,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        """Run any query and return the store's own serialisation in ``media_type``.

        ``timeout`` (seconds) is enforced by backends that can (remote servers); the
        embedded backend ignores it: public queries run in killable worker processes.
        """
        ...

    def replace_graphs(self, graphs: Mapping[str, Iterable[Triple] | None]) -> int:
        """Atomically replace whole named graphs (None drops one); bump and return the version."""
        ...

    def named_graphs(self) -> list[str]:
        """Every named graph IRI in the store, sorted."""
        ...

    def source_graphs(self) -> list[str]:
        """The named graphs that hold source data (``{base}graph/source/*``), sorted."""
        ...

    def count(self, graph: str | None = None) -> int:
        """Number of triples in one graph, or quads in the whole store."""
        ...

    def dump(self, graph: str, media_type: RdfFormat) -> bytes:
        """Serialise one named graph."""
        ...

    @property
    def version(self) -> int:
        """Data version: changes on every write (0 for an empty store)."""
        ...

    @property
    def modified(self) -> datetime | None:
        """Time of the last write, or None."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...
