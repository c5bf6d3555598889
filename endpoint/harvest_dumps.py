"""Deterministic dumps of the whole graph and of each source, with checksums and statistics.

For every data version (``harvest_data.version_key``) the dumps are generated once:

* ``riikg.nt.gz`` / ``riikg.ttl``: the union of the source graphs as triples;
* ``riikg.nq.gz``: every named graph (sources, provenance records, validation reports) as quads;
* ``source/{id}.nt.gz`` / ``source/{id}.ttl``: one source graph.

Blank nodes get canonical labels (RDFC-1.0 via pyoxigraph), lines are sorted and gzip is
written with mtime 0 and no file name, so unchanged data gives byte-identical files.
The on-disk store keeps them under ``{store_path}/../dumps/{version}/``; the memory and
remote stores keep them in memory. Only names listed in the manifest are ever served.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import RDF

from endpoint import urls
from endpoint.harvest_data import SourceRecord, latest, source_records, version_key
from riikg.config import Settings, StoreKind
from riikg.namespaces import MERIL, NUTS_CODE, PREFIXES, RIIKG, WIKIDATA, meta_graph
from riikg.store import RdfFormat, Store

GZIP_MEDIA = "application/gzip"
RDF_TYPE = str(RDF.type)
#: link targets counted for VoID linksets: name -> namespace
LINK_TARGETS = {"nuts": NUTS_CODE, "wikidata": str(WIKIDATA), "meril": MERIL}
EXAMPLE_CLASS = str(RIIKG.ResearchInfrastructure)
MAX_EXAMPLES = 3


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
class GraphStats:
    """VoID statistics of a set of triples."""

    triples: int = 0
    entities: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)
    links: dict[str, dict[str, int]] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)


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


# ---- canonical serialisation -------------------------------------------------------------
def _has_bnode(terms: Iterable[ox.Quad]) -> bool:
    return any(
        isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in terms
    )


def canonical_quads(quads: list[ox.Quad]) -> list[ox.Quad]:
    """Distinct quads with canonical blank node labels, sorted by their N-Quads line."""
    if _has_bnode(quads):
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        quads = list(dataset)
    unique = {str(q): q for q in quads}
    return [unique[k] for k in sorted(unique)]


def graph_triples(store: Store, graph: str) -> list[ox.Triple]:
    """The triples of one named graph, blank nodes kept apart from other graphs'."""
    data = store.dump(graph, RdfFormat.NTRIPLES)
    parsed = ox.parse(data, format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=True)
    return [q.triple if isinstance(q, ox.Quad) else q for q in parsed]


def ntriples(triples: list[ox.Triple]) -> bytes:
    return "".join(f"{t} .\n" for t in triples).encode("utf-8")


def nquads(quads: list[ox.Quad]) -> bytes:
    return "".join(f"{q} .\n" for q in quads).encode("utf-8")


def turtle(triples: list[ox.Triple]) -> bytes:
    out = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return out or b""


def gzipped(data: bytes) -> bytes:
    """gzip with no file name and mtime 0: same input, same bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as gz:
        gz.write(data)
    return buf.getvalue()


def canonical_triples(triples: list[ox.Triple]) -> list[ox.Triple]:
    quads = canonical_quads([ox.Quad(t.subject, t.predicate, t.object) for t in triples])
    return [q.triple for q in quads]


# ---- statistics -----------------------------------------------------------------------------
def graph_stats(triples: list[ox.Triple], base: str) -> GraphStats:
    """VoID figures of a distinct, sorted list of triples."""
    space = f"{base}id/"
    subjects: set[str] = set()
    objects: set[str] = set()
    members: dict[str, set[str]] = {}
    properties: Counter[str] = Counter()
    links: dict[str, Counter[str]] = {name: Counter() for name in LINK_TARGETS}
    for t in triples:
        s, p, o = str(t.subject), t.predicate.value, t.object
        subjects.add(s)
        objects.add(str(o))
        properties[p] += 1
        if p == RDF_TYPE and isinstance(o, ox.NamedNode):
            members.setdefault(o.value, set()).add(s)
        if isinstance(o, ox.NamedNode):
            for name, ns in LINK_TARGETS.items():
                if o.value.startswith(ns):
                    links[name][p] += 1
    entities = {
        t.subject.value
        for t in triples
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(space)
    }
    examples = (
        sorted(v[1:-1] for v in members.get(EXAMPLE_CLASS, set()) if v[1:-1].startswith(space))[
            :MAX_EXAMPLES
        ]
        or sorted(entities)[:MAX_EXAMPLES]
    )
    return GraphStats(
        triples=len(triples),
        entities=len(entities),
        distinct_subjects=len(subjects),
        distinct_objects=len(objects),
        classes={c: len(m) for c, m in sorted(members.items())},
        properties=dict(sorted(properties.items())),
        links={name: dict(sorted(c.items())) for name, c in links.items()},
        examples=examples,
    )


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
    key = version_key(store)
    records: list[SourceRecord] = source_records(store)
    by_id = {r.id: r for r in records}
    base = store.base
    files: dict[str, DumpFile] = {}
    content: dict[str, bytes] = {}
    source_stats: dict[str, GraphStats] = {}
    union: list[ox.Triple] = []

    def publish(
        name: str, sid: str | None, ext: str, data: bytes, n: int, when: datetime | None
    ) -> None:
        files[name] = _file(name, sid, ext, data, n, when)
        content[name] = data

    for record in records:
        raw = graph_triples(store, record.graph)
        union.extend(raw)
        triples = canonical_triples(raw)
        source_stats[record.id] = graph_stats(triples, base)
        name = f"source/{record.id}"
        publish(
            f"{name}.nt.gz",
            record.id,
            "nt.gz",
            gzipped(ntriples(triples)),
            len(triples),
            record.modified,
        )
        publish(f"{name}.ttl", record.id, "ttl", turtle(triples), len(triples), record.modified)
    whole = canonical_triples(union)
    when = latest(records)
    publish("riikg.nt.gz", None, "nt.gz", gzipped(ntriples(whole)), len(whole), when)
    publish("riikg.ttl", None, "ttl", turtle(whole), len(whole), when)
    quads = canonical_quads(_all_quads(store, [r.graph for r in records], by_id))
    publish("riikg.nq.gz", None, "nq.gz", gzipped(nquads(quads)), len(quads), when)
    dumps = DumpSet(key, files, graph_stats(whole, base), source_stats)
    if directory is None:
        dumps.content = content
        return dumps
    _write_directory(directory, dumps, content)
    dumps.directory = directory
    return dumps


def _all_quads(
    store: Store, source_graphs: list[str], by_id: dict[str, SourceRecord]
) -> list[ox.Quad]:
    """Quads of the source graphs and of their provenance and report graphs."""
    base = store.base
    wanted = set(source_graphs)
    for graph in source_graphs:
        sid = graph.rsplit("/", 1)[-1]
        if sid in by_id:
            wanted.add(str(meta_graph(base, sid)))
            wanted.add(f"{base}graph/report/{sid}")
    present = set(store.named_graphs())
    quads: list[ox.Quad] = []
    for graph in sorted(wanted & present):
        node = ox.NamedNode(graph)
        quads.extend(
            ox.Quad(t.subject, t.predicate, t.object, node) for t in graph_triples(store, graph)
        )
    return quads


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
    directory = dump_directory(settings, version_key(store))
    if directory is not None:
        found = read_directory(directory)
        if found is not None:
            return found
        directory.parent.mkdir(parents=True, exist_ok=True)
    return build_dumps(store, directory)
