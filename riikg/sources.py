"""What a source is, the bundled sources manifest, and the graph type loaders fill."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from riikg.errors import LoadError, Location
from riikg.namespaces import slugify
from riikg.resources import data_dir, ontology_dir

_SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class Source:
    """One source: the files a loader reads, and what the catalogue says about them.

    Attributes:
        id: stable identifier; names the graph ``{base}graph/source/{id}``.
        loader: loader name (see ``loaders.LOADERS``).
        files: the input files, in the order the loader expects.
        title: human title of the source.
        licence: licence IRI.
        attribution: text the licence requires to be shown.
        retrieved: ISO date the upstream data was retrieved.
        homepage: where the upstream data comes from.
        synthetic: generated data (benchmarks), never real facts.
        options: loader-specific options.
    """

    id: str
    loader: str
    files: tuple[Path, ...]
    title: str = ""
    licence: str = ""
    attribution: str = ""
    retrieved: str = ""
    homepage: str = ""
    synthetic: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _SOURCE_ID.match(self.id):
            raise ValueError(f"source id {self.id!r} must match {_SOURCE_ID.pattern}")

    def sha256(self) -> str:
        """SHA-256 over the bytes of every file (and the options), in order."""
        digest = hashlib.sha256()
        for path in self.files:
            try:
                with open(path, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(chunk)
            except OSError as exc:
                raise LoadError(str(path), f"a readable file ({exc.strerror})") from exc
        digest.update(repr(sorted(self.options.items())).encode())
        return digest.hexdigest()

    @property
    def location(self) -> str:
        """Human description of where the source was read from."""
        return ", ".join(p.name for p in self.files) or self.homepage


class SourceGraph(Graph):
    """An rdflib graph plus where each statement came from in the input.

    ``locations[(subject, predicate)]`` (or ``(subject, None)`` for the whole row/record)
    lets validation reports point back to ``file:row:column``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.locations: dict[tuple[URIRef, URIRef | None], Location] = {}
        #: counts a loader reports about its input (e.g. how records were placed in
        #: regions); ``riikg load`` prints them after the source's line
        self.summary: dict[str, int] = {}

    def locate(self, subject: URIRef, predicate: URIRef | None, where: Location) -> None:
        self.locations[(subject, predicate)] = where

    def location_of(self, subject: Any, predicate: Any = None) -> Location | None:
        return self.locations.get((subject, predicate)) or self.locations.get((subject, None))


def source_for_file(path: Path, loader: str, source_id: str | None = None) -> Source:
    """A source for one user-given file; the id defaults to the slug of the file stem."""
    if not path.is_file():
        raise LoadError(str(path), "an existing, readable file")
    return Source(id=source_id or slugify(path.stem)[:64], loader=loader, files=(path,))


def _manifest_file(root: Path, name: str, where: str) -> Path:
    """Resolve a manifest file entry; refuse URLs, absolute paths and paths leaving the roots.

    Allowed roots: the manifest's own directory and the bundled resource trees (the bundled
    manifest names ``../ontology/*.ttl``).
    """
    if ":" in name.split("/", 1)[0] or name.startswith(("/", "\\")):
        raise LoadError(
            where, f"a relative file path, not {name!r} (URLs and absolute paths are not allowed)"
        )
    resolved = (root / name).resolve()
    roots = [root.resolve(), ontology_dir().resolve(), data_dir().resolve()]
    if not any(resolved.is_relative_to(r) for r in roots):
        raise LoadError(where, f"a file inside {root} ({name!r} is outside the allowed roots)")
    return resolved


def read_manifest(path: Path | None = None) -> list[Source]:
    """Read a sources manifest (TOML, ``[[source]]`` tables); default: the bundled one.

    File paths in the manifest are relative to the manifest's directory.
    """
    manifest = path or data_dir() / "sources.toml"
    try:
        doc = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LoadError(str(manifest), "a sources manifest file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(str(manifest), f"valid TOML ({exc})") from exc
    root = manifest.parent
    sources: list[Source] = []
    for i, entry in enumerate(doc.get("source", []), start=1):
        where = f"{manifest}: [[source]] #{i}"
        files = tuple(_manifest_file(root, str(f), where) for f in entry.get("files", []))
        try:
            sources.append(
                Source(
                    id=entry["id"],
                    loader=entry["loader"],
                    files=files,
                    title=entry.get("title", ""),
                    licence=entry.get("licence", ""),
                    attribution=entry.get("attribution", ""),
                    retrieved=str(entry.get("retrieved", "")),
                    homepage=entry.get("homepage", ""),
                    synthetic=bool(entry.get("synthetic", False)),
                    options=entry.get("options", {}),
                )
            )
        except (KeyError, ValueError) as exc:
            raise LoadError(f"{manifest}: [[source]] #{i}", f"id and loader ({exc})") from exc
    return sources
