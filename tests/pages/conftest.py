"""Fixtures of the page tests: a small real dataset (``data/pages.trig``) in an in-memory
store, the app over it, and a real HTTP server on loopback for the browser tests."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from riikg.config import Settings
from riikg.store import Store
from riikg.store.oxigraph import OxigraphStore
from tests.web import serve_in_thread

DATA = Path(__file__).parent / "data"
ARTIFACTS = Path(__file__).parent.parent / "artifacts"


def load_trig(store: Store, path: Path) -> None:
    """Load a TriG file graph by graph, as the pipeline would (one write per graph set)."""
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
        assert isinstance(quad.graph_name, ox.NamedNode)
        graphs[quad.graph_name.value].append(quad.triple)
    store.replace_graphs(dict(graphs))


def nuts_geojson(path: Path) -> Path:
    """A tiny NUTS outlines file in the GISCO layout (two countries, levels 0-3)."""
    boxes = {
        "IT": (0, 6.6, 36.6, 18.5, 47.1),
        "ITH": (1, 10.0, 43.7, 13.9, 47.1),
        "ITH5": (2, 9.2, 43.7, 12.8, 45.1),
        "ITH55": (3, 11.0, 44.1, 11.8, 44.8),
        "ITH54": (3, 10.4, 44.1, 11.2, 44.9),
        "NL": (0, 3.3, 50.7, 7.2, 53.6),
        "NL4": (1, 3.3, 50.7, 6.2, 51.8),
        "NL41": (2, 4.2, 51.2, 6.0, 51.8),
        "NL414": (3, 5.0, 51.2, 6.0, 51.6),
    }
    features = []
    for code, (level, x0, y0, x1, y1) in boxes.items():
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "NUTS_ID": code,
                    "LEVL_CODE": level,
                    "CNTR_CODE": code[:2],
                    "NAME_LATN": f"<b>{code}</b>",
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture(scope="session")
def pages_store(settings: Settings) -> OxigraphStore:
    store = OxigraphStore.memory(settings.base_iri)
    load_trig(store, DATA / "pages.trig")
    return store


@pytest.fixture(scope="session")
def pages_app(
    settings: Settings, pages_store: OxigraphStore, tmp_path_factory: pytest.TempPathFactory
) -> Flask:
    from endpoint import create_app

    geo = nuts_geojson(tmp_path_factory.mktemp("geo") / "nuts.geojson")
    return create_app(
        {"TESTING": True}, settings=settings.replace(nuts_geojson=geo), store=pages_store
    )


@pytest.fixture()
def pclient(pages_app: Flask) -> Iterator[FlaskClient]:
    with pages_app.test_client() as c:
        yield c


@pytest.fixture(scope="session")
def live_server(pages_app: Flask) -> Iterator[str]:
    """The app on a free loopback port, served by werkzeug in a thread."""
    with serve_in_thread(pages_app) as url:
        yield url


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def app_with(settings: Settings, trig: str) -> Flask:
    """An app over the page-test dataset plus extra TriG (a feature's or edge case's data)."""
    from endpoint import create_app

    store = OxigraphStore.memory(settings.base_iri)
    load_trig(store, DATA / "pages.trig")
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in ox.parse(trig.encode("utf-8"), format=ox.RdfFormat.TRIG):
        assert isinstance(quad.graph_name, ox.NamedNode)
        graphs[quad.graph_name.value].append(quad.triple)
    store.replace_graphs(dict(graphs))
    return create_app({"TESTING": True}, settings=settings, store=store)
