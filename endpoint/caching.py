"""HTTP caching for every GET: ETag / Last-Modified from the data version, 304 answers.

The representation of a GET depends only on the data version, the software version, the
path and query string and the negotiation headers (``Accept``, ``Accept-Language``), so a
strong ETag is a hash of those and can be computed *before* the view runs:

* ``before_request`` answers ``If-None-Match`` (and, without it, ``If-Modified-Since``
  against the store's last write) with 304 without doing the work;
* ``after_request`` sets ``ETag``, ``Last-Modified`` and ``Cache-Control`` on 200 GET/HEAD
  responses that did not set their own (dumps use their content digest instead).

Never on error responses, on ``/health`` or on static files (Flask handles those).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Flask, Response, current_app, g, request

import riikg
from endpoint import get_store
from riikg.store import StoreError

EXCLUDED_PATHS = ("/health",)
EXCLUDED_PREFIXES = ("/static/",)
DEFAULT_MAX_AGE = 60


def applies() -> bool:
    """Whether the caching hooks handle the current request."""
    return (
        request.method in ("GET", "HEAD")
        and request.path not in EXCLUDED_PATHS
        and not request.path.startswith(EXCLUDED_PREFIXES)
    )


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


def check_conditional() -> Response | None:
    """``before_request``: 304 when the client's copy is current (nothing else runs)."""
    if not applies():
        return None
    try:
        store = get_store()
        version, modified = store.version, store.modified
    except StoreError:
        return None  # the view reports the store problem
    etag = representation_etag(version, modified)
    g.riikg_cache = (etag, modified)
    if request.if_none_match:
        # "*" would match even a resource that does not exist: let the view answer
        if not request.if_none_match.star_tag and request.if_none_match.contains_weak(etag):
            return not_modified(etag, modified)
        return None
    since = request.if_modified_since
    if since is not None and modified is not None and modified.replace(microsecond=0) <= since:
        return not_modified(etag, modified)
    return None


def not_modified(etag: str, modified: datetime | None) -> Response:
    response = Response(status=304)
    response.set_etag(etag)
    if modified is not None:
        response.last_modified = modified
    response.headers["Cache-Control"] = cache_control()
    response.vary.update(("Accept", "Accept-Language"))
    return response


def cache_control() -> str:
    max_age = int(current_app.config.get("CACHE_MAX_AGE", DEFAULT_MAX_AGE))
    return f"public, max-age={max_age}"


def add_validators(response: Response) -> Response:
    """``after_request``: validators and freshness on successful GET/HEAD responses."""
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


def init_app(app: Flask) -> None:
    """Register the caching hooks."""
    app.before_request(check_conditional)
    app.after_request(add_validators)
