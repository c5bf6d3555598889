"""Page indexes are built before the first visitor (endpoint/pages/warm.py)."""

from __future__ import annotations

import time

import pyoxigraph as ox
from flask import Flask

from endpoint.pages.labels import CACHE_KEY
from endpoint.pages.warm import start_warmer, warm
from riikg.config import Settings
from riikg.store import Store
from tests.pages.conftest import app_with

EVERY_INDEX = {"facts", "figures", "labels", "nuts-tree", "search", "sources", "types"}


def built(app: Flask) -> dict[str, int]:
    """Per-version index name -> the data version it was built for."""
    return {name: entry[0] for name, entry in app.extensions.get(CACHE_KEY, {}).items()}


def test_warm_builds_every_page_index(settings: Settings) -> None:
    app = app_with(settings, "")
    assert not built(app)
    names = warm(app)
    assert EVERY_INDEX <= set(names)


def test_the_warmer_follows_data_changes(settings: Settings) -> None:
    app = app_with(settings, "")
    store: Store = app.extensions["riikg"]["store"]
    lines: list[str] = []
    start_warmer(app, lines.append, poll=0.05)
    deadline = time.monotonic() + 60
    while not EVERY_INDEX <= set(built(app)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(built(app).values()) == {store.version}
    store.replace_graphs(
        {
            f"{settings.base_iri}graph/source/extra": [
                ox.Triple(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"), ox.Literal("1"))
            ]
        }
    )
    new = store.version
    while time.monotonic() < deadline:
        versions = {v for k, v in built(app).items() if k in EVERY_INDEX}
        if versions == {new}:
            break
        time.sleep(0.05)
    assert {v for k, v in built(app).items() if k in EVERY_INDEX} == {new}
    assert any(f"data version {new}" in line for line in lines)
