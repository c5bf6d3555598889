"""Embedded backend: pyoxigraph in memory (tests) or on disk with versioned snapshots.

On disk (``store_path``)::

    master/              read-write store; only writers (``riikg load``) open it
    snapshots/vNNNNNN/   published versions, never written after publication
    CURRENT              name of the published snapshot (replaced atomically)
    staging/             snapshots being built; swept on the next writer start
    master.dirty         present while master is being changed

A write changes ``master``, flushes, backs it up into ``staging/`` (hard links, cheap),
renames the backup into ``snapshots/`` and switches ``CURRENT``. Readers (server workers)
open the ``CURRENT`` snapshot read-only and reopen when it changes, so they see the old or
the new version, never a mix, and never open a directory another process writes
(pyoxigraph documents that as undefined behaviour; docs/security.md H4). A writer killed
mid-change leaves ``master.dirty``; the next writer restores master from the published
snapshot before doing anything else.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from riikg.store.base import (
    Answer,
    QueryFailed,
    QueryRequest,
    RdfFormat,
    ReadOnlyStore,
    ResultFormat,
    Row,
    Store,
    StoreUnavailable,
    Term,
    default_graph_union,
)
from riikg.store.common import (
    answer_of,
    boolean_of,
    now_utc,
    parse_version,
    rows_of,
    user_syntax_error,
    version_graph,
    version_triples,
)

#: pyoxigraph's names of the store's formats, read from :mod:`riikg.formats` (kept for callers)
RESULT_FORMATS = {m: m.row.results for m in ResultFormat}
RDF_FORMATS = {m: m.row.rdf for m in RdfFormat}
#: what pyoxigraph raises for a query it cannot evaluate (RuntimeError: e.g. a binding of a
#: variable that is not projected)
_EVALUATION_ERRORS = (OSError, RuntimeError, ValueError, TypeError)
KEEP_SNAPSHOTS = 3
#: an older snapshot is deleted only once it was superseded this long ago, so that a reader
#: still answering from it never finds its files gone (RocksDB opens table files lazily)
PRUNE_GRACE_SECONDS = 120.0


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def dir_size(path: Path) -> int:
    """Bytes used by the files below ``path`` (0 if it does not exist)."""
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class SnapshotLayout:
    """Paths of the on-disk layout (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.master = root / "master"
        self.snapshots = root / "snapshots"
        self.staging = root / "staging"
        self.current_file = root / "CURRENT"
        self.dirty_flag = root / "master.dirty"

    def current(self) -> Path | None:
        try:
            name = self.current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return self.snapshots / name if name else None

    def current_key(self) -> tuple[int, int] | None:
        """Cheap change detector for readers: (inode, mtime_ns) of CURRENT."""
        try:
            st = self.current_file.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)


class OxigraphStore(Store):
    """pyoxigraph-backed store. Use :meth:`memory`, :meth:`open_writer` or :meth:`open_reader`."""

    prune_grace: float = PRUNE_GRACE_SECONDS

    def __init__(
        self,
        base: str,
        store: ox.Store,
        *,
        layout: SnapshotLayout | None = None,
        writable: bool = True,
    ) -> None:
        self.base = base
        self._store = store
        self._layout = layout
        self._writable = writable
        #: a read-only view of published snapshots (follows CURRENT)
        self._reader = layout is not None and not writable
        self._lock = threading.RLock()
        self._reader_key = layout.current_key() if layout is not None and self._reader else None
        #: the source graphs, read once per data version
        self._graph_cache: tuple[int, list[str]] | None = None
        #: a reader's version record, read once per snapshot (a snapshot never changes)
        self._record_cache: tuple[ox.Store, tuple[int, datetime | None]] | None = None

    # ---- opening -------------------------------------------------------------------
    @classmethod
    def memory(cls, base: str) -> OxigraphStore:
        return cls(base, ox.Store())

    @classmethod
    def open_writer(cls, base: str, root: Path) -> OxigraphStore:
        """Open the master store read-write, recovering from an interrupted write first."""
        layout = SnapshotLayout(root)
        root.mkdir(parents=True, exist_ok=True)
        recover(layout)
        try:
            store = ox.Store(str(layout.master))
        except OSError as exc:
            hint = " (is another 'riikg load' running?)" if "lock" in str(exc).lower() else ""
            raise StoreUnavailable(
                f"cannot open the store at {layout.master} for writing{hint}: {exc}"
            ) from exc
        self = cls(base, store, layout=layout, writable=True)
        if layout.current() is None:
            self._publish()
        return self

    @classmethod
    def open_reader(cls, base: str, root: Path) -> OxigraphStore:
        """Open the published snapshot read-only (server workers)."""
        layout = SnapshotLayout(root)
        current = layout.current()
        if current is None or not current.is_dir():
            raise StoreUnavailable(
                f"no published data in {root} (RIIKG_STORE_PATH); run 'riikg load' first"
            )
        return cls(base, _open_read_only(current), layout=layout, writable=False)

    # ---- reading -------------------------------------------------------------------
    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store (refreshed to the newest snapshot for readers)."""
        self._refresh()
        return self._store

    def _refresh(self) -> None:
        if not self._reader or self._layout is None:
            return
        key = self._layout.current_key()
        if key == self._reader_key:
            return
        with self._lock:
            current = self._layout.current()
            if key != self._reader_key and current is not None:
                self._store = _open_read_only(current)
                self._reader_key = key
                self._graph_cache = None

    def _query(
        self,
        query: str,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        request: QueryRequest | None = None,
    ) -> Any:
        store = self.raw
        graphs = [ox.NamedNode(g) for g in default_graph_union(self, default_graphs)]
        kwargs: dict[str, Any] = {
            "default_graph": graphs if graphs else ox.DefaultGraph(),
        }
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if bindings:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
        if request is not None and request.base_iri:
            kwargs["base_iri"] = request.base_iri
        try:
            return store.query(query, **kwargs)
        except SyntaxError as exc:
            message = f"query syntax error: {exc}"
            if request is not None:
                message = user_syntax_error(request, message)
            raise QueryFailed(message) from exc
        except _EVALUATION_ERRORS as exc:
            raise QueryFailed(f"query failed: {exc}") from exc

    def select(self, query: str, **bindings: Term) -> list[Row]:
        return rows_of(self._query(query, bindings))

    def ask(self, query: str, **bindings: Term) -> bool:
        return boolean_of(self._query(query, bindings))

    def construct(self, query: str, **bindings: Term) -> list[ox.Triple]:
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryTriples):
            raise QueryFailed("construct() needs a CONSTRUCT or DESCRIBE query")
        return list(result)

    def public_query(self, request: QueryRequest) -> Answer[bytes]:
        """Evaluate and serialise ``request`` in this process; the endpoint calls it in a
        killable worker (:meth:`worker_opener`), since pyoxigraph cannot cancel a query.
        ``request.timeout`` is not enforced here."""
        result = self._query(
            request.text, None, request.default_graphs, request.named_graphs, request
        )
        try:  # evaluation is lazy: errors surface while the answer is serialised
            return answer_of(result, request)
        except _EVALUATION_ERRORS as exc:
            raise QueryFailed(f"query failed: {exc}") from exc

    def worker_opener(self) -> Callable[[], Store]:
        """A worker forked from this process inherits a memory store; the on-disk store is
        opened read-only *in* the worker, never shared, and follows ``CURRENT`` there."""
        layout = self._layout
        if layout is None:
            return lambda: self
        return functools.partial(OxigraphStore.open_reader, self.base, layout.root)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.raw.named_graphs() if isinstance(g, ox.NamedNode))

    def source_graphs(self) -> list[str]:
        version = self.version
        cached = self._graph_cache
        if cached is None or cached[0] != version:
            self._graph_cache = cached = (version, Store.source_graphs(self))
        return list(cached[1])

    def count(self, graph: str | None = None) -> int:
        store = self.raw
        if graph is None:
            return len(store)
        return sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def dump(self, graph: str, media_type: RdfFormat) -> bytes:
        out = self.raw.dump(format=RDF_FORMATS[media_type], from_graph=ox.NamedNode(graph))
        return out if out is not None else b""

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Iterate the quads of one graph (or the whole store)."""
        g = ox.NamedNode(graph) if graph else None
        return iter(self.raw.quads_for_pattern(None, None, None, g))

    def version_record(self) -> tuple[int, datetime | None]:
        store = self.raw  # a reader moves to the newest snapshot here
        cached = self._record_cache
        if self._reader and cached is not None and cached[0] is store:
            return cached[1]
        quads = store.quads_for_pattern(
            ox.NamedNode(self.base), None, None, ox.NamedNode(version_graph(self.base))
        )
        record = parse_version([q.triple for q in quads])
        if self._reader:
            self._record_cache = (store, record)  # keyed by the snapshot it was read from
        return record

    # ---- writing -------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Triple] | None]) -> int:
        if not self._writable:
            raise ReadOnlyStore("this store is opened read-only")
        with self._lock:
            new_version = self.version + 1
            vgraph = version_graph(self.base)
            changes: dict[str, Iterable[ox.Triple] | None] = dict(graphs)
            changes[vgraph] = version_triples(self.base, new_version, now_utc())
            if self._layout is None:
                self._replace_in_one_update(changes)
            else:
                self._replace_and_publish(changes)
            self._graph_cache = None
            return new_version

    def _replace_in_one_update(self, changes: Mapping[str, Iterable[ox.Triple] | None]) -> None:
        """Memory store: one SPARQL update, which pyoxigraph applies as one transaction."""
        parts: list[str] = []
        for graph, triples in changes.items():
            parts.append(f"DROP SILENT GRAPH <{graph}>")
            if triples is not None:
                body = " .\n".join(str(t) for t in triples)
                if body:
                    parts.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body} .\n}} }}")
        self._store.update(" ;\n".join(parts))

    def _replace_and_publish(self, changes: Mapping[str, Iterable[ox.Triple] | None]) -> None:
        assert self._layout is not None
        self._layout.dirty_flag.touch()
        store = self._store
        for graph, triples in changes.items():
            node = ox.NamedNode(graph)
            store.remove_graph(node)
            if triples is not None:
                store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in triples)
        store.flush()
        self._publish()
        self._layout.dirty_flag.unlink(missing_ok=True)

    def _publish(self) -> None:
        """Back master up into a new snapshot and switch CURRENT to it."""
        layout = self._layout
        assert layout is not None
        layout.snapshots.mkdir(exist_ok=True)
        layout.staging.mkdir(exist_ok=True)
        existing = sorted(p.name for p in layout.snapshots.iterdir() if p.name.startswith("v"))
        number = int(existing[-1][1:]) + 1 if existing else 1
        name = f"v{number:06d}"
        staged = layout.staging / name
        if staged.exists():
            shutil.rmtree(staged)
        self._store.backup(str(staged))
        os.replace(staged, layout.snapshots / name)
        _write_atomically(layout.current_file, name + "\n")
        names = [*existing, name]
        now = time.time()
        for i, old in enumerate(names[: max(0, len(names) - KEEP_SNAPSHOTS)]):
            successor = layout.snapshots / names[i + 1]
            if now - successor.stat().st_mtime >= self.prune_grace:
                shutil.rmtree(layout.snapshots / old, ignore_errors=True)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self._writable:
                self._store.flush()
        del self._store


def _open_read_only(path: Path) -> ox.Store:
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise StoreUnavailable(f"cannot open the store snapshot {path}: {exc}") from exc


def recover(layout: SnapshotLayout) -> dict[str, int]:
    """Sweep abandoned staging directories and restore master after an interrupted write.

    Returns:
        Bytes removed, by kind (``staging``, ``master``), for reporting.
    """
    removed = {"staging": 0, "master": 0}
    if layout.staging.exists():
        removed["staging"] = dir_size(layout.staging)
        shutil.rmtree(layout.staging)
    if layout.dirty_flag.exists():
        current = layout.current()
        removed["master"] = dir_size(layout.master)
        shutil.rmtree(layout.master, ignore_errors=True)
        if current is not None and current.is_dir():
            shutil.copytree(current, layout.master)
        layout.dirty_flag.unlink()
    return removed
