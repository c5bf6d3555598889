"""SPARQL 1.1 Protocol request parsing and result-format negotiation (no Flask views here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    NotAcceptable,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)
from werkzeug.wrappers import Request

from endpoint.http.negotiate import as_rdf, choose, graph_offers, offered
from riikg.formats import Format, Kind, of_kind
from riikg.sparql.text import QueryForm

SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"
READ_ONLY = (
    "this SPARQL endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, "
    "CREATE, ADD, MOVE, COPY) is not accepted"
)


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
        if mimetype == FORM:  # its UTF-8 was checked before any view (http/errors.py)
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


def choose_format(form: QueryForm, accept: MIMEAccept, override: str | None) -> Format:
    """The format of the answer: ``format=`` first, then the ``Accept`` header with q-values.

    SELECT/ASK offer the results formats, CONSTRUCT/DESCRIBE the graph formats (plain
    ``application/json`` gets JSON-LD), all from :data:`riikg.formats.TABLE`.

    Raises:
        NotAcceptable: nothing the client accepts can carry this query form (406).
        BadRequest: a ``format`` value that does not fit the query form.
    """
    rdf = form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)
    offers = graph_offers() if rdf else of_kind(Kind.RESULTS)
    kinds = "CONSTRUCT/DESCRIBE" if rdf else "SELECT/ASK"
    chosen = choose(override, accept, offers)
    if chosen is None and override:
        words = sorted({w for f in offers for w in f.names if "/" not in w})
        raise BadRequest(
            f"format={override[:60]!r} cannot carry {kinds} results; use one of " + ", ".join(words)
        )
    if chosen is None:
        raise NotAcceptable(
            f"no acceptable media type for {kinds} results; offered: {offered(offers)}"
        )
    return as_rdf(chosen)
