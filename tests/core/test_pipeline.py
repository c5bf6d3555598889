"""The load pipeline: provenance, idempotence, and failing sources change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from riikg.errors import LoadError, SourceRefused
from riikg.namespaces import meta_graph, report_graph, source_graph
from riikg.pipeline import Status, check_source, drop_source, load_source
from riikg.store.base import RdfFormat
from riikg.store.oxigraph import OxigraphStore
from tests.core.helpers import BASE, INFRA_TTL, turtle_loader, write_source

PROVENANCE = """
PREFIX riikg: <https://w3id.org/riikg/ontology/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT * WHERE { GRAPH ?m { ?g riikg:sha256 ?sha ; void:triples ?n ; prov:generatedAtTime ?t ;
  riikg:validationConforms ?ok ; riikg:softwareVersion ?sw ; riikg:loader ?loader ;
  dct:modified ?mod ; riikg:validationReport ?report } }
"""


def snapshot(store: OxigraphStore) -> tuple[int, int, bytes]:
    dump = b"".join(store.dump(g, RdfFormat.NQUADS) for g in store.named_graphs())
    return store.version, store.count(), dump


def test_load_writes_graph_and_provenance(memory_store: OxigraphStore, tmp_path: Path) -> None:
    report = load_source(memory_store, write_source(tmp_path, INFRA_TTL), turtle_loader)
    assert report.status is Status.LOADED and report.triples == 4
    g = str(source_graph(BASE, "test"))
    assert memory_store.count(g) == 4
    assert str(meta_graph(BASE, "test")) in memory_store.named_graphs()
    assert str(report_graph(BASE, "test")) in memory_store.named_graphs()
    import pyoxigraph as ox

    rows = memory_store.select(PROVENANCE, m=ox.NamedNode(str(meta_graph(BASE, "test"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["g"].value == g
    assert row["n"].value == "4" and row["ok"].value == "true"
    assert len(row["sha"].value) == 64
    assert row["loader"].value == "test-turtle"


def test_unchanged_source_is_a_noop(memory_store: OxigraphStore, tmp_path: Path) -> None:
    source = write_source(tmp_path, INFRA_TTL)
    load_source(memory_store, source, turtle_loader)
    before = snapshot(memory_store)
    again = load_source(memory_store, source, turtle_loader)
    assert again.status is Status.UNCHANGED
    assert "unchanged" in again.describe()
    forced = load_source(memory_store, source, turtle_loader, force=True)
    assert forced.status is Status.UNCHANGED  # same triples: still nothing written
    assert snapshot(memory_store) == before


def test_changed_source_replaces_its_graph(memory_store: OxigraphStore, tmp_path: Path) -> None:
    load_source(memory_store, write_source(tmp_path, INFRA_TTL), turtle_loader)
    v1 = memory_store.version
    changed = INFRA_TTL.replace('"Test Lab"@en', '"Test Laboratory"@en')
    report = load_source(memory_store, write_source(tmp_path, changed), turtle_loader)
    assert report.status is Status.LOADED and memory_store.version > v1
    labels = {
        r["l"].value
        for r in memory_store.select(
            "SELECT ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
        )
    }
    assert labels == {"Test Laboratory"}


def test_parse_error_changes_nothing(memory_store: OxigraphStore, tmp_path: Path) -> None:
    load_source(memory_store, write_source(tmp_path, INFRA_TTL), turtle_loader)
    before = snapshot(memory_store)
    with pytest.raises(LoadError, match=r"test.ttl:1"):
        load_source(memory_store, write_source(tmp_path, INFRA_TTL + " <broken"), turtle_loader)
    assert snapshot(memory_store) == before


def test_invalid_source_is_refused_and_changes_nothing(
    memory_store: OxigraphStore, tmp_path: Path
) -> None:
    load_source(memory_store, write_source(tmp_path, INFRA_TTL), turtle_loader)
    before = snapshot(memory_store)
    # an infrastructure without any name violates the shapes (skos:prefLabel 1..*)
    nameless = "\n".join(line for line in INFRA_TTL.splitlines() if "prefLabel" not in line)
    with pytest.raises(SourceRefused) as info:
        load_source(memory_store, write_source(tmp_path, nameless), turtle_loader)
    assert "prefLabel" in info.value.summary
    assert snapshot(memory_store) == before


def test_drop_removes_graph_provenance_and_report(
    memory_store: OxigraphStore, tmp_path: Path
) -> None:
    load_source(memory_store, write_source(tmp_path, INFRA_TTL), turtle_loader)
    drop_source(memory_store, "test")
    assert memory_store.source_graphs() == []
    assert all("/test" not in g for g in memory_store.named_graphs())


def test_check_source_is_the_path_load_takes_and_writes_nothing(
    memory_store: OxigraphStore, tmp_path: Path
) -> None:
    """``riikg validate`` calls check_source; it reads and validates like a load, no write."""
    source = write_source(tmp_path, INFRA_TTL)
    before = snapshot(memory_store)
    said: list[str] = []
    checked = check_source(memory_store, source, turtle_loader, progress=said.append)
    assert snapshot(memory_store) == before
    assert said == ["test: reading test.ttl", "test: validating 4 triples"]
    assert checked.outcome.conforms and len(checked.graph) == 4
    report = load_source(memory_store, source, turtle_loader)
    assert report.outcome is not None
    assert report.outcome.summary() == checked.outcome.summary()
