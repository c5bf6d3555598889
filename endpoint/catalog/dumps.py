"""Deterministic dumps of the whole graph and of each source, with checksums and statistics.

For every data version (``endpoint.cache.data_version``) the dumps are generated once:

* ``riikg.nt.gz`` / ``riikg.ttl``: the union of the source graphs as triples;
* ``riikg.nq.gz``: every named graph (sources, provenance records, validation reports) as quads;
* ``source/{id}.nt.gz`` / ``source/{id}.ttl``: one source graph.

Blank nodes get canonical labels, lines are sorted and gzip is deterministic
(``endpoint.catalog.canonical``), so unchanged data gives byte-identical files.
The on-disk store keeps them under ``{store_path}/../dumps/{version}/``; the memory and
remote stores keep them in memory. Only names listed in the manifest are ever served.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from endpoint.cache import data_version
from endpoint.catalog.canonical import (
    GraphStats,
    canonical_lines,
    graph_ntriples,
    graph_stats,
    gzipped,
    joined,
    merge_sorted,
    turtle,
)
from endpoint.catalog.data import SourceRecord, latest, source_records
from endpoint.http import urls
from riikg.config import Settings, StoreKind
from riikg.namespaces import report_graph
from riikg.store import RdfFormat, Store

GZIP_MEDIA = "application/gzip"


@dataclass(frozen=True)
class DumpFile:
    """One published dump file."""

    name: str  # path under /dumps/, e.g. "riikg.nt.gz" or "source/nuts.ttl"
    source_id: str | None
    extension: str  # "nt.gz", "nq.gz", "ttl"
    media_type: str  # RDF media type of the (uncompressed) content
    compressed: bool
    size: int
    sha256: str
    statements: int
    modified: str  # ISO dateTime of the newest source change, "" if none

    @property
    def content_type(self) -> str:
        """What the HTTP response says (the gzip file itself for compressed dumps)."""
        return GZIP_MEDIA if self.compressed else self.media_type


@dataclass
class DumpSet:
    """The dumps of one data version: file metadata, statistics and where the bytes are."""

    key: str
    files: dict[str, DumpFile]
    stats: GraphStats
    source_stats: dict[str, GraphStats]
    directory: Path | None = None
    content: dict[str, bytes] = field(default_factory=dict)

    def data(self, name: str) -> bytes | Path:
        """The bytes (memory) or the path (disk) of a known file."""
        if self.directory is not None:
            return self.directory / name
        return self.content[name]

    def manifest(self, settings: Settings) -> dict[str, object]:
        return {
            "version": self.key,
            "files": [
                {
                    "name": f.name,
                    "url": urls.dumps_url(settings, f.name),
                    "source": f.source_id,
                    "media_type": f.media_type,
                    "compressed": f.compressed,
                    "bytes": f.size,
                    "sha256": f.sha256,
                    "statements": f.statements,
                    "modified": f.modified,
                }
                for f in sorted(self.files.values(), key=lambda f: f.name)
            ],
        }

    def sha256sums(self) -> str:
        """``sha256sum -c`` compatible list."""
        return "".join(f"{f.sha256}  {f.name}\n" for f in sorted(self.files.values(), key=_name))


def _name(f: DumpFile) -> str:
    return f.name


# ---- building -------------------------------------------------------------------------------
def _file(
    name: str,
    source_id: str | None,
    extension: str,
    data: bytes,
    statements: int,
    modified: datetime | None,
) -> DumpFile:
    media = {
        "nt.gz": RdfFormat.NTRIPLES.value,
        "nq.gz": RdfFormat.NQUADS.value,
        "ttl": RdfFormat.TURTLE.value,
    }[extension]
    return DumpFile(
        name=name,
        source_id=source_id,
        extension=extension,
        media_type=media,
        compressed=extension.endswith(".gz"),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        statements=statements,
        modified=modified.isoformat() if modified else "",
    )


def build_dumps(store: Store, directory: Path | None = None) -> DumpSet:
    """Generate every dump of the current data version (into ``directory`` if given)."""
    # millions of short-lived lists and strings: the cyclic GC only slows this down
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_dumps(store, directory)
    finally:
        if enabled:
            gc.enable()


def _build_dumps(store: Store, directory: Path | None) -> DumpSet:
    key = data_version(store)
    records: list[SourceRecord] = source_records(store)
    base = store.base
    files: dict[str, DumpFile] = {}
    content: dict[str, bytes] = {}
    source_stats: dict[str, GraphStats] = {}

    def publish(name: str, sid: str | None, ext: str, data: bytes, n: int) -> None:
        record = next((r for r in records if r.id == sid), None)
        when = record.modified if record is not None else latest(records)
        files[name] = _file(name, sid, ext, data, n, when)
        content[name] = data

    def publish_triples(prefix: str, sid: str | None, lines: list[str]) -> None:
        ntriples = joined(lines)
        publish(f"{prefix}.nt.gz", sid, "nt.gz", gzipped(ntriples), len(lines))
        publish(f"{prefix}.ttl", sid, "ttl", turtle(ntriples), len(lines))

    runs: list[list[str]] = []
    dumped: dict[str, bytes] = {}
    for record in records:
        data = dumped[record.graph] = graph_ntriples(store, record.graph)
        lines = canonical_lines(data)
        source_stats[record.id] = graph_stats(lines, base)
        publish_triples(f"source/{record.id}", record.id, lines)
        runs.append(canonical_lines(data, label=record.id) if b"_:" in data else lines)
    whole = merge_sorted(runs)
    publish_triples("riikg", None, whole)
    quad_runs = [
        canonical_lines(dumped.get(graph) or graph_ntriples(store, graph), label, graph)
        for graph, label in _named_graphs(store, records)
    ]
    quads = merge_sorted(quad_runs) if quad_runs else []
    publish("riikg.nq.gz", None, "nq.gz", gzipped(joined(quads)), len(quads))
    single = len(records) == 1 and whole is runs[0]
    stats = source_stats[records[0].id] if single else graph_stats(whole, base)
    dumps = DumpSet(key, files, stats, source_stats)
    if directory is None:
        dumps.content = content
        return dumps
    _write_directory(directory, dumps, content)
    dumps.directory = directory
    return dumps


def _named_graphs(store: Store, records: list[SourceRecord]) -> list[tuple[str, str]]:
    """Source, provenance and report graphs (with blank node labels) for the N-Quads dump."""
    present = set(store.named_graphs())
    wanted: dict[str, str] = {}
    for r in records:
        wanted[r.graph] = r.id
        wanted[r.meta_graph] = f"{r.id}-meta"
        wanted[str(report_graph(store.base, r.id))] = f"{r.id}-report"
    return [(g, label) for g, label in sorted(wanted.items()) if g in present]


# ---- on-disk cache --------------------------------------------------------------------------
MANIFEST_FILE = "dumpset.json"


def _write_directory(directory: Path, dumps: DumpSet, content: dict[str, bytes]) -> None:
    """Write files into a staging directory and rename it into place (atomic for readers)."""
    if (directory / MANIFEST_FILE).is_file():
        return
    staging = directory.with_name(f".{directory.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for name, data in content.items():
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    state = {
        "key": dumps.key,
        "files": [asdict(f) for f in dumps.files.values()],
        "stats": asdict(dumps.stats),
        "source_stats": {k: asdict(v) for k, v in dumps.source_stats.items()},
    }
    (staging / MANIFEST_FILE).write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
    try:
        os.replace(staging, directory)
    except OSError:  # another worker won the race; its files are the same
        shutil.rmtree(staging, ignore_errors=True)


def read_directory(directory: Path) -> DumpSet | None:
    """A dump set written earlier by :func:`build_dumps`, or None."""
    try:
        state = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = {f["name"]: DumpFile(**f) for f in state["files"]}
    return DumpSet(
        state["key"],
        files,
        GraphStats(**state["stats"]),
        {k: GraphStats(**v) for k, v in state["source_stats"].items()},
        directory=directory,
    )


def dump_directory(settings: Settings, key: str) -> Path | None:
    """Where the on-disk store's dumps of a version live (None: keep them in memory)."""
    if settings.store is not StoreKind.OXIGRAPH:
        return None
    return settings.store_path.resolve().parent / "dumps" / key


def load_or_build(store: Store, settings: Settings) -> DumpSet:
    """The dumps of the store's current version: read from disk, or generated."""
    directory = dump_directory(settings, data_version(store))
    if directory is not None:
        found = read_directory(directory)
        if found is not None:
            return found
        try:
            directory.parent.mkdir(parents=True, exist_ok=True)
            dumps = build_dumps(store, directory)
        except OSError:  # a read-only deployment: keep this version's dumps in memory
            return build_dumps(store, None)
        prune(directory.parent, keep=directory.name)
        return dumps
    return build_dumps(store, None)


KEEP_VERSIONS = 3
STALE_STAGING = 3600  # seconds


def prune(root: Path, keep: str) -> None:
    """Remove all but the newest few dump versions (and abandoned staging folders)."""
    now = time.time()
    versions: list[Path] = []
    for path in root.iterdir():
        if path.name.startswith("."):  # staging: another worker may still be writing it
            if now - path.stat().st_mtime > STALE_STAGING:
                shutil.rmtree(path, ignore_errors=True)
        elif path.is_dir() and path.name != keep:
            versions.append(path)
    versions.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in versions[KEEP_VERSIONS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
