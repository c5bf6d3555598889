"""Build the pages' per-version indexes (labels, types, sources, facets, search, NUTS tree,
figures) before a visitor needs them.

They are built on first use per data version (``endpoint.cache.per_version``); on a large
graph that first request takes seconds. ``riikg serve`` starts :func:`start_warmer` in each
gunicorn worker: it requests a few pages in process at start and again whenever the data
version changes, so the first visitor after a load finds them ready.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Flask

from endpoint.cache import app_cache, data_version
from endpoint.state import get_store

#: how often the warmer looks for a new data version (seconds)
POLL_SECONDS = 5.0


def warm(app: Flask) -> list[str]:
    """Build every per-version index now; return the names of those built."""
    from endpoint.pages.browse import facts, figures, region_tree
    from endpoint.pages.labels import labels, sources, types
    from endpoint.pages.search import search_index

    with app.test_request_context("/"):
        for build in (labels, types, sources, facts, figures, region_tree, search_index):
            build()
        return app_cache().names()


def start_warmer(
    app: Flask, log: Callable[[str], None] | None = None, poll: float = POLL_SECONDS
) -> threading.Thread:
    """Warm now and after every data change, in a daemon thread of this server process;
    ``log`` gets one line per warm-up (default: the application's logger)."""
    say = log or app.logger.warning

    def loop() -> None:
        warmed: str | None = None
        while True:
            try:
                with app.app_context():
                    store = get_store()
                    key, number = data_version(store), store.version
                if key != warmed:
                    started = time.monotonic()
                    built = warm(app)
                    warmed = key
                    say(
                        f"pages warmed for data version {number} in "
                        f"{time.monotonic() - started:.1f} s ({', '.join(built)})"
                    )
            except Exception as exc:  # the store may be down; try again later
                say(f"page warm-up failed: {exc}")
            time.sleep(poll)

    thread = threading.Thread(target=loop, name="riikg-page-warmer", daemon=True)
    thread.start()
    return thread
