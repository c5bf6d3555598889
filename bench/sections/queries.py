"""The query latency section: riikg's embedded store against the Oxigraph server (and, at
the smallest size, rdflib's engine in a child process) on the same query classes."""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bench.http_load import percentile
from bench.report import Report
from bench.sections.common import (
    BASE,
    OUT,
    PREFIXES,
    SparqlServer,
    entity,
    http_query,
    json_rows,
    ms,
    oxigraph_server,
    ratio,
)
from bench.sections.load import Built
from bench.servers import ROOT, child_env


@dataclass(frozen=True)
class Query:
    cls: str
    text: str


def query_classes(infras: int) -> list[Query]:
    e = entity(infras // 2)
    word = f"lab {infras // 3:05d}"
    out = [
        Query("entity description", f"SELECT ?p ?o WHERE {{ <{e}> ?p ?o }}"),
        Query("incoming links", f"SELECT ?s ?p WHERE {{ ?s ?p <{e}> }}"),
        Query(
            "facet counts (KET)",
            PREFIXES + "SELECT ?ket (COUNT(DISTINCT ?i) AS ?n) WHERE "
            "{ ?i a riikg:ResearchInfrastructure ; riikg:ket ?ket } GROUP BY ?ket",
        ),
        Query(
            "search (label contains)",
            PREFIXES + "SELECT ?x ?l WHERE { ?x a riikg:ResearchInfrastructure ; "
            f'skos:prefLabel ?l FILTER(CONTAINS(LCASE(STR(?l)), "{word}")) }} LIMIT 50',
        ),
        Query(
            "region benchmark (NUTS 2 x KET)",
            PREFIXES + "SELECT ?r2 ?ket (COUNT(DISTINCT ?i) AS ?n) WHERE "
            "{ ?i riikg:region ?r ; riikg:ket ?ket . ?r skos:broader ?r2 } GROUP BY ?r2 ?ket",
        ),
    ]
    examples = ROOT / "endpoint" / "queries" / "examples"
    for path in sorted(examples.glob("*.rq")) if examples.is_dir() else []:
        out.append(Query(f"example {path.stem}", path.read_text(encoding="utf-8")))
    return out


def time_calls(call: Callable[[], int], budget: float, reps: int) -> tuple[list[float], int]:
    """Latencies of up to ``reps`` calls within ``budget`` seconds; and the last row count."""
    lat: list[float] = []
    rows = -1
    start = time.monotonic()
    while len(lat) < reps and (time.monotonic() - start < budget or len(lat) < 3):
        if lat and sum(lat) > budget * 3:
            break  # a slow query: one or two runs are enough
        t = time.perf_counter()
        rows = call()
        lat.append(time.perf_counter() - t)
    return lat, rows


RDFLIB_TIMEOUT = 20.0

SLOW_QUERY = 8.0  # seconds (Oxigraph p50) above which the embedded run is skipped


def rdflib_worker(nq: Path) -> None:
    """Child process: load ``nq`` into rdflib, then time each query read from stdin."""
    import rdflib.plugins.sparql as rdflib_sparql
    from rdflib import Dataset

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # never fetch anything (docs/security.md F4)
    ds = Dataset(default_union=True)
    ds.parse(nq.read_bytes(), format="nquads")
    print("READY", flush=True)
    for line in sys.stdin:
        text = json.loads(line)
        lat = []
        for _ in range(3):
            t = time.perf_counter()
            len(list(ds.query(text)))
            lat.append(time.perf_counter() - t)
            if sum(lat) > RDFLIB_TIMEOUT / 2:
                break
        print(json.dumps(sorted(lat)[len(lat) // 2]), flush=True)


def rdflib_latencies(nq: Path, queries: list[Query], timeout: float) -> dict[str, float]:
    """Median seconds per query class with rdflib's engine; -1 when it ran past ``timeout``."""

    out: dict[str, float] = {}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.run", "rdflib-worker", str(nq)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=child_env(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        if not sel.select(timeout=600) or proc.stdout.readline().strip() != "READY":
            return out
        for q in queries:
            proc.stdin.write(json.dumps(q.text) + "\n")
            proc.stdin.flush()
            if not sel.select(timeout=timeout * 2):
                out[q.cls] = -1.0
                break  # the engine is stuck in this query; the rest are not run
            out[q.cls] = float(json.loads(proc.stdout.readline()))
    finally:
        proc.kill()
        proc.wait()
    return out


def _reference_rows(server: SparqlServer, text: str) -> int:
    return json_rows(http_query(server.port, server.query_path, text))


def _embedded_rows(store: Any, text: str) -> int:
    from riikg.store.base import ResultFormat

    return json_rows(store.query_raw(text, ResultFormat.JSON))


def latency_table(built: Built, report: Report, budget: float, with_rdflib: bool) -> None:
    from riikg.store.oxigraph import OxigraphStore

    store = OxigraphStore.open_reader(BASE, built.store)
    classes = query_classes(built.infrastructures)
    timeout_s = 60
    naive_ms: dict[str, float] = {}
    if with_rdflib:
        core = [q for q in classes if not q.cls.startswith("example")]
        naive_ms = rdflib_latencies(OUT / f"sources-{built.size}.nq", core, RDFLIB_TIMEOUT)
    rows_out = []
    with oxigraph_server(built.oxi, timeout_s) as oxi:
        for q in classes:
            try:
                ref, n2 = time_calls(
                    partial(_reference_rows, oxi, q.text),
                    budget,
                    200,
                )
            except Exception as exc:  # noqa: BLE001 - report the failing class, keep going
                why = f"Oxigraph failed: {str(exc)[:60]}"
                rows_out.append([q.cls, "—", "not run", "", why, "", "", "", ""])
                continue
            if percentile(ref, 50) > SLOW_QUERY:
                # the embedded engine cannot be interrupted: do not start what may take minutes
                why = f"not run (Oxigraph needs {percentile(ref, 50):.0f} s)"
                rows_out.append([q.cls, str(n2), why, "", ms(percentile(ref, 50)), "", "", "", ""])
                continue
            ours, n1 = time_calls(partial(_embedded_rows, store, q.text), budget, 200)
            naive = ["—", "—"]
            if q.cls in naive_ms:
                value = naive_ms[q.cls]
                naive = (
                    [f"> {RDFLIB_TIMEOUT * 1000:.0f}", "—"]
                    if value < 0
                    else [ms(value), ratio(value, percentile(ours, 50))]
                )
            rows_out.append(
                [
                    q.cls,
                    str(n1) + ("" if n1 == n2 else f" (≠ {n2})"),
                    ms(percentile(ours, 50)),
                    ms(percentile(ours, 99)),
                    ms(percentile(ref, 50)),
                    ms(percentile(ref, 99)),
                    ratio(percentile(ours, 50), percentile(ref, 50)),
                    *naive,
                ]
            )
    store.close()
    report.table(
        f"Query latency, {built.triples:,}-triple graph ({built.infrastructures:,} "
        "synthetic infrastructures + bundled reference data)",
        [
            "query class",
            "rows",
            "riikg p50 ms",
            "riikg p99 ms",
            "Oxigraph server p50 ms",
            "Oxigraph p99 ms",
            "riikg / Oxigraph (p50)",
            "rdflib p50 ms",
            "rdflib / riikg",
        ],
        rows_out,
        "riikg = the embedded store as the endpoint uses it (`Store.query_raw`, JSON "
        "serialisation, union of the source graphs), in process. Oxigraph server = the same "
        "query over HTTP (`POST /query`, JSON) to `oxigraph serve-read-only "
        "--union-default-graph` over the same source graphs, so its figures include HTTP. "
        + (
            "rdflib = `Dataset(default_union=True)` with rdflib's SPARQL engine (naive "
            "baseline, at this size only, the five core classes; median of up to 3 runs in a "
            f"child process, stopped after {RDFLIB_TIMEOUT:.0f} s). "
            if with_rdflib
            else ""
        )
        + "A differing row count is shown as `n (≠ m)`.",
    )
