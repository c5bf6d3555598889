"""A minimal Turtle loader (the loader shape) for core tests independent of loaders/."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from riikg.errors import LoadError, Location
from riikg.sources import Source, SourceGraph

BASE = "http://localhost:8080/"

INFRA_TTL = """
@prefix riikg: <https://w3id.org/riikg/ontology/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
<http://localhost:8080/id/infrastructure/test-lab> a riikg:ResearchInfrastructure ;
    skos:prefLabel "Test Lab"@en ;
    dct:description "A fictional laboratory used by the tests."@en ;
    dct:source <http://example.org/source> .
"""


def turtle_loader(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Parse the source's single Turtle file from bytes."""
    path = source.files[0]
    try:
        graph.parse(data=path.read_bytes(), format="turtle")
    except Exception as exc:  # noqa: BLE001 - any parser failure is an input error
        raise LoadError(
            Location(path.name, line=1), f"valid Turtle ({type(exc).__name__})"
        ) from exc
    return graph


def write_source(tmp: Path, text: str, sid: str = "test") -> Source:
    path = tmp / f"{sid}.ttl"
    path.write_text(text, encoding="utf-8")
    return Source(id=sid, loader="test-turtle", files=(path,), title="Test source")
