"""HTTP caching for every GET (ETag / Last-Modified from the data version) and the one
evaluation of preconditions (RFC 9110 §13.2) for every route.

The representation of a GET depends only on the data version, the software version, the
path and query string and the negotiation headers (``Accept``, ``Accept-Language``), so a
strong ETag is a hash of those:

* ``before_request`` notes the ETag and the store's last write for this request;
* ``after_request`` sets ``ETag``, ``Last-Modified`` and ``Cache-Control`` on 200 GET/HEAD
  responses that did not set their own (dumps and static files use their content's), then
  evaluates the preconditions against the response's own validators.

Preconditions are evaluated only when the answer would otherwise be a success (2xx): an
unknown entity stays 404, a SPARQL syntax error 400, a forbidden SERVICE 403, whatever
``If-Modified-Since`` or ``If-None-Match`` say. In the order of RFC 9110 §13.2.2:
``If-Match`` (strong comparison), else ``If-Unmodified-Since``, fail with 412;
``If-None-Match`` (weak comparison; ``*`` matches any existing resource) fails with 304 on
GET/HEAD and 412 otherwise; else ``If-Modified-Since`` gives 304 on GET/HEAD. A 304 has no
body; a 412 carries only a short message (never the representation). Answers that Werkzeug
already made conditional (``send_file``) are evaluated again by the same rules. Never on
``/health``, and never for OPTIONS, CONNECT or TRACE.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import Enum

from flask import Flask, Response, g, request

import riikg
from endpoint.http.errors import error_response
from endpoint.state import get_settings, get_store
from riikg.store import StoreError

EXCLUDED_PATHS = ("/health",)
EXCLUDED_PREFIXES = ("/static/",)
#: methods that select no representation: preconditions are ignored (RFC 9110 §13.2.1)
NO_PRECONDITIONS = ("OPTIONS", "CONNECT", "TRACE")
#: headers a 304 repeats from the answer it replaces (RFC 9110 §15.4.5), plus CORS
KEPT_ON_304 = (
    "Cache-Control",
    "Content-Location",
    "Date",
    "ETag",
    "Expires",
    "Last-Modified",
    "Vary",
    "Access-Control-Allow-Origin",
)


class Verdict(Enum):
    """What the preconditions of a request decide."""

    PROCEED = 200
    NOT_MODIFIED = 304
    FAILED = 412


def applies() -> bool:
    """Whether the current request gets validators (GET/HEAD, not /health or static)."""
    return (
        request.method in ("GET", "HEAD")
        and request.path not in EXCLUDED_PATHS
        and not request.path.startswith(EXCLUDED_PREFIXES)
    )


def has_preconditions() -> bool:
    """Whether the preconditions of the current request are evaluated at all."""
    return request.method not in NO_PRECONDITIONS and request.path not in EXCLUDED_PATHS


def representation_etag(version: int, modified: datetime | None) -> str:
    """Strong ETag of the current request's representation at a data version."""
    parts = [
        str(version),
        modified.isoformat() if modified else "",
        riikg.__version__,
        request.path,
        request.query_string.decode("latin-1"),
        request.headers.get("Accept", ""),
        request.headers.get("Accept-Language", ""),
    ]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"v{version}-{digest}"


def note_validators() -> None:
    """``before_request``: the ETag and last write of the data this request reads."""
    if not applies():
        return
    try:
        store = get_store()
        version, modified = store.version, store.modified
    except StoreError:
        return  # the view reports the store problem
    g.riikg_cache = (representation_etag(version, modified), modified)


def evaluate(etag: str | None, weak: bool, last_modified: datetime | None) -> Verdict:
    """RFC 9110 §13.2.2 for the current request, against a successful answer's validators.

    ``etag`` is the unquoted ETag of the answer (None: it has none), ``weak`` says whether
    it is a weak one (``If-Match`` needs a strong one).
    """
    headers = request.headers
    if "If-Match" in headers:
        wanted = request.if_match
        strong = etag is not None and not weak and wanted.is_strong(etag)
        if not (wanted.star_tag or strong):
            return Verdict.FAILED
    elif "If-Unmodified-Since" in headers:
        since = request.if_unmodified_since  # None when not a valid HTTP-date: ignored
        if since is not None and last_modified is not None and last_modified > since:
            return Verdict.FAILED
    safe = request.method in ("GET", "HEAD")
    if "If-None-Match" in headers:
        unwanted = request.if_none_match
        if unwanted.star_tag or (etag is not None and unwanted.contains_weak(etag)):
            return Verdict.NOT_MODIFIED if safe else Verdict.FAILED
    elif safe and "If-Modified-Since" in headers:
        since = request.if_modified_since
        if since is not None and last_modified is not None and last_modified <= since:
            return Verdict.NOT_MODIFIED
    return Verdict.PROCEED


def not_modified(response: Response) -> Response:
    """The 304 that replaces a successful answer: its validators, no body."""
    answer = Response(status=304)
    for name in KEPT_ON_304:
        if name in response.headers:
            answer.headers[name] = response.headers[name]
    return answer


def precondition_failed() -> Response:
    """412 with a short message in the negotiated format (never the representation)."""
    return error_response(
        412,
        "Precondition Failed",
        "a precondition of the request (If-Match, If-Unmodified-Since or If-None-Match) "
        "does not hold for the current representation",
    )


def cache_control() -> str:
    return f"public, max-age={get_settings().cache_max_age}"


def add_validators(response: Response) -> Response:
    """Validators and freshness on a successful GET/HEAD response."""
    cache = g.get("riikg_cache")
    if cache is None or not applies() or response.status_code != 200:
        return response
    if "no-store" in response.headers.get("Cache-Control", ""):
        return response
    etag, modified = cache
    if "ETag" not in response.headers:
        response.set_etag(etag)
        if modified is not None and response.last_modified is None:
            response.last_modified = modified
        response.vary.update(("Accept", "Accept-Language"))
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = cache_control()
    return response


def _was_success(response: Response) -> bool:
    """A 2xx, or a 304/412 that ``send_file`` made of an existing file (it has an ETag)."""
    status = response.status_code
    if 200 <= status < 300:
        return True
    return status in (304, 412) and "ETag" in response.headers


def apply_preconditions(response: Response) -> Response:
    """``after_request``: validators, then the preconditions of a successful answer."""
    response = add_validators(response)
    if not has_preconditions() or not _was_success(response):
        return response
    etag, weak = response.get_etag()
    outcome = evaluate(etag, bool(weak), response.last_modified)
    if outcome is Verdict.PROCEED:
        if response.status_code in (304, 412):  # Werkzeug's own verdict, not ours
            response.status_code = 200
        return response
    response.close()  # releases what a streamed answer holds (a query slot, a file)
    if outcome is Verdict.NOT_MODIFIED:
        return not_modified(response)
    return precondition_failed()


def init_app(app: Flask) -> None:
    """Register the caching hooks."""
    app.before_request(note_validators)
    app.after_request(apply_preconditions)
