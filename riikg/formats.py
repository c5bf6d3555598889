"""The one table of formats riikg reads and writes: RDF graphs and datasets, SPARQL results,
and the documents of the web pages.

Every other module asks this table — for a media type, a URL extension, a ``format=`` word,
the pyoxigraph or rdflib name — instead of keeping a mapping of its own. Adding a format is
one row in :data:`TABLE`; content negotiation, the SPARQL endpoint, the entity pages, the
loaders and the CLI then know it.

>>> by_word("ttl") is TURTLE, by_word("text/turtle") is TURTLE, by_word("turtle") is TURTLE
(True, True, True)
>>> by_media_type("application/sparql-results+json; charset=utf-8") is SPARQL_JSON
True
>>> [f.key for f in of_kind(Kind.RESULTS)]
['srj', 'srx', 'csv', 'tsv']
>>> by_extension("dump.nq.gz") is NQUADS
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import pyoxigraph as ox


class Kind(StrEnum):
    """What a format carries."""

    GRAPH = "graph"  # RDF triples (CONSTRUCT, DESCRIBE, entity documents)
    DATASET = "dataset"  # RDF quads (dumps, loading)
    RESULTS = "results"  # SPARQL SELECT / ASK results
    DOCUMENT = "document"  # pages for people and programs (HTML, plain JSON)


@dataclass(frozen=True)
class Format:
    """One format: its media type and every other name it is known by."""

    key: str  #: short name, also the preferred URL extension and ``format=`` word
    media_type: str
    kinds: frozenset[Kind]
    extensions: tuple[str, ...] = ()  #: more URL/file extensions (without the dot)
    aliases: tuple[str, ...] = ()  #: more media types accepted for it
    words: tuple[str, ...] = ()  #: more ``format=`` words
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat | None = None
    rdflib: str | None = None  #: rdflib's parser/serialiser name
    #: whether the media type takes a charset parameter (XML carries its own encoding)
    charset: bool = True
    names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = {self.key, self.media_type, *self.extensions, *self.aliases, *self.words}
        object.__setattr__(self, "names", frozenset(w.lower() for w in words))

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value riikg sends."""
        return self.media_type + ("; charset=utf-8" if self.charset else "")

    @property
    def extension(self) -> str:
        return self.key

    def is_a(self, kind: Kind) -> bool:
        return kind in self.kinds

    @property
    def label(self) -> str:
        """A name for people: pyoxigraph's (``Turtle``, ``RDF/XML``), else the key in capitals.

        >>> TURTLE.label, RDFXML.label, HTML.label
        ('Turtle', 'RDF/XML', 'HTML')
        """
        return self.oxigraph.name if self.oxigraph is not None else self.key.upper()

    @property
    def w3c(self) -> str | None:
        """The W3C IRI of the format (``http://www.w3.org/ns/formats/…``), from pyoxigraph's name.

        >>> TURTLE.w3c, RDFXML.w3c, SPARQL_JSON.w3c
        ('http://www.w3.org/ns/formats/Turtle', 'http://www.w3.org/ns/formats/RDF_XML', \
'http://www.w3.org/ns/formats/SPARQL_Results_JSON')
        """
        if self.oxigraph is None:
            return None
        local = self.oxigraph.name.replace(" in ", " ").replace(" ", "_").replace("/", "_")
        return W3C_FORMATS + local

    @property
    def rdf(self) -> ox.RdfFormat:
        """The pyoxigraph RDF format (raises for formats that are not RDF)."""
        if not isinstance(self.oxigraph, ox.RdfFormat):
            raise ValueError(f"{self.key} is not an RDF format")
        return self.oxigraph

    @property
    def rdflib_name(self) -> str:
        """rdflib's parser/serialiser name (raises for formats rdflib does not read)."""
        if self.rdflib is None:
            raise ValueError(f"{self.key} has no rdflib parser")
        return self.rdflib

    @property
    def results(self) -> ox.QueryResultsFormat:
        """The pyoxigraph results format (raises for formats that are not SPARQL results)."""
        if not isinstance(self.oxigraph, ox.QueryResultsFormat):
            raise ValueError(f"{self.key} is not a SPARQL results format")
        return self.oxigraph


W3C_FORMATS = "http://www.w3.org/ns/formats/"

_G = frozenset({Kind.GRAPH, Kind.DATASET})  # a triple format is also a dataset of one graph

TURTLE = Format(
    "ttl", "text/turtle", _G, ("turtle",), ("application/x-turtle",), ("turtle",),
    ox.RdfFormat.TURTLE, "turtle",
)  # fmt: skip
NTRIPLES = Format(
    "nt", "application/n-triples", _G, (), ("text/plain", "text/ntriples"),
    ("ntriples", "n-triples"), ox.RdfFormat.N_TRIPLES, "nt",
)  # fmt: skip
RDFXML = Format(
    "rdf", "application/rdf+xml", _G, ("owl", "xml"), ("application/xml", "text/xml"),
    ("rdfxml", "rdf/xml", "xml"), ox.RdfFormat.RDF_XML, "xml", charset=False,
)  # fmt: skip
JSONLD = Format(
    "jsonld", "application/ld+json", _G, ("json-ld",), (), ("json-ld", "json"),
    ox.RdfFormat.JSON_LD, "json-ld",
)  # fmt: skip
NQUADS = Format(
    "nq", "application/n-quads", frozenset({Kind.DATASET}), (), ("text/x-nquads",),
    ("nquads", "n-quads"), ox.RdfFormat.N_QUADS, "nquads",
)  # fmt: skip
TRIG = Format(
    "trig", "application/trig", frozenset({Kind.DATASET}), (), (), (), ox.RdfFormat.TRIG,
    "trig",
)  # fmt: skip
SPARQL_JSON = Format(
    "srj", "application/sparql-results+json", frozenset({Kind.RESULTS}), (),
    ("application/json",), ("json",), ox.QueryResultsFormat.JSON,
)  # fmt: skip
SPARQL_XML = Format(
    "srx", "application/sparql-results+xml", frozenset({Kind.RESULTS}), (),
    ("application/xml", "text/xml"), ("xml",), ox.QueryResultsFormat.XML, charset=False,
)  # fmt: skip
CSV = Format(
    "csv", "text/csv", frozenset({Kind.RESULTS}), oxigraph=ox.QueryResultsFormat.CSV
)  # fmt: skip
TSV = Format(
    "tsv", "text/tab-separated-values", frozenset({Kind.RESULTS}),
    oxigraph=ox.QueryResultsFormat.TSV,
)  # fmt: skip
HTML = Format(
    "html", "text/html", frozenset({Kind.DOCUMENT}), ("htm",), ("application/xhtml+xml",)
)  # fmt: skip
JSON = Format("json", "application/json", frozenset({Kind.DOCUMENT}))
#: plain text (error messages); after N-Triples, which ``text/plain`` names elsewhere
TEXT = Format("txt", "text/plain", frozenset({Kind.DOCUMENT}))

#: every format, in the server's order of preference within each kind
TABLE: list[Format] = [
    TURTLE, JSONLD, NTRIPLES, RDFXML, NQUADS, TRIG,
    SPARQL_JSON, SPARQL_XML, CSV, TSV,
    HTML, JSON, TEXT,
]  # fmt: skip


def of_kind(kind: Kind) -> list[Format]:
    """The formats of one kind, in preference order (read at call time, never cached)."""
    return [f for f in TABLE if f.is_a(kind)]


def by_media_type(
    media_type: str, kind: Kind | None = None, among: Iterable[Format] | None = None
) -> Format | None:
    """The format whose media type (or alias) is ``media_type``; parameters are ignored.

    ``among`` narrows the search to some formats (an endpoint's offers), in their order.
    """
    key = media_type.split(";", 1)[0].strip().lower()
    return _first(lambda f: key == f.media_type or key in f.aliases, kind, among)


def by_word(
    word: str, kind: Kind | None = None, among: Iterable[Format] | None = None
) -> Format | None:
    """The format a ``format=`` value, an extension or a media type names.

    >>> by_word("xml") is RDFXML, by_word("xml", among=of_kind(Kind.RESULTS)) is SPARQL_XML
    (True, True)
    """
    key = word.split(";", 1)[0].strip().lower().lstrip(".")
    exact = by_media_type(key, kind, among)
    return exact or _first(lambda f: key in f.names, kind, among)


def by_extension(path: str, kind: Kind | None = None) -> Format | None:
    """The format of a file name, ignoring a compression suffix (``.gz``, ``.bz2``, ``.xz``)."""
    name = path.lower()
    for suffix in (".gz", ".bz2", ".xz"):
        name = name.removesuffix(suffix)
    _, dot, ext = name.rpartition(".")
    if not dot:
        return None
    return _first(lambda f: ext == f.key or ext in f.extensions, kind)


def _first(
    match: Callable[[Format], bool], kind: Kind | None, among: Iterable[Format] | None = None
) -> Format | None:
    for fmt in TABLE if among is None else among:
        if (kind is None or fmt.is_a(kind)) and match(fmt):
            return fmt
    return None
