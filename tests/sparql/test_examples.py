"""The worked examples: well-formed, documented, listed in the editor, and answering with rows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from markupsafe import escape

from endpoint.sparql.examples import examples
from riikg.namespaces import PREFIXES
from riikg.store.oxigraph import OxigraphStore
from tests.sparql.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]
NAMES = [e.name for e in examples()]
JSON = "application/sparql-results+json"


def test_at_least_twelve_examples() -> None:
    assert len(examples()) >= 12


@pytest.mark.parametrize("name", NAMES)
def test_example_is_valid_and_documented(name: str) -> None:
    example = next(e for e in examples() if e.name == name)
    assert example.summary and example.description
    ox.Store().query(example.text)  # parses (and runs on an empty store)


def rows(app: Flask, text: str) -> list[dict[str, object]]:
    r = app.test_client().post("/sparql", data={"query": text}, headers={"Accept": JSON})
    assert r.status_code == 200, r.data
    found: list[dict[str, object]] = json.loads(r.data)["results"]["bindings"]
    return found


def _closing(app: Flask) -> Iterator[Flask]:
    yield app
    pool = app.extensions.get("riikg.sparql_pool")
    if pool is not None:
        pool.close()


@pytest.fixture(scope="module")
def sample_app(sample_store: OxigraphStore) -> Iterator[Flask]:
    yield from _closing(make_app(sample_store))


@pytest.fixture(scope="module")
def bundled_app(bundled_store: OxigraphStore) -> Iterator[Flask]:
    yield from _closing(make_app(bundled_store))


@pytest.mark.parametrize("name", NAMES)
def test_example_answers_on_the_sample(sample_app: Flask, name: str) -> None:
    example = next(e for e in examples() if e.name == name)
    assert rows(sample_app, example.text)


def _requirement(text: str) -> str | None:
    match = re.search(r"^#\+ requires: (\S+)", text, re.M)
    return match.group(1) if match else None


@pytest.mark.parametrize("name", NAMES)
def test_example_answers_on_the_bundled_data(bundled_app: Flask, name: str) -> None:
    example = next(e for e in examples() if e.name == name)
    found = rows(bundled_app, example.text)
    required = _requirement(example.text)
    if required and not found:
        prefix, _, local = required.partition(":")
        q = f"ASK {{ ?x a <{PREFIXES[prefix]}{local}> }}"
        r = bundled_app.test_client().get("/sparql", query_string={"query": q})
        assert json.loads(r.data)["boolean"] is False, f"{name}: {required} exists but no rows"
        pytest.skip(f"the bundled data has no {required} yet")
    assert found, f"{name} returned no rows on the bundled data"


def test_editor_lists_examples_and_prefixes(sparql_app: Flask) -> None:
    r = sparql_app.test_client().get("/sparql", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "vendor/yasgui/yasgui.min.js" in html and "vendor/yasgui/yasgui.min.css" in html
    assert "static/sparql.js" in html
    assert "/ontology" in html
    config = json.loads(
        re.search(
            r'<script type="application/json" id="sparql-config">(.*?)</script>', html, re.S
        ).group(1)  # type: ignore[union-attr]
    )
    assert config["prefixes"] == PREFIXES
    assert [e["name"] for e in config["examples"]] == NAMES
    for example in examples():
        assert str(escape(example.summary)) in html
    assert "cdn" not in html.lower()


def test_readme_documents_every_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- section:examples -->")[1].split("<!-- /section:examples -->")[0]
    for name in NAMES:
        assert f"{name}.rq" in section, name
