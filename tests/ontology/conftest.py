"""Fixtures of the ontology tests: the conforming example dataset and a docs-only app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph

from riikg.config import Settings
from riikg.store.oxigraph import OxigraphStore

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def good_graph() -> Graph:
    """The small dataset that conforms to every shape (``data/good.ttl``)."""
    return Graph().parse(data=(DATA / "good.ttl").read_bytes(), format="turtle")


@pytest.fixture(scope="session")
def docs_app(settings: Settings) -> Flask:
    """The application over an empty in-memory store (the ontology pages need no data)."""
    from endpoint import create_app

    store = OxigraphStore.memory(settings.base_iri)
    return create_app({"TESTING": True}, settings=settings, store=store)


@pytest.fixture()
def docs_client(docs_app: Flask) -> Iterator[FlaskClient]:
    with docs_app.test_client() as c:
        yield c
