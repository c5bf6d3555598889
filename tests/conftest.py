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


def require_tool(name: str, why: str) -> str:
    """Path of an external program; in CI a missing one fails the test instead of skipping."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed ({why})"
        if IN_CI:
            pytest.fail(message + "; CI must install it (.ci/run)")
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
