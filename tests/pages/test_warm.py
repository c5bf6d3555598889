"""Page indexes are built before the first visitor (endpoint/pages/warm.py)."""

from __future__ import annotations

import time

import pyoxigraph as ox
from flask import Flask

from endpoint.cache import EXTENSION, VersionCache, data_version
from endpoint.pages.warm import start_warmer, warm
from riikg.config import Settings
from riikg.store import Store
from tests.pages.conftest import app_with

EVERY_INDEX = {"facts", "figures", "labels", "nuts-tree", "search", "sources", "types"}


def built(app: Flask) -> tuple[str, set[str]]:
    """The data version the cache holds values for, and the names of those values."""
    cache: VersionCache | None = app.extensions.get(EXTENSION)
    return (cache.key, set(cache.names())) if cache is not None else ("", set())


def test_warm_builds_every_page_index(settings: Settings) -> None:
    app = app_with(settings, "")
    assert not built(app)[1]
    names = warm(app)
    assert EVERY_INDEX <= set(names)


def test_the_warmer_follows_data_changes(settings: Settings) -> None:
    app = app_with(settings, "")
    store: Store = app.extensions["riikg"]["store"]
    lines: list[str] = []
    start_warmer(app, lines.append, poll=0.05)
    deadline = time.monotonic() + 60
    while not EVERY_INDEX <= built(app)[1] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert built(app)[0] == data_version(store)
    store.replace_graphs(
        {
            f"{settings.base_iri}graph/source/extra": [
                ox.Triple(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"), ox.Literal("1"))
            ]
        }
    )
    new = data_version(store)
    while time.monotonic() < deadline:
        key, names = built(app)
        if key == new and EVERY_INDEX <= names:
            break
        time.sleep(0.05)
    key, names = built(app)
    assert key == new and EVERY_INDEX <= names
    assert any(f"data version {store.version}" in line for line in lines)
