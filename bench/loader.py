"""How benchmarks and fault tests load generated N-Triples through the riikg pipeline.

The project's own RDF-file loader (``loaders.LOADERS["rdf_file"]``, or whatever name
``loaders.loader_for_path`` gives ``.nt``) is used when it exists; until then a minimal
loader with the same shape parses the file's bytes with rdflib (never a location string).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rdflib import Graph

from riikg.errors import LoadError
from riikg.pipeline import Loader, LoadReport, load_source
from riikg.sources import Source, SourceGraph
from riikg.store.base import Store


def load_ntriples(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Fallback loader: parse each N-Triples file of ``source`` into ``graph``."""
    for path in source.files:
        try:
            graph.parse(data=path.read_bytes(), format="nt")
        except Exception as exc:  # noqa: BLE001 - any parser failure is a LoadError
            raise LoadError(path.name, f"valid N-Triples ({type(exc).__name__})") from exc
    return graph


def project_file_limit() -> int | None:
    """Largest file the project's loaders accept (``loaders.tables.MAX_FILE_BYTES``)."""
    try:
        from loaders.tables import MAX_FILE_BYTES
    except ImportError:
        return None
    return int(MAX_FILE_BYTES)


def ntriples_loader(path: Path | None = None) -> tuple[str, Loader]:
    """(name, loader) for ``.nt`` files: the project's loader if registered and the file is
    within its size cap, else the minimal one above."""
    limit = project_file_limit()
    if path is not None and limit is not None and path.stat().st_size > limit:
        return "bench-ntriples", load_ntriples
    try:
        from loaders import LOADERS, loader_for_path

        name = loader_for_path(Path("x.nt"))
        return name, LOADERS[name]
    except (ImportError, LoadError, KeyError):
        return "bench-ntriples", load_ntriples


def synthetic_source(path: Path, source_id: str) -> Source:
    """A synthetic source for a generated file (provenance says ``riikg:synthetic true``)."""
    name, _ = ntriples_loader(path)
    return Source(
        id=source_id,
        loader=name,
        files=(path,),
        title=f"Synthetic benchmark data ({path.name})",
        licence="http://creativecommons.org/publicdomain/zero/1.0/",
        synthetic=True,
    )


def load_synthetic(
    store: Store, path: Path, source_id: str, progress: Callable[[str], None]
) -> LoadReport:
    """``riikg.pipeline.load_source`` of a generated file as a synthetic source (forced, so
    an unchanged file is loaded again), reporting its phases to ``progress``."""
    return load_source(
        store,
        synthetic_source(path, source_id),
        ntriples_loader(path)[1],
        force=True,
        progress=progress,
    )
