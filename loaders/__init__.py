"""Loaders: sources -> rdflib graphs. No Flask, no store writes (the core pipeline writes).

Each loader has the shape ``load_x(source, graph, *, base_iri, store) -> Graph``
(see ``riikg.pipeline.Loader``). ``LOADERS`` maps the names used in manifests and by
``riikg load --loader`` to loader functions.
"""

from __future__ import annotations

from pathlib import Path

from riikg.errors import LoadError
from riikg.pipeline import Loader

LOADERS: dict[str, Loader] = {}

#: loader chosen for a user-given file by its extension
LOADER_BY_SUFFIX: dict[str, str] = {}


def get_loader(name: str) -> Loader:
    """The loader registered under ``name``."""
    try:
        return LOADERS[name]
    except KeyError:
        known = ", ".join(sorted(LOADERS)) or "none"
        raise LoadError(f"loader {name!r}", f"one of: {known}") from None


def loader_for_path(path: Path) -> str:
    """The loader name for a file, from its extension."""
    suffixes = "".join(path.suffixes[-2:]).lower()
    for suffix in (suffixes, path.suffix.lower()):
        if suffix in LOADER_BY_SUFFIX:
            return LOADER_BY_SUFFIX[suffix]
    known = ", ".join(sorted(LOADER_BY_SUFFIX)) or "none yet"
    raise LoadError(str(path), f"a file with a known extension ({known})")
