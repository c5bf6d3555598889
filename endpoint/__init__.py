"""The web layer: ``create_app()`` builds the Flask application (flaskr-style factory)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from endpoint.state import EXTENSION, MAX_REQUEST_BODY, RESULT_CACHE, get_store
from riikg.config import Settings, from_mapping, load_settings
from riikg.store import Store, open_store


def create_app(
    test_config: Mapping[str, Any] | None = None,
    *,
    settings: Settings | None = None,
    store: Store | None = None,
) -> Flask:
    """Create the application.

    Args:
        test_config: Flask config for tests; a ``RIIKG`` key may hold a mapping of settings.
        settings: riikg settings (default: read from ``RIIKG_*`` and ``$RIIKG_CONFIG``).
        store: an already opened store (tests); default: opened from the settings.
    """
    app = Flask(__name__)
    # Werkzeug's slash-fixing redirects build their Location from the request's Host header;
    # a public service must never redirect to a host a client chose (docs/security.md E9).
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.config.from_mapping(JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=MAX_REQUEST_BODY)
    if test_config is not None:
        app.config.from_mapping(test_config)
    if settings is None:
        riikg_conf = app.config.get("RIIKG")
        settings = from_mapping(riikg_conf) if riikg_conf else load_settings()
    if store is None:
        store = open_store(settings)
    app.extensions[EXTENSION] = {"settings": settings, "store": store}

    from endpoint import ontology
    from endpoint.catalog import routes as catalog
    from endpoint.http import caching, errors, xmlsafe
    from endpoint.pages import routes as pages
    from endpoint.sparql import routes as sparql

    # registered first, so it runs last: it cleans the XML body every other hook produced
    app.after_request(xmlsafe.sanitise)
    errors.init_app(app)
    for module in (caching, sparql, pages, catalog, ontology):
        module.init_app(app)
    if settings.result_cache_mb > 0:
        from endpoint.sparql.result_cache import MAX_ENTRY_BYTES, ResultCache

        cached = store
        app.extensions[RESULT_CACHE] = app.wsgi_app = ResultCache(  # type: ignore[method-assign]
            app.wsgi_app,
            lambda: cached.version,
            max_bytes=settings.result_cache_mb << 20,
            ttl=settings.result_cache_ttl,
            max_body=MAX_ENTRY_BYTES,
        )

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Liveness and readiness: answers 503 (StoreUnavailable) when the store is unreachable."""
        store = get_store()
        store.ask("ASK {}")  # a real round trip, not a cached version
        return {"status": "ok", "version": store.version}

    return app
