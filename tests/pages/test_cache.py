"""One per-version cache: a store rebuilt to a version number seen before serves new pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
from flask.testing import FlaskClient

from endpoint import create_app
from endpoint.cache import data_version
from riikg.config import Settings
from riikg.namespaces import RIIKG, source_graph
from riikg.store.common import version_graph, version_triples
from riikg.store.oxigraph import OxigraphStore
from tests.pages.test_pages import h1, html

PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def rebuild(store: OxigraphStore, name: str, version: int, when: datetime) -> None:
    """Empty the store and write one infrastructure with the given version record, as a
    store rebuilt from scratch would look (its version counts from 1 again)."""
    base = store.base
    raw = store.raw
    raw.clear()
    subject = ox.NamedNode(f"{base}id/infrastructure/lab")
    data = ox.NamedNode(str(source_graph(base, "test")))
    raw.add(ox.Quad(subject, RDF_TYPE, ox.NamedNode(str(RIIKG.ResearchInfrastructure)), data))
    raw.add(ox.Quad(subject, PREF_LABEL, ox.Literal(name, language="en"), data))
    meta = ox.NamedNode(version_graph(base))
    for t in version_triples(base, version, when):
        raw.add(ox.Quad(t.subject, t.predicate, t.object, meta))


def test_rebuilt_store_with_the_same_version_number_serves_new_pages(
    settings: Settings,
) -> None:
    store = OxigraphStore.memory(settings.base_iri)
    first = datetime(2024, 1, 1, tzinfo=UTC)
    rebuild(store, "Old Laboratory", 3, first)
    app = create_app({"TESTING": True}, settings=settings, store=store)
    client: FlaskClient = app.test_client()
    assert h1(html(client, "/id/infrastructure/lab")) == "Old Laboratory"
    old = data_version(store)

    rebuild(store, "New Laboratory", 3, first + timedelta(minutes=5))
    assert store.version == 3 and data_version(store) != old
    assert h1(html(client, "/id/infrastructure/lab")) == "New Laboratory"
    assert "New Laboratory" in html(client, "/search?q=laboratory")
