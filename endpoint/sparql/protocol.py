"""SPARQL 1.1 Protocol request parsing and result-format negotiation (no Flask views here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    NotAcceptable,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Request

from riikg.sparql.text import QueryForm
from riikg.store.base import RdfFormat, ResultFormat

SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"
READ_ONLY = (
    "this SPARQL endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, "
    "CREATE, ADD, MOVE, COPY) is not accepted"
)

#: offers for SELECT/ASK, server preference first: (format, media types it answers to)
RESULT_OFFERS: tuple[tuple[ResultFormat, tuple[str, ...]], ...] = (
    (ResultFormat.JSON, (ResultFormat.JSON.value, "application/json")),
    (ResultFormat.XML, (ResultFormat.XML.value, "application/xml")),
    (ResultFormat.CSV, (ResultFormat.CSV.value,)),
    (ResultFormat.TSV, (ResultFormat.TSV.value,)),
)
#: offers for CONSTRUCT/DESCRIBE
RDF_OFFERS: tuple[tuple[RdfFormat, tuple[str, ...]], ...] = (
    (RdfFormat.TURTLE, (RdfFormat.TURTLE.value, "application/x-turtle")),
    (RdfFormat.NTRIPLES, (RdfFormat.NTRIPLES.value, "text/plain")),
    (RdfFormat.RDFXML, (RdfFormat.RDFXML.value, "application/xml", "text/xml")),
    (RdfFormat.JSONLD, (RdfFormat.JSONLD.value, "application/json")),
)
#: ``format=`` values (besides full media types)
RESULT_NAMES = {
    "json": ResultFormat.JSON,
    "srj": ResultFormat.JSON,
    "xml": ResultFormat.XML,
    "srx": ResultFormat.XML,
    "csv": ResultFormat.CSV,
    "tsv": ResultFormat.TSV,
}
RDF_NAMES = {
    "turtle": RdfFormat.TURTLE,
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.NTRIPLES,
    "ntriples": RdfFormat.NTRIPLES,
    "n-triples": RdfFormat.NTRIPLES,
    "rdf": RdfFormat.RDFXML,
    "rdfxml": RdfFormat.RDFXML,
    "xml": RdfFormat.RDFXML,
    "jsonld": RdfFormat.JSONLD,
    "json-ld": RdfFormat.JSONLD,
    "json": RdfFormat.JSONLD,
}


@dataclass
class ProtocolRequest:
    """A parsed SPARQL protocol request."""

    query: str | None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None
    timeout: str | None = None


def _text(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"the {what} is not valid UTF-8 (byte {exc.start + 1}); SPARQL text must be UTF-8"
        ) from exc


def parse_request(req: Request, max_bytes: int) -> ProtocolRequest:
    """Read query, dataset and options from a GET or POST (form or direct) request.

    Raises:
        werkzeug HTTP errors: 400 (two queries, query + update, bad encoding), 403 (an
        update), 413 (too long), 415 (POST with another media type).
    """
    args = req.args
    mimetype = req.mimetype
    body_fields: dict[str, list[str]] = {}
    direct: str | None = None
    if req.method == "POST":
        length = req.content_length
        if length is not None and length > max_bytes * 3 + 4096:  # form-encoding overhead
            raise RequestEntityTooLarge(f"the request body is larger than allowed ({length} B)")
        if mimetype == FORM:
            raw = req.get_data(cache=True)
            _text(raw, "form body")
            body_fields = {k: req.form.getlist(k) for k in req.form}
        elif mimetype == SPARQL_QUERY:
            direct = _text(req.get_data(cache=True), "query body")
        elif mimetype == SPARQL_UPDATE:
            raise Forbidden(READ_ONLY)
        elif not mimetype:
            raise UnsupportedMediaType(
                "a POST needs Content-Type application/sparql-query or "
                "application/x-www-form-urlencoded"
            )
        else:
            raise UnsupportedMediaType(
                f"unsupported Content-Type {mimetype!r}: use application/sparql-query or "
                "application/x-www-form-urlencoded"
            )

    def values(name: str) -> list[str]:
        return args.getlist(name) + body_fields.get(name, [])

    queries = values("query") + ([direct] if direct is not None else [])
    updates = values("update")
    if queries and updates:
        raise BadRequest("a request carries either 'query' or 'update', not both")
    if updates:
        raise Forbidden(READ_ONLY)
    if len(queries) > 1:
        raise BadRequest("more than one query in the request")
    query = queries[0] if queries else None
    if query is not None and len(query.encode("utf-8")) > max_bytes:
        raise RequestEntityTooLarge(
            f"the query is longer than {max_bytes} bytes (RIIKG_MAX_QUERY_BYTES)"
        )
    fmt = values("format")
    timeout = values("timeout")
    return ProtocolRequest(
        query=query,
        default_graphs=values("default-graph-uri"),
        named_graphs=values("named-graph-uri"),
        format=fmt[-1] if fmt else None,
        timeout=timeout[-1] if timeout else None,
    )


@lru_cache(maxsize=256)
def _pick(
    header: str, offers: tuple[tuple[ResultFormat | RdfFormat, tuple[str, ...]], ...]
) -> ResultFormat | RdfFormat | None:
    """The best offer for an ``Accept`` header (memoised: clients send few distinct ones)."""
    accept = parse_accept_header(header, MIMEAccept)
    if not accept:
        return offers[0][0]
    best: tuple[float, int, int] | None = None
    chosen: ResultFormat | RdfFormat | None = None
    for order, (fmt, media_types) in enumerate(offers):
        for media in media_types:
            quality = accept.quality(media)
            if quality <= 0:
                continue
            exact = 1 if any(v.lower() == media for v, _ in accept) else 0
            key = (quality, exact, -order)
            if best is None or key > best:
                best, chosen = key, fmt
    return chosen


def choose_format(form: QueryForm, accept: str, override: str | None) -> ResultFormat | RdfFormat:
    """The media type of the answer: ``format=`` first, then the ``Accept`` header (its raw
    text) with q-values.

    Raises:
        NotAcceptable: nothing the client accepts can carry this query form (406).
        BadRequest: a ``format`` value that does not fit the query form.
    """
    rdf = form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)
    offers = RDF_OFFERS if rdf else RESULT_OFFERS
    if override:
        key = override.strip().lower()
        names: dict[str, ResultFormat | RdfFormat] = dict(RDF_NAMES if rdf else RESULT_NAMES)
        for fmt, media_types in offers:
            for media in media_types:
                names[media] = fmt
        if key not in names:
            kinds = "CONSTRUCT/DESCRIBE" if rdf else "SELECT/ASK"
            raise BadRequest(
                f"format={override[:60]!r} cannot carry {kinds} results; use one of "
                + ", ".join(sorted(k for k in names if "/" not in k))
            )
        return names[key]
    chosen = _pick(accept, offers)
    if chosen is None:
        kinds = "CONSTRUCT/DESCRIBE" if rdf else "SELECT/ASK"
        offered = ", ".join(m for _, ms in offers for m in ms[:1])
        raise NotAcceptable(f"no acceptable media type for {kinds} results; offered: {offered}")
    return chosen
