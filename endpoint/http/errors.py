"""Domain exceptions and the one error handler, answering in the negotiated format."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException

from endpoint.http.negotiate import negotiate
from riikg import formats
from riikg.formats import Format
from riikg.sparql.text import QueryTextError
from riikg.store import QueryFailed, QueryTimeout, StoreUnavailable


class ResourceNotFound(Exception):
    """No description of the requested IRI."""


def _preferred() -> Format:
    """HTML, JSON or plain text: what the client accepts; plain text without an ``Accept``."""
    if request.path.endswith(".json"):
        return formats.JSON
    if not request.accept_mimetypes:
        return formats.TEXT
    offers = [formats.HTML, formats.JSON, formats.SPARQL_JSON, formats.TEXT]
    return negotiate(request.accept_mimetypes, offers) or formats.TEXT


def error_response(
    status: int, title: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """An error in the format the client asked for (HTML, JSON or plain text)."""
    kind = _preferred()
    if kind is formats.HTML:
        body = render_template("error.html", status=status, title=title, message=message)
        response = Response(body, status=status, mimetype=kind.media_type)
    elif kind in (formats.JSON, formats.SPARQL_JSON):
        response = jsonify({"status": status, "error": title, "message": message})
        response.status_code = status
    else:
        text = f"{status} {title}: {message}\n"
        response = Response(text, status=status, mimetype=formats.TEXT.media_type)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


FORM = "application/x-www-form-urlencoded"


def _undecodable(raw: bytes) -> int | None:
    """1-based position of the first byte that is not valid UTF-8 (None: all valid)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start + 1
    return None


def _invalid_part() -> str | None:
    """What part of the request is not UTF-8 once percent-decoded (path, query, form)."""
    # WSGI hands the path over as latin-1 text of the raw (percent-decoded) bytes
    path = request.environ.get("PATH_INFO", "")
    at = _undecodable(path.encode("latin-1", "replace"))
    if at is not None:
        return f"the path (byte {at})"
    at = _undecodable(unquote_to_bytes(request.query_string))
    if at is not None:
        return f"the query string (byte {at} once percent-decoded)"
    length = request.content_length
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.mimetype == FORM and (length is None or limit is None or length <= limit):
        at = _undecodable(unquote_to_bytes(request.get_data(cache=True)))
        if at is not None:
            return f"the form body (byte {at} once percent-decoded)"
    return None


def require_utf8() -> None:
    """``before_request``: a path, query string or form body that is not UTF-8 is a 400.

    Werkzeug would decode it with U+FFFD replacements and the request would silently mean
    something else; a lone surrogate (``%ED%A0%80``) or an overlong form (``%C0%AF``) is not
    UTF-8 either.
    """
    part = _invalid_part()
    if part is not None:
        raise BadRequest(f"{part} is not valid UTF-8; percent-encode UTF-8 text")


def init_app(app: Flask) -> None:
    """Map exceptions to HTTP once; refuse requests that are not UTF-8 before any view."""
    app.before_request(require_utf8)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        headers = {k: v for k, v in exc.get_headers() if k.lower() not in ("content-type",)}
        return error_response(exc.code or 500, exc.name, exc.description or exc.name, headers)

    @app.errorhandler(ResourceNotFound)
    def not_found(exc: ResourceNotFound) -> Response:
        return error_response(404, "Not Found", str(exc))

    @app.errorhandler(QueryTextError)
    def query_refused(exc: QueryTextError) -> Response:
        """A query text refused before it runs (syntax, limits, forbidden features)."""
        return error_response(
            exc.status, "Forbidden" if exc.status == 403 else "Bad Query", str(exc)
        )

    @app.errorhandler(QueryFailed)
    def query_failed(exc: QueryFailed) -> Response:
        return error_response(400, "Bad Query", str(exc))

    @app.errorhandler(QueryTimeout)
    def query_timeout(exc: QueryTimeout) -> Response:
        return error_response(503, "Query Timeout", str(exc), {"Retry-After": "5"})

    @app.errorhandler(StoreUnavailable)
    def unavailable(exc: StoreUnavailable) -> Response:
        return error_response(503, "Store Unavailable", str(exc), {"Retry-After": "10"})
