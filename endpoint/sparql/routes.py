"""Blueprint: the public, read-only SPARQL 1.1 Protocol endpoint ``/sparql`` and its editor.

Routes only; the work is done by helpers: :mod:`endpoint.sparql.protocol` (request parsing,
negotiation), :mod:`endpoint.sparql.guard` (checks on the query text),
:mod:`endpoint.sparql.executor` (execution with limits), :mod:`endpoint.sparql.description` (Service
Description), :mod:`endpoint.sparql.examples` (worked examples for the editor).
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template, request, url_for
from werkzeug.exceptions import BadRequest, Forbidden, NotAcceptable, TooManyRequests

from endpoint.http.negotiate import choose, offered
from endpoint.http.urls import ontology_url, sparql_endpoint
from endpoint.sparql.description import description, limits_text, serialise
from endpoint.sparql.examples import examples
from endpoint.sparql.executor import client_slot, execute
from endpoint.sparql.guard import (
    Analysis,
    analyse,
    cap_limit,
    check_services,
    is_volatile,
    top_limit,
)
from endpoint.sparql.protocol import READ_ONLY, choose_format, parse_request
from endpoint.sparql.result_cache import CACHEABLE
from endpoint.state import get_settings, get_store
from riikg import formats
from riikg.formats import Format, Kind
from riikg.namespaces import PREFIXES
from riikg.sparql.text import QueryForm, QueryTextError, position
from riikg.store import QueryRequest

bp = Blueprint("sparql", __name__)

#: the editor runs only scripts served by riikg and talks only to riikg (YASGUI sets a few
#: inline styles, so styles, and styles only, may be inline)
EDITOR_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
EXPOSED = "X-Result-Truncated, X-Result-Max-Rows, X-Query-Timeout, Retry-After, ETag, X-Cache, Age"


@bp.after_request
def cors(response: Response) -> Response:
    """CORS for every /sparql answer (errors included): any origin may query."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.vary.add("Accept")
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """The SPARQL 1.1 Protocol endpoint (query only)."""
    settings = get_settings()
    proto = parse_request(request, settings.max_query_bytes)
    if proto.query is None:
        return _no_query(proto.format)
    analysis = analyse(proto.query, max_depth=settings.max_query_depth)
    if analysis.form is QueryForm.UPDATE:
        raise Forbidden(READ_ONLY)
    if analysis.form is QueryForm.UNKNOWN:
        raise QueryTextError(_not_a_query(analysis.text, analysis))
    check_services(analysis, settings.service_allowlist)
    form = analysis.form
    fmt = choose_format(form, request.accept_mimetypes, proto.format)
    store = get_store()
    default_graphs, named_graphs = _dataset(proto.default_graphs, proto.named_graphs, analysis)
    text = analysis.text
    own_limit = top_limit(analysis.tokens)
    if form is not QueryForm.ASK:
        text = cap_limit(text, analysis.tokens, settings.max_rows + 1)
    timeout = _timeout(proto.timeout)
    slot = client_slot(request.remote_addr or "-", settings.max_concurrent_per_client)
    if slot is None:
        raise TooManyRequests(
            f"more than {settings.max_concurrent_per_client} queries at once from this client "
            "(RIIKG_MAX_CONCURRENT_PER_CLIENT); retry later",
            retry_after=2,
        )
    try:
        query = QueryRequest(
            text,
            fmt.media_type,
            None if default_graphs is None else tuple(default_graphs),
            None if named_graphs is None else tuple(named_graphs),
            settings.max_rows,
            timeout=timeout,
            original=analysis.text,
            count_rows=own_limit is None or own_limit > settings.max_rows,
            base_iri=sparql_endpoint(settings),
            form=form,
        )
        answer = execute(store, settings, query, client=request.environ.get("gunicorn.socket"))
    except BaseException:
        slot.release()
        raise
    body = answer.body.then(slot.release)
    # the response cache (sparql/result_cache.py) may keep this answer for identical requests
    request.environ[CACHEABLE] = not is_volatile(analysis.tokens)
    if request.method == "HEAD":
        body.close()
    response = Response(
        [] if request.method == "HEAD" else body, status=200, mimetype=fmt.media_type
    )
    if answer.truncated:
        response.headers["X-Result-Truncated"] = "true"
        response.headers["X-Result-Max-Rows"] = str(settings.max_rows)
    response.headers["X-Query-Timeout"] = f"{timeout:g}"
    # ETag / Last-Modified / 304 for GET: the global hook in endpoint/http/caching.py
    return response


def _sd_offers() -> list[Format]:
    """The Service Description: every graph format, or the editor (HTML) for browsers."""
    return [*formats.of_kind(Kind.GRAPH), formats.HTML]


def _not_a_query(text: str, analysis: Analysis) -> str:
    where = "at the end of the text"
    for tok in analysis.tokens:
        if (
            tok.keyword not in ("PREFIX", "BASE")
            and tok.kind != "iri"
            and not (tok.kind == "name" and tok.text.endswith(":"))
        ):
            where = f"at {position(text, tok.start)} ({tok.text[:30]!r})"
            break
    return (
        f"query syntax error {where}: expected SELECT, ASK, CONSTRUCT or DESCRIBE after the "
        "PREFIX/BASE declarations"
    )


def _dataset(
    default_param: list[str], named_param: list[str], analysis: Analysis
) -> tuple[list[str] | None, list[str] | None]:
    """The dataset: protocol parameters win over FROM/FROM NAMED; only local graphs."""
    if default_param or named_param:
        default, named = default_param, named_param
    elif analysis.has_dataset:
        default, named = analysis.default_graphs, analysis.named_graphs
    else:
        return None, None
    known = set(get_store().named_graphs())
    unknown = [g for g in (*default, *named) if g not in known]
    if unknown:
        raise QueryTextError(
            f"unknown graph <{unknown[0][:200]}>: FROM, FROM NAMED, default-graph-uri and "
            "named-graph-uri may only name graphs of this store (listed in the Service "
            "Description); nothing is fetched",
            400,
        )
    return list(default), list(named)


def _timeout(raw: str | None) -> float:
    settings = get_settings()
    if raw is None or raw == "":
        return settings.query_timeout
    try:
        value = float(raw)
    except ValueError as exc:
        raise BadRequest(f"timeout must be a number of seconds, got {raw[:40]!r}") from exc
    if not value > 0:
        raise BadRequest("timeout must be > 0 seconds")
    return min(value, settings.query_timeout_max)


def _no_query(fmt: str | None) -> Response:
    """No query: the Service Description for machines, the editor for browsers."""
    settings = get_settings()
    offers = _sd_offers()
    rep = choose(fmt, request.accept_mimetypes, offers)
    if rep is None:
        if fmt:
            raise BadRequest(f"format={fmt[:60]!r} is not a Service Description format")
        raise NotAcceptable(f"the Service Description is offered as {offered(offers)}")
    if rep is formats.HTML:
        return _editor()
    body = serialise(description(settings, get_store()), rep)
    return Response(body, mimetype=rep.media_type)


def _editor() -> Response:
    settings = get_settings()
    config = {
        "endpoint": url_for("sparql.sparql"),
        "prefixes": PREFIXES,
        "examples": [
            {"name": e.name, "summary": e.summary, "description": e.description, "query": e.text}
            for e in examples()
        ],
    }
    html = render_template(
        "sparql/editor.html",
        config=config,
        examples=examples(),
        limits=limits_text(settings),
        endpoint_url=sparql_endpoint(settings),
        ontology_url=ontology_url(settings),
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def init_app(app: Flask) -> None:
    """Register the blueprint (and stop the query workers at exit)."""
    app.register_blueprint(bp)
