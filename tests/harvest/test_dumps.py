"""Dumps: deterministic bytes, checksums, manifest, ranges, known names only."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import pyoxigraph as ox
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from endpoint import create_app
from endpoint.catalog.canonical import gzipped
from riikg.config import Settings, StoreKind
from riikg.pipeline import load_source
from riikg.store import RdfFormat
from riikg.store.oxigraph import OxigraphStore
from tests.harvest.conftest import turtle_loader, turtle_source
from tests.harvest.helpers import nt_lines

NAMES = {
    "riikg.nt.gz",
    "riikg.ttl",
    "riikg.nq.gz",
    "source/infra.nt.gz",
    "source/infra.ttl",
    "source/regions.nt.gz",
    "source/regions.ttl",
}


def test_manifest_and_checksums_match_the_files(hclient: FlaskClient) -> None:
    manifest = hclient.get("/dumps/manifest.json").get_json()
    files = {f["name"]: f for f in manifest["files"]}
    assert set(files) == NAMES
    sums = dict(
        reversed(line.split("  ", 1))
        for line in hclient.get("/dumps/SHA256SUMS").data.decode().splitlines()
    )
    assert set(sums) == NAMES
    for name, entry in files.items():
        body = hclient.get(f"/dumps/{name}").data
        assert hashlib.sha256(body).hexdigest() == entry["sha256"] == sums[name]
        assert len(body) == entry["bytes"]
        assert entry["url"] == f"http://localhost:8080/dumps/{name}"
    assert files["riikg.nt.gz"]["statements"] == 85 - 0  # 70 region + 15 infrastructure triples


def test_gzip_header_is_fixed_and_lines_sorted(hclient: FlaskClient) -> None:
    for name in ("riikg.nt.gz", "source/infra.nt.gz", "riikg.nq.gz"):
        data = hclient.get(f"/dumps/{name}").data
        assert data[:2] == b"\x1f\x8b"
        assert data[4:8] == b"\x00\x00\x00\x00"  # mtime 0
        assert data[3] & 0x08 == 0  # no FNAME field
    lines = nt_lines(hclient, "/dumps/riikg.nt.gz")
    assert lines == sorted(set(lines))
    assert gzipped(b"abc") == gzipped(b"abc")


def test_whole_graph_is_the_union_of_the_sources(hclient: FlaskClient) -> None:
    union = set(nt_lines(hclient, "/dumps/source/infra.nt.gz"))
    union |= set(nt_lines(hclient, "/dumps/source/regions.nt.gz"))
    assert set(nt_lines(hclient, "/dumps/riikg.nt.gz")) == union
    turtle = Graph().parse(data=hclient.get("/dumps/riikg.ttl").data, format="turtle")
    ntriples = Graph().parse(data="\n".join(sorted(union)), format="nt")
    assert isomorphic(turtle, ntriples)


def test_nquads_dump_keeps_graph_names_and_provenance(hclient: FlaskClient) -> None:
    ds = Dataset()
    ds.parse(data=gzip.decompress(hclient.get("/dumps/riikg.nq.gz").data), format="nquads")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    base = "http://localhost:8080/graph/"
    assert {base + "source/infra", base + "meta/infra", base + "report/regions"} <= names
    assert base + "meta" not in names  # the store-wide version record is not data


def test_range_requests(hclient: FlaskClient) -> None:
    full = hclient.get("/dumps/riikg.ttl")
    assert full.headers["Accept-Ranges"] == "bytes"
    part = hclient.get("/dumps/riikg.ttl", headers={"Range": "bytes=10-49"})
    assert part.status_code == 206
    assert part.data == full.data[10:50]
    assert part.headers["Content-Range"] == f"bytes 10-49/{len(full.data)}"
    tail = hclient.get("/dumps/riikg.nt.gz", headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and len(tail.data) == 16
    beyond = hclient.get("/dumps/riikg.ttl", headers={"Range": f"bytes={len(full.data) + 5}-"})
    assert beyond.status_code == 416


def test_dump_validators(hclient: FlaskClient) -> None:
    first = hclient.get("/dumps/source/infra.nt.gz")
    etag = first.headers["ETag"]
    assert etag == f'"{hashlib.sha256(first.data).hexdigest()}"'
    assert first.headers["Last-Modified"]
    assert first.headers["Content-Type"] == "application/gzip"
    again = hclient.get("/dumps/source/infra.nt.gz", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = hclient.get(
        "/dumps/source/infra.nt.gz", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304


def test_only_published_names_are_served(hclient: FlaskClient) -> None:
    for path in (
        "/dumps/../etc/passwd",
        "/dumps/..%2f..%2fetc%2fpasswd",
        "/dumps/source/../../riikg.nt.gz",
        "/dumps/source/%2e%2e/%2e%2e/x",
        "/dumps/source/infra.nq.gz",
        "/dumps/riikg.nt",
        "/dumps//etc/passwd",
        "/dumps/source/nope.ttl",
    ):
        response = hclient.get(path)
        assert response.status_code in (404, 308), path
        assert b"root:" not in response.data


def _store_with(settings: Settings, tmp_path: Path, files: dict[str, str]) -> OxigraphStore:
    store = OxigraphStore.memory(settings.base_iri)
    for source_id, text in files.items():
        path = tmp_path / f"{source_id}.ttl"
        path.write_text(text, encoding="utf-8")
        load_source(store, turtle_source(source_id, path, source_id), turtle_loader)
    return store


BNODES = """
@prefix riikg: <https://w3id.org/riikg/ontology/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/> .
ex:a ex:p [ ex:q "one" ; ex:r [ ex:q "two" ] ] .
ex:b ex:p [ ex:q "one" ] , [ ex:q "three" ] .
"""


def test_blank_nodes_get_canonical_labels(settings: Settings, tmp_path: Path) -> None:
    """The same data in two stores (different internal blank node ids) gives the same bytes."""
    digests = []
    for run in ("one", "two"):
        (tmp_path / run).mkdir()
        store = _store_with(settings, tmp_path / run, {"bn": BNODES})
        app = create_app({"TESTING": True}, settings=settings, store=store)
        with app.test_client() as client:
            lines = nt_lines(client, "/dumps/source/bn.nt.gz")
            assert any("_:c14n" in line for line in lines)
            manifest = client.get("/dumps/manifest.json").get_json()
        digests.append({f["name"]: f["sha256"] for f in manifest["files"] if "nq" not in f["name"]})
    assert digests[0] == digests[1]
    reparsed = Graph().parse(data="\n".join(lines), format="nt")
    assert isomorphic(reparsed, Graph().parse(data=BNODES, format="turtle"))


def test_on_disk_store_caches_dumps_per_version(tmp_path: Path) -> None:
    settings = Settings(
        base_iri="http://localhost:8080/", store=StoreKind.OXIGRAPH, store_path=tmp_path / "store"
    )
    writer = OxigraphStore.open_writer(settings.base_iri, settings.store_path)
    path = tmp_path / "bn.ttl"
    path.write_text(BNODES, encoding="utf-8")
    load_source(writer, turtle_source("bn", path, "bn"), turtle_loader)
    writer.close()
    reader = OxigraphStore.open_reader(settings.base_iri, settings.store_path)
    app: Flask = create_app({"TESTING": True}, settings=settings, store=reader)
    with app.test_client() as client:
        response = client.get("/dumps/source/bn.ttl")
        body = response.data
        response.close()  # a file on disk: the WSGI server closes it; here we do
        ranged = client.get("/dumps/source/bn.ttl", headers={"Range": "bytes=0-9"})
        assert ranged.status_code == 206 and ranged.data == body[:10]
        ranged.close()
    folders = list((tmp_path / "dumps").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith(f"{reader.version}-")
    state = json.loads((folders[0] / "dumpset.json").read_text())
    assert {f["name"] for f in state["files"]} >= {"source/bn.ttl", "riikg.nt.gz"}
    assert (folders[0] / "source" / "bn.ttl").read_bytes() == body
    assert ox.parse(body, format=ox.RdfFormat.TURTLE) is not None


def test_old_dump_versions_are_pruned(tmp_path: Path) -> None:
    from endpoint.catalog.dumps import KEEP_VERSIONS, prune

    for n in range(6):
        (tmp_path / f"{n}-x").mkdir()
        os.utime(tmp_path / f"{n}-x", (1000 + n, 1000 + n))
    (tmp_path / ".7-x.123.tmp").mkdir()  # a fresh staging folder stays
    prune(tmp_path, keep="5-x")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".7-x.123.tmp", "3-x", "4-x", "5-x"][: KEEP_VERSIONS + 1]


def test_nquads_dump_restores_an_isomorphic_dataset(
    hclient: FlaskClient, loaded: tuple[OxigraphStore, Path]
) -> None:
    """docs/security.md H6/T7: reloading the N-Quads dump gives the same graphs, with counts."""
    store = loaded[0]
    manifest = {f["name"]: f for f in hclient.get("/dumps/manifest.json").get_json()["files"]}
    data = gzip.decompress(hclient.get("/dumps/riikg.nq.gz").data)
    restored = ox.Store()
    restored.load(data, format=ox.RdfFormat.N_QUADS)
    assert len(restored) == manifest["riikg.nq.gz"]["statements"]
    graphs = sorted(g.value for g in restored.named_graphs() if isinstance(g, ox.NamedNode))
    assert graphs == [g for g in store.named_graphs() if g != "http://localhost:8080/graph/meta"]
    for graph in graphs:
        original = Graph().parse(data=store.dump(graph, RdfFormat.NTRIPLES), format="nt")
        copy = restored.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        assert isomorphic(original, Graph().parse(data=copy, format="nt")), graph
