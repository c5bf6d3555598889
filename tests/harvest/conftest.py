"""Harvest fixtures: small Turtle sources loaded through the real pipeline into a memory store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph

from endpoint import create_app
from riikg.config import Settings
from riikg.pipeline import LoadReport, load_source
from riikg.sources import Source, SourceGraph
from riikg.store.oxigraph import OxigraphStore

DATA = Path(__file__).parent / "data"
LICENCE = "http://creativecommons.org/licenses/by/4.0/"


def turtle_loader(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """An inline loader: parse each Turtle file of the source (bytes, never a location)."""
    for path in source.files:
        graph.parse(data=path.read_bytes(), format="turtle")
    return graph


def turtle_source(source_id: str, path: Path, title: str) -> Source:
    return Source(
        id=source_id,
        loader="turtle",
        files=(path,),
        title=title,
        licence=LICENCE,
        attribution=f"{title} (test data)",
        retrieved="2026-11-01",
        homepage="https://example.org/" + source_id,
    )


Loader = Callable[[str, Path, str], LoadReport]


@pytest.fixture()
def loaded(memory_store: OxigraphStore, tmp_path: Path) -> tuple[OxigraphStore, Path]:
    """A memory store with two sources (regions, infrastructures); files copied to tmp_path."""
    for name in ("regions.ttl", "infrastructures.ttl"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    load_source(
        memory_store,
        turtle_source("regions", tmp_path / "regions.ttl", "Test regions"),
        turtle_loader,
    )
    load_source(
        memory_store,
        turtle_source("infra", tmp_path / "infrastructures.ttl", "Test infrastructures"),
        turtle_loader,
    )
    return memory_store, tmp_path


@pytest.fixture()
def app_with(settings: Settings, loaded: tuple[OxigraphStore, Path]) -> Callable[..., Flask]:
    """Builds a harvest app with some settings changed (``app_with(oai_page_size=2)``)."""

    def make(**changes: Any) -> Flask:
        return create_app({"TESTING": True}, settings=settings.replace(**changes), store=loaded[0])

    return make


@pytest.fixture()
def harvest_app(app_with: Callable[..., Flask]) -> Flask:
    return app_with()


@pytest.fixture()
def hclient(harvest_app: Flask) -> Iterator[FlaskClient]:
    with harvest_app.test_client() as c:
        yield c
