"""Fixtures of the loader tests: the variant dataset and loading helpers."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from loaders import get_loader
from riikg.sources import Source, SourceGraph, read_manifest
from riikg.store.oxigraph import OxigraphStore

BASE = "http://localhost:8080/"
HERE = Path(__file__).parent
VARIANTS = HERE / "data" / "variants"
CSV_FILES = tuple(
    VARIANTS / f"example-{name}.csv" for name in ("infrastructures", "equipment", "services")
)


def run_loader(loader: str, *files: Path, base: str = BASE, **options: object) -> SourceGraph:
    """Run one loader on files, without the pipeline."""
    source = Source(id="test", loader=loader, files=tuple(files), options=options)
    graph = get_loader(loader)(source, SourceGraph(), base_iri=base)
    assert isinstance(graph, SourceGraph)
    return graph


def bundled(source_id: str) -> Source:
    """A source of the bundled manifest."""
    return next(s for s in read_manifest() if s.id == source_id)


def load_bundled(source_id: str, base: str = BASE) -> Graph:
    source = bundled(source_id)
    return get_loader(source.loader)(source, SourceGraph(), base_iri=base)


@pytest.fixture()
def vocab_store(memory_store: OxigraphStore) -> OxigraphStore:
    """A memory store that already holds the bundled vocabularies (data to protect)."""
    from riikg.pipeline import load_source

    source = bundled("vocabularies")
    load_source(memory_store, source, get_loader(source.loader))
    assert memory_store.count() > 0
    return memory_store
