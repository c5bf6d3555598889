"""Harvest a remote SPARQL endpoint page by page into a source graph (resumable).

Manifest options (``[source.options]``):

``endpoint``     the SPARQL endpoint (http or https only; redirects are refused)
``query``        a CONSTRUCT with an ``ORDER BY`` and no ``LIMIT``/``OFFSET``; riikg appends
                 ``LIMIT page_size OFFSET n*page_size`` and stops at the first empty page
``page_size``    solutions per page (default 1000)
``timeout``      seconds allowed for one page, connection included (default 60)
``retries``      retries of a failed page, with exponential back-off (default 3)
``backoff``      first back-off delay in seconds (default 1.0; doubles each retry)
``max_bytes``    cap on one page's answer (default 64 MiB)
``max_pages``    fetch at most this many pages per run; if the harvest is not finished,
                 the run fails (nothing is written) and the next run continues (default none)
``checkpoint``   directory for the pages already fetched (default ``var/harvest/{source id}``)

Every fetched page is saved as N-Triples in the checkpoint directory before the next one is
asked for; a failed run leaves them there and the next run continues from the next page. The
checkpoint is removed once the whole graph has been read. Answers are asked for as
N-Triples; Turtle and RDF/XML are accepted, RDF/XML only without a DOCTYPE (docs/security.md B4).
From Python, ``options["progress"]`` may be a callable ``(page, triples)`` called after each
saved page.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox
import requests
from rdflib import Graph

from riikg import formats
from riikg.errors import LoadError
from riikg.sources import Source, SourceGraph

__all__ = ["HarvestOptions", "load_sparql_harvest"]

#: what a page is asked for, with its weight: N-Triples (also by its older name text/plain),
#: then Turtle, then RDF/XML; an answer in any name ``riikg.formats`` gives these is read
ASKED = (
    ("application/n-triples", 1.0),
    ("text/plain", 0.9),
    ("text/turtle", 0.8),
    ("application/rdf+xml", 0.5),
)
ACCEPT = ", ".join(media if q == 1 else f"{media};q={q:g}" for media, q in ASKED)
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_LIMIT = re.compile(r"\b(LIMIT|OFFSET)\s+\d+\s*$", re.IGNORECASE)
_CONSTRUCT = re.compile(r"\bCONSTRUCT\b", re.IGNORECASE)
#: signs that a server stopped a query at its deadline and sent partial data
_OXIGRAPH_CANCELLED = b"The SPARQL operation has been cancelled"


class _PageFailed(Exception):
    """One attempt at a page failed; ``retry`` says whether trying again can help."""

    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.retry = retry


@dataclass(frozen=True)
class HarvestOptions:
    """The loader's options, checked (see the module docstring)."""

    endpoint: str
    query: str
    page_size: int = 1000
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 1.0
    max_bytes: int = 64 * 1024 * 1024
    max_pages: int | None = None
    checkpoint: Path = Path("var/harvest")
    progress: Callable[[int, int], None] | None = None

    @classmethod
    def from_source(cls, source: Source) -> HarvestOptions:
        opts: Mapping[str, Any] = source.options
        where = f"source {source.id!r} options"
        endpoint = str(opts.get("endpoint", ""))
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise LoadError(where, f"an http(s) 'endpoint', got {endpoint!r}")
        query = str(opts.get("query", "")).strip()
        if not _CONSTRUCT.search(query):
            raise LoadError(where, "a CONSTRUCT 'query'")
        if not _ORDER_BY.search(query):
            raise LoadError(where, "an ORDER BY in 'query' (pages must come in a stable order)")
        if _LIMIT.search(query):
            raise LoadError(where, "no LIMIT/OFFSET at the end of 'query' (riikg adds them)")
        try:
            page_size = int(opts.get("page_size", 1000))
            timeout = float(opts.get("timeout", 60.0))
            retries = int(opts.get("retries", 3))
            backoff = float(opts.get("backoff", 1.0))
            max_bytes = int(opts.get("max_bytes", 64 * 1024 * 1024))
            raw_max_pages = opts.get("max_pages")
            max_pages = None if raw_max_pages is None else int(raw_max_pages)
        except (TypeError, ValueError) as exc:
            raise LoadError(where, f"numeric page_size/timeout/retries/max_pages ({exc})") from exc
        if page_size < 1 or timeout <= 0 or retries < 0 or max_bytes < 1:
            raise LoadError(where, "page_size >= 1, timeout > 0, retries >= 0, max_bytes >= 1")
        if max_pages is not None and max_pages < 1:
            raise LoadError(where, "max_pages >= 1")
        checkpoint = Path(str(opts.get("checkpoint", f"var/harvest/{source.id}")))
        progress = opts.get("progress")
        return cls(
            endpoint=endpoint,
            query=query,
            page_size=page_size,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            max_bytes=max_bytes,
            max_pages=max_pages,
            checkpoint=checkpoint,
            progress=progress if callable(progress) else None,
        )

    def fingerprint(self) -> dict[str, Any]:
        """What a checkpoint must match to be resumed."""
        return {
            "endpoint": self.endpoint,
            "query_sha256": hashlib.sha256(self.query.encode()).hexdigest(),
            "page_size": self.page_size,
        }

    def page_query(self, page: int) -> str:
        return f"{self.query}\nLIMIT {self.page_size} OFFSET {page * self.page_size}"


class Checkpoint:
    """Pages already fetched, as ``page-NNNNNN.nt`` files plus ``state.json``."""

    def __init__(self, directory: Path, fingerprint: Mapping[str, Any]) -> None:
        self.directory = directory
        state = directory / "state.json"
        if directory.exists():
            try:
                stored = json.loads(state.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stored = None
            if stored != dict(fingerprint):
                shutil.rmtree(directory)  # another endpoint, query or page size: start over
        directory.mkdir(parents=True, exist_ok=True)
        if not state.exists():
            _write_atomically(state, json.dumps(dict(fingerprint), sort_keys=True).encode())

    def path(self, page: int) -> Path:
        return self.directory / f"page-{page:06d}.nt"

    def next_page(self) -> int:
        """The first page not saved yet (pages are saved in order)."""
        page = 0
        while self.path(page).exists():
            page += 1
        return page

    def done(self) -> bool:
        return (self.directory / "complete").exists()

    def save(self, page: int, ntriples: bytes) -> None:
        _write_atomically(self.path(page), ntriples)

    def mark_done(self) -> None:
        _write_atomically(self.directory / "complete", b"")

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _fetch_once(session: requests.Session, opts: HarvestOptions, page: int) -> bytes:
    """One attempt at one page: the answer as N-Triples bytes."""
    deadline = time.monotonic() + opts.timeout
    try:
        response = session.post(
            opts.endpoint,
            data={"query": opts.page_query(page)},
            headers={"Accept": ACCEPT},
            timeout=(min(10.0, opts.timeout), opts.timeout),
            allow_redirects=False,
            stream=True,
        )
    except requests.exceptions.ConnectionError as exc:
        reason = "connection refused" if "refused" in str(exc).lower() else type(exc).__name__
        raise _PageFailed(reason, retry=True) from exc
    except requests.RequestException as exc:
        raise _PageFailed(type(exc).__name__, retry=True) from exc
    try:
        status = response.status_code
        if 300 <= status < 400:
            target = urljoin(opts.endpoint, response.headers.get("Location", ""))
            raise _PageFailed(f"redirect to {target!r} refused", retry=False)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > opts.max_bytes:
                    raise _PageFailed(f"answer larger than {opts.max_bytes} bytes", retry=False)
                if time.monotonic() > deadline:
                    raise _PageFailed(f"no complete answer within {opts.timeout:g} s", retry=True)
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise _PageFailed(f"connection lost ({type(exc).__name__})", retry=True) from exc
        body = b"".join(chunks)
    finally:
        response.close()
    if status >= 400:
        text = body[:500].decode("utf-8", errors="replace").strip()
        retry = status >= 500 or status == 429
        raise _PageFailed(f"HTTP {status}: {text}", retry=retry)
    if response.headers.get("X-SQL-State") == "S1TAT" or body.rstrip().endswith(
        _OXIGRAPH_CANCELLED
    ):
        raise _PageFailed("the server stopped the query at its time limit", retry=True)
    media = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    fmt = _answer_format(media)
    if fmt is None:
        raise _PageFailed(f"unexpected answer type {media or 'none'!r}", retry=False)
    if fmt is formats.RDFXML and _DTD.search(body):
        raise _PageFailed("RDF/XML with a DOCTYPE/ENTITY declaration refused", retry=False)
    try:
        triples = [q.triple for q in ox.parse(body, format=fmt.rdf)]
    except (SyntaxError, ValueError, OSError) as exc:
        raise _PageFailed(f"unreadable {media} answer ({exc})", retry=True) from exc
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _answer_format(media_type: str) -> formats.Format | None:
    """The syntax of an answer, if it is one of those asked for."""
    fmt = formats.by_media_type(media_type, formats.Kind.GRAPH)
    asked = {formats.by_media_type(media) for media, _ in ASKED}
    return fmt if fmt in asked else None


def _fetch(session: requests.Session, opts: HarvestOptions, page: int) -> bytes:
    """A page, retried with exponential back-off; LoadError naming endpoint and page."""
    attempt = 0
    while True:
        try:
            return _fetch_once(session, opts, page)
        except _PageFailed as exc:
            if not exc.retry or attempt >= opts.retries:
                tries = f" after {attempt + 1} tries" if attempt else ""
                raise LoadError(
                    f"{opts.endpoint} page {page + 1}",
                    f"a CONSTRUCT answer{tries} ({exc})",
                ) from exc
            time.sleep(opts.backoff * (2**attempt))
            attempt += 1


def load_sparql_harvest(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Harvest ``source.options['query']`` from ``source.options['endpoint']`` into ``graph``.

    Raises:
        LoadError: bad options, or a page that could not be fetched (the pages fetched so
            far stay in the checkpoint directory; the next run continues after them).
    """
    opts = HarvestOptions.from_source(source)
    checkpoint = Checkpoint(opts.checkpoint, opts.fingerprint())
    page = checkpoint.next_page()
    fetched = 0
    with requests.Session() as session:
        session.trust_env = False  # no proxies or .netrc credentials from the environment
        while not checkpoint.done():
            if opts.max_pages is not None and fetched >= opts.max_pages:
                raise LoadError(
                    f"{opts.endpoint} page {page + 1}",
                    f"a complete harvest: stopped after max_pages={opts.max_pages} pages; "
                    f"run again to continue from page {page + 1}",
                )
            data = _fetch(session, opts, page)
            fetched += 1
            if not data.strip():
                checkpoint.mark_done()
                break
            checkpoint.save(page, data)
            if opts.progress is not None:
                opts.progress(page, data.count(b"\n"))
            page += 1
    for number in range(checkpoint.next_page()):
        # one parse per page: blank node labels are scoped to their page's answer
        graph.parse(data=checkpoint.path(number).read_bytes(), format="nt")
    checkpoint.remove()
    return graph
