"""The embedded on-disk store: published snapshots, readers reopening, recovery."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from riikg.store.base import ReadOnlyStore, StoreUnavailable
from riikg.store.oxigraph import OxigraphStore, SnapshotLayout, recover

BASE = "http://localhost:8080/"
G = BASE + "graph/source/s"
P = ox.NamedNode("http://example.org/p")


def triples(n: int, tag: str) -> list[ox.Triple]:
    return [
        ox.Triple(ox.NamedNode(f"http://example.org/{tag}/{i}"), P, ox.Literal(tag))
        for i in range(n)
    ]


def test_reader_needs_published_data(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="riikg load"):
        OxigraphStore.open_reader(BASE, tmp_path / "none")


def test_reader_sees_new_versions_and_cannot_write(tmp_path: Path) -> None:
    writer = OxigraphStore.open_writer(BASE, tmp_path)
    writer.replace_graphs({G: triples(10, "a")})
    reader = OxigraphStore.open_reader(BASE, tmp_path)
    assert reader.count(G) == 10
    writer.replace_graphs({G: triples(20, "b")})
    assert reader.count(G) == 20 and reader.version == writer.version
    with pytest.raises(ReadOnlyStore):
        reader.replace_graphs({G: None})


def test_old_snapshots_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = OxigraphStore.open_writer(BASE, tmp_path)
    for i in range(5):
        writer.replace_graphs({G: triples(3, f"early{i}")})
    # within the grace period nothing a reader may still use is deleted
    assert len(list((tmp_path / "snapshots").iterdir())) == 6
    monkeypatch.setattr(OxigraphStore, "prune_grace", 0.0)
    for i in range(6):
        writer.replace_graphs({G: triples(3, f"t{i}")})
    names = sorted(p.name for p in (tmp_path / "snapshots").iterdir())
    assert len(names) == 3 and names[-1] == SnapshotLayout(tmp_path).current().name  # type: ignore[union-attr]


def test_readers_never_see_a_mix(tmp_path: Path) -> None:
    writer = OxigraphStore.open_writer(BASE, tmp_path)
    writer.replace_graphs({G: triples(200, "v0")})
    reader = OxigraphStore.open_reader(BASE, tmp_path)
    seen: set[tuple[int, int]] = set()
    stop = threading.Event()

    def read() -> None:
        q = "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?o) AS ?k) WHERE { ?s ?p ?o }"
        while not stop.is_set():
            row = reader.select(q)[0]
            seen.add((int(row["n"].value), int(row["k"].value)))

    thread = threading.Thread(target=read)
    thread.start()
    for i in range(1, 8):
        writer.replace_graphs({G: triples(200 + 50 * i, f"v{i}")})
    stop.set()
    thread.join()
    # every observed state is one complete version: one distinct object, a version's count
    assert all(k == 1 and (n - 200) % 50 == 0 for n, k in seen), seen


def test_interrupted_write_is_recovered(tmp_path: Path) -> None:
    writer = OxigraphStore.open_writer(BASE, tmp_path)
    writer.replace_graphs({G: triples(5, "good")})
    # simulate a writer killed mid-change: master modified, no publish, dirty flag left
    writer.raw.bulk_extend(
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(G)) for t in triples(7, "half")
    )
    writer.raw.flush()
    writer.close()
    layout = SnapshotLayout(tmp_path)
    layout.dirty_flag.touch()
    (layout.staging / "v999999").mkdir(parents=True)
    (layout.staging / "v999999" / "junk").write_bytes(b"x" * 1000)
    removed = recover(layout)
    assert removed["staging"] >= 1000 and removed["master"] > 0
    assert not layout.dirty_flag.exists() and not layout.staging.exists()
    again = OxigraphStore.open_writer(BASE, tmp_path)
    assert again.count(G) == 5


def test_unprojected_binding_is_a_query_error() -> None:
    from riikg.store.base import QueryFailed

    store = OxigraphStore.memory(BASE)
    with pytest.raises(QueryFailed, match="projection"):
        store.select("SELECT ?o WHERE { ?s ?p ?o }", s=ox.NamedNode("http://example.org/x"))
