"""Change detection: an unchanged reload changes nothing; one changed infrastructure shows."""

from __future__ import annotations

import time
from pathlib import Path

from flask.testing import FlaskClient
from rdflib import URIRef
from rdflib.namespace import DCTERMS

from riikg.pipeline import Status, load_source
from riikg.store.oxigraph import OxigraphStore
from tests.harvest.conftest import turtle_loader, turtle_source
from tests.harvest.helpers import get_graph

ROUTES = [
    "/catalog",
    "/.well-known/void",
    "/sitemap.xml",
    "/graph/source/infra",
    "/oai?verb=Identify",
]
DATASETS = {
    "kg": URIRef("http://localhost:8080/.well-known/void#riikg"),
    "infra": URIRef("http://localhost:8080/graph/source/infra"),
    "regions": URIRef("http://localhost:8080/graph/source/regions"),
}


def state(client: FlaskClient) -> dict[str, object]:
    catalog = get_graph(client, "/catalog")
    manifest = client.get("/dumps/manifest.json").get_json()
    return {
        "etags": {url: client.get(url).headers["ETag"] for url in ROUTES},
        "modified": {k: str(catalog.value(v, DCTERMS.modified)) for k, v in DATASETS.items()},
        "sha256": {f["name"]: f["sha256"] for f in manifest["files"]},
    }


def reload(store: OxigraphStore, tmp: Path, *, force: bool = False) -> list[Status]:
    return [
        load_source(
            store,
            turtle_source("regions", tmp / "regions.ttl", "Test regions"),
            turtle_loader,
            force=force,
        ).status,
        load_source(
            store,
            turtle_source("infra", tmp / "infrastructures.ttl", "Test infrastructures"),
            turtle_loader,
            force=force,
        ).status,
    ]


def test_unchanged_reload_changes_nothing(
    hclient: FlaskClient, loaded: tuple[OxigraphStore, Path]
) -> None:
    store, tmp = loaded
    before = state(hclient)
    version = store.version
    assert reload(store, tmp) == [Status.UNCHANGED, Status.UNCHANGED]
    assert reload(store, tmp, force=True) == [Status.UNCHANGED, Status.UNCHANGED]
    assert store.version == version
    assert state(hclient) == before


def test_changing_one_infrastructure_shows_everywhere(
    hclient: FlaskClient, loaded: tuple[OxigraphStore, Path]
) -> None:
    store, tmp = loaded
    before = state(hclient)
    time.sleep(1.05)  # dct:modified has one-second resolution
    path = tmp / "infrastructures.ttl"
    path.write_text(path.read_text().replace("Delta Laboratory", "Delta Lab"), encoding="utf-8")
    assert reload(store, tmp) == [Status.UNCHANGED, Status.LOADED]
    after = state(hclient)
    for url in ROUTES:
        assert after["etags"][url] != before["etags"][url], url  # type: ignore[index]
    assert after["modified"]["regions"] == before["modified"]["regions"]  # type: ignore[index]
    assert after["modified"]["infra"] > before["modified"]["infra"]  # type: ignore[index]
    assert after["modified"]["kg"] == after["modified"]["infra"]  # type: ignore[index]
    old, new = before["sha256"], after["sha256"]
    assert isinstance(old, dict) and isinstance(new, dict)
    for name in ("source/regions.nt.gz", "source/regions.ttl"):
        assert new[name] == old[name], name
    for name in (
        "source/infra.nt.gz",
        "source/infra.ttl",
        "riikg.nt.gz",
        "riikg.ttl",
        "riikg.nq.gz",
    ):
        assert new[name] != old[name], name
    body = hclient.get("/dumps/source/infra.ttl").data
    assert b'Delta Lab"' in body and b"Delta Laboratory" not in body
