"""The store interface every backend implements, its term types and its errors.

Terms are pyoxigraph's (``NamedNode``, ``BlankNode``, ``Literal``, ``Triple``) on every
backend: the remote backend parses protocol results with ``pyoxigraph.parse_query_results``
so callers never see a difference.

Graph semantics of ``select``/``ask``/``construct``/``query_raw``/``public_query``: unless
``default_graphs`` is given, the default graph is the union of the *source* graphs
(``{base}graph/source/*``, :func:`default_graph_union`); metadata and report graphs are
reached with ``GRAPH``.

The public endpoint reaches every backend through two members: :meth:`Store.public_query`
runs one :class:`QueryRequest` and answers with an :class:`Answer`, and
:meth:`Store.worker_opener` says whether that must happen in a killable worker process
(the embedded engine cannot be cancelled; docs/security.md) or may happen in the calling
process (a remote server enforces the deadline itself).

Media types come from the one table of formats, :mod:`riikg.formats`: :class:`ResultFormat`
and :class:`RdfFormat` name its rows, and ``.row`` gives the row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, Protocol, TypeVar, runtime_checkable

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from riikg import formats
from riikg.namespaces import source_graph_prefix
from riikg.sparql.text import QueryForm

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


def format_of(media_type: str) -> formats.Format:
    """The row of :mod:`riikg.formats` for a SPARQL results or RDF media type.

    >>> format_of("text/turtle").key, format_of(ResultFormat.TSV).key
    ('ttl', 'tsv')
    """
    fmt = formats.by_media_type(media_type)
    if fmt is None or fmt.oxigraph is None:
        raise QueryFailed(f"{media_type} is neither a SPARQL results nor an RDF format")
    return fmt


def is_rdf(fmt: formats.Format) -> bool:
    """Whether ``fmt`` carries RDF (CONSTRUCT / DESCRIBE answers, dumps)."""
    return fmt.is_a(formats.Kind.GRAPH) or fmt.is_a(formats.Kind.DATASET)


class _MediaType(StrEnum):
    """A media type that names a row of :mod:`riikg.formats`."""

    @property
    def row(self) -> formats.Format:
        """Its row of :mod:`riikg.formats`."""
        return format_of(self.value)


class ResultFormat(_MediaType):
    """SPARQL results media types (SELECT / ASK): names for rows of :mod:`riikg.formats`."""

    JSON = formats.SPARQL_JSON.media_type
    XML = formats.SPARQL_XML.media_type
    CSV = formats.CSV.media_type
    TSV = formats.TSV.media_type


class RdfFormat(_MediaType):
    """RDF media types (CONSTRUCT / DESCRIBE, dumps): names for rows of :mod:`riikg.formats`."""

    TURTLE = formats.TURTLE.media_type
    NTRIPLES = formats.NTRIPLES.media_type
    NQUADS = formats.NQUADS.media_type
    TRIG = formats.TRIG.media_type
    RDFXML = formats.RDFXML.media_type
    JSONLD = formats.JSONLD.media_type


@dataclass(frozen=True)
class QueryRequest:
    """One query to run and serialise (picklable: worker processes receive it).

    ``max_rows`` caps the rows (SELECT) or triples (CONSTRUCT / DESCRIBE) of the answer;
    the caller has already put ``LIMIT max_rows + 1`` into ``text`` so that the engine stops
    early, and the surplus row only tells that the answer was cut. None: no cap.
    """

    #: the text to run (the public endpoint's canonical text with its LIMIT cap)
    text: str
    #: the media type of the answer (a :class:`ResultFormat` or :class:`RdfFormat` value)
    media_type: str
    #: the dataset: None for the union of the source graphs / every riikg graph
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_rows: int | None = None
    #: the deadline in seconds (None: the backend's default)
    timeout: float | None = None
    #: the text as the user wrote it (positions in syntax errors refer to it); "" for none
    original: str = ""
    #: False when the query's own LIMIT makes truncation impossible (serialise directly)
    count_rows: bool = True
    #: relative IRIs in the query resolve against it (the endpoint's URL); "" for none
    base_iri: str = ""
    #: the query form when the caller knows it (None: read from the text when needed)
    form: QueryForm | None = None

    @property
    def format(self) -> formats.Format:
        return format_of(self.media_type)


B = TypeVar("B")


@dataclass(frozen=True)
class Answer(Generic[B]):
    """The answer to a :class:`QueryRequest`: its body (bytes from a store, a stream of
    chunks in the web layer) and whether rows were cut at ``max_rows``."""

    body: B
    truncated: bool = False


def is_source_graph(base: str, graph: str) -> bool:
    return graph.startswith(source_graph_prefix(base))


def default_graph_union(store: Store, default_graphs: Sequence[str] | None) -> list[str]:
    """The default graph of a query: the graphs named, or else the union of the source graphs."""
    return list(default_graphs) if default_graphs is not None else store.source_graphs()


def _graphs(graphs: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if graphs is None else tuple(graphs)


@runtime_checkable
class Store(Protocol):
    """What riikg needs from a store. Choose a backend with :func:`riikg.store.open_store`.

    Backends subclass it and inherit the members written here once (``query_raw``,
    ``source_graphs``).
    """

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
        request = QueryRequest(
            query, str(media_type), _graphs(default_graphs), _graphs(named_graphs), timeout=timeout
        )
        return self.public_query(request).body

    def public_query(self, request: QueryRequest) -> Answer[bytes]:
        """Run ``request`` and serialise its answer, cut at ``request.max_rows``.

        Raises:
            QueryFailed: the query is not valid or cannot be answered in its media type
                (a syntax error's position refers to ``request.original``).
            QueryTimeout: the server stopped it at its deadline.
        """
        ...

    def worker_opener(self) -> Callable[[], Store] | None:
        """How a worker process opens this store to run public queries in (called in the
        forked worker), or None when they run in the calling process (the server behind
        the store enforces the deadline)."""
        ...

    def replace_graphs(self, graphs: Mapping[str, Iterable[Triple] | None]) -> int:
        """Atomically replace whole named graphs (None drops one); bump and return the version."""
        ...

    def named_graphs(self) -> list[str]:
        """Every named graph IRI in the store, sorted."""
        ...

    def source_graphs(self) -> list[str]:
        """The named graphs that hold source data (``{base}graph/source/*``), sorted."""
        return [g for g in self.named_graphs() if is_source_graph(self.base, g)]

    def count(self, graph: str | None = None) -> int:
        """Number of triples in one graph, or quads in the whole store."""
        ...

    def dump(self, graph: str, media_type: RdfFormat) -> bytes:
        """Serialise one named graph."""
        ...

    def version_record(self) -> tuple[int, datetime | None]:
        """The data version and the time of the last write, read together."""
        ...

    @property
    def version(self) -> int:
        """Data version: changes on every write (0 for an empty store)."""
        return self.version_record()[0]

    @property
    def modified(self) -> datetime | None:
        """Time of the last write, or None."""
        return self.version_record()[1]

    def close(self) -> None:
        """Release the store."""
        ...
