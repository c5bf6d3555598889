"""What the benchmark sections share: work paths, the base IRI, figure formatting, SPARQL over
HTTP, and the servers as the benchmarks run them (``riikg serve`` with its pages warmed,
``oxigraph serve-read-only`` over the union of the source graphs)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from bench.http_load import Check, Req, run
from bench.servers import (
    ROOT,
    RiikgServer,
    RunningServer,
    answers_ask,
    oxigraph_program,
    request,
    start_oxigraph,
    start_riikg,
    wait_until,
)

OUT = ROOT / "bench" / "out"
BASE = "http://localhost:8080/"
OXIGRAPH = oxigraph_program() or str(Path(sys.executable).with_name("oxigraph"))
PREFIXES = (
    "PREFIX riikg: <https://w3id.org/riikg/ontology/>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)
#: the p50 targets of the linked-data pages, ms (issue 6)
PAGE_TARGETS = {"entity page": 5.0, "facet page": 30.0}
#: a SPARQL server as the sections drive it (``RunningServer`` or ``RiikgServer``)
SparqlServer = RunningServer | RiikgServer


def say(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def ms(seconds: float) -> str:
    return "—" if seconds != seconds else f"{seconds * 1000:.2f}"


def ratio(a: float, b: float) -> str:
    if not a or not b or a != a or b != b:
        return "—"
    return f"{a / b:.2f}"


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def entity(i: int) -> str:
    """The IRI of the i-th synthetic infrastructure (``bench/generate.py``)."""
    return f"{BASE}id/infrastructure/synthetic-{i:05d}"


def json_rows(data: bytes) -> int:
    doc = json.loads(data)
    return len(doc["results"]["bindings"]) if "results" in doc else int(bool(doc.get("boolean")))


def http_query(port: int, path: str, text: str) -> bytes:
    """POST one SPARQL query (form, JSON results); the body, or RuntimeError unless 200."""
    got = request(
        port,
        "POST",
        path,
        urlencode({"query": text}).encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        },
        timeout=300,
    )
    if got.status != 200:
        raise RuntimeError(f"{got.status}: {got.body[:200]!r}")
    return got.body


def ok(status: int, body: bytes) -> bool:
    return status == 200


def html_page(name: str, path: str, check: Check = ok) -> Req:
    """A GET of an HTML page for a load mix."""
    return Req(name, "GET", path, None, (("Accept", "text/html"),), check)


def warm_up(port: int, mix: list[Req]) -> None:
    """Send every distinct request several times from 8 clients, so every gunicorn worker
    has built its caches and indexes before anything is timed."""
    distinct = list({(r.method, r.path, r.body): r for r in mix}.values())
    run(port, distinct, clients=8, seconds=180, max_requests=max(len(distinct) * 4, 64))


@contextmanager
def riikg_server(
    store: Path, workers: int, log: Path, extra: dict[str, str] | None = None
) -> Iterator[RiikgServer]:
    """``riikg serve`` on ``store``. Its ``startup_seconds`` is the cold start: process start
    to the first answered SPARQL query (which spawns the query workers). Yields once every
    worker has warmed its page indexes (endpoint/pages/warm.py; not timed)."""
    settings = {
        # all load comes from one address: lift the per-client limit (documented in the doc)
        "RIIKG_MAX_CONCURRENT_PER_CLIENT": "256",
        "RIIKG_QUERY_TIMEOUT": "30",
        **(extra or {}),
    }
    with start_riikg(store, log, settings, workers, timeout=120) as server:
        first_answer = lambda: answers_ask(server.port, server.query_path, 60)  # noqa: E731
        wait_until(server.proc, first_answer, "riikg serve", log, 120, interval=0.05)
        server.startup_seconds = time.monotonic() - server.started
        warmed = lambda: log.read_bytes().count(b"pages warmed") >= workers  # noqa: E731
        wait_until(server.proc, warmed, "riikg serve page warm-up", log, 600, interval=0.2)
        yield server


@contextmanager
def oxigraph_server(location: Path, timeout_s: int | None = None) -> Iterator[RunningServer]:
    """``oxigraph serve-read-only --union-default-graph``; ``startup_seconds`` is its cold
    start. ``timeout_s`` only for sequential latency runs: under concurrent load Oxigraph
    0.5.13 with ``--timeout-s`` fails thread creation (500 "Resource temporarily
    unavailable") and then aborts (observed in this project)."""
    with start_oxigraph(
        location, read_only=True, extra_args=["--union-default-graph"], timeout_s=timeout_s
    ) as server:
        yield server
