"""Shared fixtures: settings, stores, the bundled dataset and the app (flaskr-style).

Area-specific fixtures live in each test folder's own conftest.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from riikg.config import Settings, StoreKind
from riikg.store.oxigraph import OxigraphStore

pytest_plugins = ["tests.servers"]

BASE = "http://localhost:8080/"
TEST_DATA = Path(__file__).parent / "data"
IN_CI = os.environ.get("CI", "").lower() == "true"


#: a developer who knowingly runs without Virtuoso/Chromium sets this; otherwise missing
#: tools fail their tests (``make test`` installs them, see scripts/system-deps)
ALLOW_MISSING_TOOLS = os.environ.get("RIIKG_ALLOW_MISSING_TOOLS", "") == "1" and not IN_CI


def require_tool(name: str, why: str) -> str:
    """Path of an external program; a missing one fails the test, unless the developer set
    ``RIIKG_ALLOW_MISSING_TOOLS=1`` (never in CI), which turns the failure into a skip."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed ({why}); `make test` installs it (scripts/system-deps)"
        if not ALLOW_MISSING_TOOLS:
            pytest.fail(message + "; or set RIIKG_ALLOW_MISSING_TOOLS=1 to skip")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(base_iri=BASE, store=StoreKind.MEMORY)


@pytest.fixture()
def memory_store(settings: Settings) -> OxigraphStore:
    """A fresh, empty in-memory store."""
    return OxigraphStore.memory(settings.base_iri)


@pytest.fixture(scope="session")
def bundled_store(settings: Settings) -> OxigraphStore:
    """An in-memory store holding the whole bundled dataset, loaded through the pipeline."""
    from loaders import get_loader
    from riikg.pipeline import load_source
    from riikg.sources import read_manifest

    store = OxigraphStore.memory(settings.base_iri)
    for source in read_manifest():
        load_source(store, source, get_loader(source.loader))
    return store


@pytest.fixture(scope="session")
def app(settings: Settings, bundled_store: OxigraphStore) -> Flask:
    from endpoint import create_app

    return create_app({"TESTING": True}, settings=settings, store=bundled_store)


@pytest.fixture()
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c
