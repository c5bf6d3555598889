"""Benchmarks: load, validation, query latency, HTTP throughput, memory, cold start, faults.

    make bench                                   # python -m bench.run (defaults below)
    python -m bench.run --sizes 100000,1000000 --seconds 15 --sustained 60
    python -m bench.run --quick                  # small sizes, short runs (a smoke test)

Every figure is printed next to its reference, measured in the same run on the same data:
Oxigraph's own CLI and server (``oxigraph load`` / ``oxigraph serve-read-only``) and, at the
smallest size only, rdflib's SPARQL engine as the naive baseline. Results go to
``docs/benchmarks.md`` (tables) with the machine, the versions and the date.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import faults
from bench.generate import infrastructures_for, write
from bench.http_load import Req, Result, combined, percentile, run

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BASE = "http://localhost:8080/"
RIIKG = [sys.executable, "-c", "from riikg.cli import main; main()"]
OXIGRAPH = str(Path(sys.executable).with_name("oxigraph"))
PREFIXES = (
    "PREFIX riikg: <https://w3id.org/riikg/ontology/>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)


def env(extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("RIIKG_")}
    out["PYTHONPATH"] = str(ROOT) + os.pathsep + out.get("PYTHONPATH", "")
    out.update(extra or {})
    return out


def say(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def ms(seconds: float) -> str:
    return "—" if seconds != seconds else f"{seconds * 1000:.2f}"


def ratio(a: float, b: float) -> str:
    if not a or not b or a != a or b != b:
        return "—"
    return f"{a / b:.2f}"


# ---- the report --------------------------------------------------------------------------------
@dataclass
class Report:
    sections: list[str] = field(default_factory=list)
    path: Path | None = None  # rewritten after every section, so a cut run leaves its figures
    notes: str = ""  # the hand-written notes of the previous report, carried over

    def add(self, title: str, text: str) -> None:
        self.sections.append(f"## {title}\n\n{text.strip()}\n")
        print(f"\n## {title}\n\n{text.strip()}\n", flush=True)
        if self.path is not None:
            self.path.write_text(
                "# Benchmarks (run in progress)\n\n" + "\n".join(self.sections) + self.notes,
                encoding="utf-8",
            )

    def table(self, title: str, head: list[str], rows: list[list[str]], note: str = "") -> None:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
        self.add(title, (note.strip() + "\n\n" if note else "") + "\n".join(lines))


def machine() -> str:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    oxi = subprocess.run([OXIGRAPH, "--version"], capture_output=True, text=True, check=False)
    versions = ", ".join(
        f"{p} {version(p)}" for p in ("pyoxigraph", "rdflib", "pyshacl", "flask", "gunicorn")
    )
    return (
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"- machine: {os.cpu_count()} CPUs (`nproc`), {mem_kb / 1024 / 1024:.1f} GiB memory, "
        f'CPU model "{cpu}"; {platform.platform()}\n'
        f"- Python {platform.python_version()}; {versions}; "
        f"Oxigraph CLI `{oxi.stdout.strip() or 'unknown'}`\n"
        "- load generator: Python threads with keep-alive `http.client` connections on "
        "loopback, on the same machine (it competes for the same CPUs as the servers, "
        "equally for riikg and the reference)\n"
    )


# ---- processes ----------------------------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str, timeout: float = 5.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def wait_ready(proc: subprocess.Popen[bytes], port: int, path: str, limit: float = 120) -> float:
    """Seconds from now until ``path`` answers 200 (the caller started ``proc`` just before)."""
    t = time.monotonic()
    while time.monotonic() - t < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if get(port, path) == 200:
                return time.monotonic() - t
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"server not ready after {limit} s")


def tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def memory(pid: int) -> tuple[float, float]:
    """(sum of current RSS, sum of peak RSS) over a process tree, MiB."""
    rss = hwm = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, hwm / 1024


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    cold_start: float
    query_path: str  # where SPARQL queries go


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM a server, SIGKILL it if it is still there 30 s later."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def riikg_server(
    store: Path, workers: int, log: Path, extra: dict[str, str] | None = None
) -> Iterator[Server]:
    port = free_port()
    settings = {
        # all load comes from one address: lift the per-client limit (documented in the doc)
        "RIIKG_MAX_CONCURRENT_PER_CLIENT": "256",
        "RIIKG_QUERY_TIMEOUT": "30",
        **(extra or {}),
    }
    with open(log, "wb") as fh:
        t = time.monotonic()
        proc = subprocess.Popen(
            [*RIIKG, "--store-path", str(store), "serve", "--port", str(port)]
            + ["--workers", str(workers)],
            stdout=fh,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=env(settings),
        )
        try:
            wait_ready(proc, port, "/health")
            # first answer to a SPARQL query (spawns the query workers)
            while get(port, "/sparql?" + urlencode({"query": "ASK {}"}), 60) != 200:
                time.sleep(0.05)
            cold = time.monotonic() - t
            # each worker warms the page indexes at start (endpoint/pages/warm.py): not timed here
            deadline = time.monotonic() + 600
            while log.read_bytes().count(b"pages warmed") < workers:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"riikg serve did not warm its pages; see {log}")
                time.sleep(0.2)
            yield Server("riikg", proc, port, cold, "/sparql")
        finally:
            stop(proc)


@contextmanager
def oxigraph_server(location: Path, timeout_s: int | None = None) -> Iterator[Server]:
    """``oxigraph serve-read-only``. ``timeout_s`` only for sequential latency runs: under
    concurrent load Oxigraph 0.5.13 with ``--timeout-s`` fails thread creation (500
    "Resource temporarily unavailable") and then aborts (observed in this project)."""
    port = free_port()
    t = time.monotonic()
    proc = subprocess.Popen(
        [OXIGRAPH, "serve-read-only", "--location", str(location), "--union-default-graph"]
        + (["--timeout-s", str(timeout_s)] if timeout_s else [])
        + ["--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(proc, port, "/query?" + urlencode({"query": "ASK {}"}))
        yield Server("oxigraph", proc, port, time.monotonic() - t, "/query")
    finally:
        stop(proc)


# ---- stores -------------------------------------------------------------------------------------
@dataclass
class Built:
    size: int
    infrastructures: int
    triples: int
    nt: Path
    store: Path
    oxi: Path
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def load_reference(store_path: Path) -> float:
    t = time.monotonic()
    faults.prepare_reference(store_path)
    return time.monotonic() - t


def write_only(store_path: Path, nt: Path, source_id: str) -> dict[str, float]:
    """riikg's write step alone (pyoxigraph parse + Store.replace_graphs + publish)."""
    import pyoxigraph as ox

    from riikg.namespaces import source_graph
    from riikg.store.oxigraph import OxigraphStore

    store = OxigraphStore.open_writer(BASE, store_path)
    t = time.monotonic()
    triples = [q.triple for q in ox.parse(nt.read_bytes(), format=ox.RdfFormat.N_TRIPLES)]
    parsed = time.monotonic() - t
    store.replace_graphs({str(source_graph(BASE, source_id)): triples})
    store.close()
    return {"parse": parsed, "total": time.monotonic() - t}


def pipeline_load(store_path: Path, nt: Path, source_id: str) -> dict[str, float]:
    """riikg's full pipeline: loader (parse) -> reference context + SHACL -> write + publish."""
    from bench.loader import ntriples_loader, synthetic_source
    from riikg.pipeline import load_source
    from riikg.store.oxigraph import OxigraphStore

    store = OxigraphStore.open_writer(BASE, store_path)
    marks: dict[str, float] = {}
    t = time.monotonic()

    def progress(message: str) -> None:
        marks[message.split(":", 1)[1].split()[0]] = time.monotonic() - t

    report = load_source(
        store,
        synthetic_source(nt, source_id),
        ntriples_loader(nt)[1],
        force=True,
        progress=progress,
    )
    store.close()
    total = time.monotonic() - t
    return {
        "parse": marks.get("validating", 0) - marks.get("reading", 0),
        "validate": marks.get("writing", 0) - marks.get("validating", 0),
        "write": total - marks.get("writing", 0),
        "total": total,
        "conforms": float(report.outcome.conforms if report.outcome else 0),
        "warnings": float(len(report.outcome.warnings) if report.outcome else 0),
    }


def oxigraph_load(location: Path, *files: Path) -> float:
    shutil.rmtree(location, ignore_errors=True)
    t = time.monotonic()
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(location), "--file", *map(str, files)],
        check=True,
        capture_output=True,
    )
    return time.monotonic() - t


def export_sources(store_path: Path, out: Path) -> int:
    """The source graphs of the published snapshot as N-Quads (what riikg's union covers)."""
    from riikg.store.base import RdfFormat
    from riikg.store.oxigraph import OxigraphStore

    store = OxigraphStore.open_reader(BASE, store_path)
    n = 0
    with open(out, "wb") as fh:
        for g in store.source_graphs():
            data = store.dump(g, RdfFormat.NQUADS)
            n += data.count(b"\n")
            fh.write(data)
    store.close()
    return n


def build(size: int, pipeline_max: int) -> Built:
    infras = infrastructures_for(size)
    nt = OUT / f"synthetic-{size}.nt"
    triples = write(nt, infras, BASE)
    built = Built(size, infras, triples, nt, OUT / f"store-{size}", OUT / f"oxigraph-{size}")
    shutil.rmtree(built.store, ignore_errors=True)
    say(f"{size}: reference sources")
    built.timings["reference"] = load_reference(built.store)
    if size <= pipeline_max:
        say(f"{size}: riikg pipeline load of {triples} triples")
        for k, v in pipeline_load(built.store, nt, "synthetic").items():
            built.timings[f"pipeline_{k}"] = v
    else:
        say(f"{size}: riikg write step for {triples} triples")
        for k, v in write_only(built.store, nt, "synthetic").items():
            built.timings[f"write_{k}"] = v
        built.notes.append(
            f"at {triples:,} triples the synthetic source was written with riikg's write step "
            "only (parse + `Store.replace_graphs` + snapshot publish); SHACL validation cost "
            "is measured separately below"
        )
    say(f"{size}: oxigraph load CLI")
    built.timings["oxigraph_load_synthetic"] = oxigraph_load(OUT / "oxigraph-tmp", nt)
    shutil.rmtree(OUT / "oxigraph-tmp", ignore_errors=True)
    nq = OUT / f"sources-{size}.nq"
    export_sources(built.store, nq)
    built.timings["oxigraph_load_all"] = oxigraph_load(built.oxi, nq)
    return built


# ---- queries ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    cls: str
    text: str


def entity(i: int) -> str:
    return f"{BASE}id/infrastructure/synthetic-{i:05d}"


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


def json_rows(data: bytes) -> int:
    doc = json.loads(data)
    return len(doc["results"]["bindings"]) if "results" in doc else int(bool(doc.get("boolean")))


def http_query(port: int, path: str, text: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request(
            "POST",
            path,
            body=urlencode({"query": text}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
        )
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{resp.status}: {data[:200]!r}")
        return data
    finally:
        conn.close()


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
    import selectors

    out: dict[str, float] = {}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.run", "rdflib-worker", str(nq)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env(),
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


def _reference_rows(server: Server, text: str) -> int:
    return json_rows(http_query(server.port, server.query_path, text))


def _embedded_rows(store: Any, text: str) -> int:
    from riikg.store.base import ResultFormat

    return json_rows(store.query_raw(text, ResultFormat.JSON))


def _page_shows(label: bytes, status: int, body: bytes) -> bool:
    return status == 200 and label in body


def _num(value: object) -> float:
    """A figure from the fault inspector's JSON-like records."""
    if isinstance(value, int | float | str):
        return float(value)
    raise TypeError(f"not a number: {value!r}")


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


# ---- HTTP ---------------------------------------------------------------------------------------
def sparql_texts(built: Built) -> list[str]:
    """The HTTP SPARQL mix: entity description, incoming links, a paged region query."""
    texts = []
    for k in range(40):
        i = (k * 7919) % built.infrastructures
        texts += [
            f"SELECT ?p ?o WHERE {{ <{entity(i)}> ?p ?o }}",
            f"SELECT ?s ?p WHERE {{ ?s ?p <{entity(i)}> }}",
            PREFIXES + "SELECT ?x WHERE { ?x a riikg:ResearchInfrastructure ; riikg:region "
            f"<http://data.europa.eu/nuts/code/ITH55> }} LIMIT 20 OFFSET {k}",
        ]
    return texts


def sparql_mix(built: Built, path: str, expected: dict[str, int] | None = None) -> list[Req]:
    """The mix as requests; with ``expected`` (rows per query, from the reference server)
    an answer is right only when it is SPARQL JSON with that many rows."""
    mix = []
    for text in sparql_texts(built):

        def check(status: int, body: bytes, want: int | None = (expected or {}).get(text)) -> bool:
            if status != 200:
                return False
            return want is None or json_rows(body) == want

        mix.append(
            Req(
                "sparql",
                "POST",
                path,
                urlencode({"query": text}).encode(),
                (
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Accept", "application/sparql-results+json"),
                ),
                check,
            )
        )
    return mix


def page_mix(built: Built, kind: str) -> list[Req]:
    out = []
    if kind == "entity":
        for k in range(50):
            i = (k * 7919) % built.infrastructures
            label = f"Synthetic Lab {i:05d}".encode()
            path = f"/id/infrastructure/synthetic-{i:05d}"
            out.append(
                Req(
                    "entity page",
                    "GET",
                    path,
                    None,
                    (("Accept", "text/html"),),
                    partial(_page_shows, label),
                )
            )
    else:
        for q in ("", "?ket=KET2009-MNE", "?access=market-driven", "?country=IT"):
            out.append(
                Req(
                    "facet page",
                    "GET",
                    "/infrastructures" + q,
                    None,
                    (("Accept", "text/html"),),
                    lambda st, body: st == 200 and b"Synthetic" in body,
                )
            )
    return out


#: the throughput runs alternate between the servers in this many rounds (less drift)
ROUNDS = 3


def http_section(built: Built, report: Report, seconds: float, clients: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    rows: list[list[str]] = []
    log = OUT / f"riikg-serve-{built.size}.log"
    log_off = OUT / f"riikg-serve-{built.size}-nocache.log"
    with (
        oxigraph_server(built.oxi) as oxi,
        riikg_server(built.store, 2, log) as ours,
        riikg_server(built.store, 2, log_off, {"RIIKG_RESULT_CACHE_MB": "0"}) as off,
    ):
        expected = {t: json_rows(http_query(oxi.port, "/query", t)) for t in sparql_texts(built)}
        servers = {"oxi": oxi, "ours": ours, "off": off}
        mixes = {k: sparql_mix(built, v.query_path, expected) for k, v in servers.items()}
        runs: dict[str, list[Result]] = {k: [] for k in servers}
        for _ in range(ROUNDS):
            for name, server in servers.items():
                runs[name].append(
                    run(server.port, mixes[name], clients=clients, seconds=seconds / ROUNDS)
                )
        ref, got, got_off = (combined(runs[k]) for k in ("oxi", "ours", "off"))
        oxi_mem = memory(oxi.proc.pid)
        figures["oxigraph_cold"] = oxi.cold_start
        warm_up(ours.port, page_mix(built, "entity") + page_mix(built, "facet"))
        entity1 = run(ours.port, page_mix(built, "entity"), clients=1, seconds=seconds / 3)
        facet1 = run(ours.port, page_mix(built, "facet"), clients=1, seconds=seconds / 3)
        entity_n = run(ours.port, page_mix(built, "entity"), clients=clients, seconds=seconds / 2)
        facet_n = run(ours.port, page_mix(built, "facet"), clients=clients, seconds=seconds / 2)
        our_mem = memory(ours.proc.pid)
        figures["riikg_cold"] = ours.cold_start
    for name, res in (
        ("riikg /sparql (as shipped: response cache on)", got),
        ("riikg /sparql, `RIIKG_RESULT_CACHE_MB=0` (every query runs)", got_off),
        ("Oxigraph /query", ref),
    ):
        rows.append(
            [
                name,
                f"{res.rate:.0f}",
                ms(res.percentile(50)),
                ms(res.percentile(99)),
                str(res.server_errors),
                str(len(res.wrong)),
                str(len(res.errors)),
            ]
        )
    figures["sparql_ratio"] = got.rate / ref.rate if ref.rate else 0.0
    figures["sparql_ratio_uncached"] = got_off.rate / ref.rate if ref.rate else 0.0
    report.table(
        f"HTTP SPARQL throughput, {built.triples:,} triples, {clients} concurrent clients, "
        f"{seconds:.0f} s each",
        ["server", "requests/s", "p50 ms", "p99 ms", "5xx", "wrong answers", "transport errors"],
        rows,
        "Same mix on all three (entity description, incoming links, a paged region query; 120 "
        "distinct queries drawn at random, POST form, JSON results; an answer is wrong unless "
        "it has as many rows as Oxigraph's). The three servers run side by side and are "
        f"driven in turn, {ROUNDS} rounds of {seconds / ROUNDS:.0f} s each. riikg: `riikg "
        "serve` (gunicorn, 2 workers × 8 threads, each worker with its pool of killable query "
        "processes, per-client limit lifted because all load comes from one address), once as "
        "shipped and once with the response cache off. Oxigraph: `oxigraph serve-read-only "
        "--union-default-graph`, which has no result cache. "
        f"**riikg / Oxigraph throughput = {figures['sparql_ratio']:.2f}** as shipped (issue 5 "
        f"target ≥ 0.6); {figures['sparql_ratio_uncached']:.2f} with every query run.",
    )
    page_rows = []
    for name, one, many, target in (
        ("entity page", entity1, entity_n, 5.0),
        ("facet page", facet1, facet_n, 30.0),
    ):
        p50 = one.percentile(50) * 1000
        figures[f"{name}_p50"] = p50
        page_rows.append(
            [
                name,
                ms(one.percentile(50)),
                ms(one.percentile(99)),
                f"{target:.0f}",
                "yes" if p50 < target else "**no**",
                f"{many.rate:.0f}",
                ms(many.percentile(50)),
                str(many.server_errors + one.server_errors),
                str(len(one.wrong) + len(many.wrong)),
            ]
        )
    report.table(
        f"Linked-data pages, {built.triples:,} triples",
        [
            "page",
            "p50 ms (1 client)",
            "p99 ms (1 client)",
            "target p50 ms",
            "met",
            f"requests/s ({clients} clients)",
            f"p50 ms ({clients} clients)",
            "5xx",
            "wrong answers",
        ],
        page_rows,
        "HTML entity pages `/id/infrastructure/synthetic-NNNNN` (50 different ones) and facet "
        "pages `/infrastructures` (no filter, `ket=`, `access=`, `country=`), through gunicorn. "
        "The reference for the data behind an entity page is the entity-description row of "
        "the latency table (Oxigraph server answering the same lookup).",
    )
    report.table(
        f"Memory and cold start, {built.triples:,} triples",
        ["server", "RSS now MiB (process tree)", "peak RSS MiB (sum of VmHWM)", "cold start s"],
        [
            [
                "riikg serve",
                f"{our_mem[0]:.0f}",
                f"{our_mem[1]:.0f}",
                f"{figures['riikg_cold']:.2f}",
            ],
            [
                "oxigraph serve-read-only",
                f"{oxi_mem[0]:.0f}",
                f"{oxi_mem[1]:.0f}",
                f"{figures['oxigraph_cold']:.2f}",
            ],
        ],
        "Cold start = process start to the first answered SPARQL query (riikg: `/health` "
        "then `ASK {}` through `/sparql`, which spawns the query workers). Memory is read "
        "from `/proc/*/status` after the load runs.",
    )
    return figures


def warm_up(port: int, mix: list[Req]) -> None:
    """Send every distinct request several times from 8 clients, so every gunicorn worker
    has built its caches and indexes before anything is timed."""
    distinct = list({(r.method, r.path, r.body): r for r in mix}.values())
    run(port, distinct, clients=8, seconds=180, max_requests=max(len(distinct) * 4, 64))


def sustained(built: Built, report: Report, seconds: float, clients: int) -> Result:
    from riikg.store.oxigraph import OxigraphStore

    store = OxigraphStore.open_reader(BASE, built.store)
    count = store.select(
        PREFIXES + "SELECT (COUNT(?i) AS ?n) WHERE { ?i a riikg:ResearchInfrastructure }"
    )[0]["n"].value
    store.close()
    count_q = PREFIXES + "SELECT (COUNT(?i) AS ?n) WHERE { ?i a riikg:ResearchInfrastructure }"
    expect = f'"value":"{count}"'.encode()
    mix = (
        sparql_mix(built, "/sparql")[:60]
        + page_mix(built, "entity") * 2
        + page_mix(built, "facet") * 2
        + [
            Req(
                "sparql count",
                "GET",
                "/sparql?" + urlencode({"query": count_q}),
                None,
                (("Accept", "application/sparql-results+json"),),
                lambda st, body: st == 200 and expect in body.replace(b" ", b""),
            )
        ]
        * 10
        + [
            Req(
                "search",
                "GET",
                "/search?" + urlencode({"q": "Synthetic Lab 00042"}),
                None,
                (("Accept", "text/html"),),
                lambda st, body: st == 200,
            )
        ]
        * 5
    )
    with riikg_server(built.store, 2, OUT / "riikg-sustained.log") as ours:
        warm_up(ours.port, mix)
        res = run(ours.port, mix, clients=clients, seconds=seconds)
        mem = memory(ours.proc.pid)
        alive = ours.proc.poll() is None
    by = ", ".join(f"{k}: {len(v)}" for k, v in sorted(res.latencies.items()))
    report.table(
        f"Sustained mixed load: {clients} clients for {seconds:.0f} s, {built.triples:,} triples",
        ["requests", "requests/s", "p50 ms", "p99 ms", "5xx", "429", "wrong answers", "errors"],
        [
            [
                str(res.count),
                f"{res.rate:.0f}",
                ms(res.percentile(50)),
                ms(res.percentile(99)),
                str(res.server_errors),
                str(res.statuses.get(429, 0)),
                str(len(res.wrong)),
                str(len(res.errors)),
            ]
        ],
        f"Mix: SPARQL lookups, `COUNT` of infrastructures checked against the store ({count}), "
        f"entity pages checked for their label, facet pages, search ({by}). Server alive "
        f"afterwards: {alive}; peak RSS of its process tree {mem[1]:.0f} MiB."
        + (f" First wrong answers: {res.wrong[:3]}" if res.wrong else "")
        + (f" First errors: {res.errors[:3]}" if res.errors else ""),
    )
    return res


# ---- validation (issue 3) and faults (issue 2 / docs/security.md T5) ---------------------------
def validate_worker(nt: Path, ref_store: Path) -> None:
    """Child process: parse, build the reference context and validate one graph; print JSON."""
    from bench.loader import load_ntriples, synthetic_source
    from riikg.pipeline import reference_context
    from riikg.sources import SourceGraph
    from riikg.store.oxigraph import OxigraphStore
    from riikg.validate import validate

    t = time.monotonic()
    graph = load_ntriples(
        synthetic_source(nt, "synthetic"), SourceGraph(), base_iri=BASE, store=None
    )
    parse_s = time.monotonic() - t
    print(json.dumps({"parsed": len(graph), "parse": parse_s}), flush=True)
    store = OxigraphStore.open_reader(BASE, ref_store)
    t = time.monotonic()
    context = reference_context(store, graph)
    context_s = time.monotonic() - t
    store.close()
    print(json.dumps({"context": context_s}), flush=True)
    t = time.monotonic()
    outcome = validate(graph, context=context)
    print(
        json.dumps(
            {
                "validate": time.monotonic() - t,
                "conforms": outcome.conforms,
                "violations": len(outcome.violations),
                "warnings": len(outcome.warnings),
            }
        ),
        flush=True,
    )


def run_validate(nt: Path, ref_store: Path, timeout: float) -> dict[str, float]:
    """Figures from :func:`validate_worker`; ``validate`` is -1 when it ran past ``timeout``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.run", "validate-worker", str(nt), str(ref_store)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env(),
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    figures: dict[str, float] = {"validate": -1.0}
    for line in out.splitlines():
        figures.update(json.loads(line))
    return figures


def validation_section(
    report: Report, infras: int, source_infras: int, ref_store: Path, timeout: float
) -> None:
    big = OUT / f"synthetic-{infras}-infras.nt"
    n = write(big, infras, BASE)
    say(f"validation: {infras} infrastructures ({n} triples), whole graph, limit {timeout:.0f} s")
    got = run_validate(big, ref_store, timeout)
    if got["validate"] < 0:
        took = f"> {timeout - got.get('parse', 0) - got.get('context', 0):.0f} (stopped)"
        rate, result = "—", f"not finished within the {timeout:.0f} s limit of this run"
    else:
        took = f"{got['validate']:.1f}"
        rate = f"{n / got['validate']:,.0f}"
        result = (
            f"conforms {got['conforms']} ({got['violations']:.0f} violations, "
            f"{got['warnings']:.0f} warnings)"
        )
    rows = [
        [
            f"whole generated graph, {infras:,} infrastructures",
            f"{n:,}",
            f"{got.get('parse', float('nan')):.1f}",
            f"{got.get('context', float('nan')):.1f}",
            took,
            rate,
            result,
        ]
    ]
    # one 1,000-infrastructure source loaded into a store that holds the big graph
    store_path = OUT / "store-validation"
    shutil.rmtree(store_path, ignore_errors=True)
    shutil.copytree(ref_store, store_path)
    write_only(store_path, big, "synthetic-big")
    small = OUT / f"synthetic-{source_infras}-infras-offset.nt"
    m = write(small, source_infras, BASE, seed=3, offset=infras)
    say(f"validation: one {source_infras}-infrastructure source into the {infras} store")
    one = pipeline_load(store_path, small, "synthetic-extra")
    rows.append(
        [
            f"one {source_infras:,}-infrastructure source loaded (full pipeline) into a store "
            f"holding the {infras:,}",
            f"{m:,}",
            f"{one['parse']:.1f}",
            "(in validate)",
            f"{one['validate']:.1f}",
            f"{m / one['validate']:,.0f}",
            f"conforms {bool(one['conforms'])}; write {one['write']:.1f} s; "
            f"total {one['total']:.1f} s",
        ]
    )
    shutil.rmtree(store_path, ignore_errors=True)
    report.table(
        "SHACL validation (issue 3)",
        ["what", "triples", "parse s", "reference context s", "validate s", "triples/s", "result"],
        rows,
        "`riikg.validate.validate` (pySHACL with the project's shapes and ontology) on the "
        "source graph plus the reference triples it points to (`reference_context`: NUTS "
        "regions and their parents, strategies), in a child process stopped at the limit. "
        "Validation cost follows the size of the source, not of the store: the second row "
        "validates only the new source (its reference context is part of its validate time).",
    )


def faults_section(report: Report, before: int, after: int, kills: int) -> None:
    work = OUT / "faults"
    shutil.rmtree(work, ignore_errors=True)
    say(f"faults: {kills} + 2 SIGKILLs ({before} -> {after} infrastructures)")
    prep = faults.prepare(work, before, after)
    trials = faults.kill_trials(work, prep, 2, kills)
    s = faults.summary(prep, trials)
    b, a = prep["before"], prep["after"]
    assert isinstance(b, dict) and isinstance(a, dict)
    rows = [
        [
            t.plan,
            "yes" if t.returncode == -signal.SIGKILL else f"no (exit {t.returncode})",
            t.outcome,
            f"{t.inspected['quads']:,}",
            f"{_num(t.inspected['staging_bytes']) / 1e6:.1f}",
            f"{_num(t.inspected['master_bytes']) / 1e6:.1f}"
            if t.inspected["dirty"]
            else "0 (clean)",
            f"{_num(t.inspected['recover_s']) * 1000:.0f}",
            f"{_num(t.inspected['reopen_count_s']) * 1000:.0f}",
        ]
        for t in trials
    ]
    shutil.rmtree(work, ignore_errors=True)
    report.table(
        "SIGKILL during loads (issue 2, docs/security.md T5)",
        [
            "kill at",
            "killed",
            "state after",
            "quads",
            "orphan staging MB",
            "dirty master MB",
            "recover() ms",
            "reopen + count ms",
        ],
        rows,
        f"A store holding the bundled reference sources and a synthetic source of "
        f"{b['graph_triples']:,} triples ({b['quads']:,} quads); a new version of "
        f"{a['graph_triples']:,} triples is loaded and killed: 2 kills during the full "
        f"pipeline's read/validation, {kills} spread evenly over the write step (the "
        f"reference write took {s['load_s']:.2f} s). Each store is inspected in a fresh "
        f"process: orphans measured, `recover()` timed, the published snapshot counted and "
        f"its source graph's sorted N-Triples digested. **{s['killed']}/{s['kills']} killed, "
        f"{s['before']} before-state, {s['after']} after-state, {s['mixed']} mixed**; worst "
        f"orphan {_num(s['orphan_bytes_max']) / 1e6:.1f} MB, all removed by `recover()` "
        f"(max {_num(s['recover_s_max']) * 1000:.0f} ms).",
    )


def load_section(report: Report, builds: list[Built]) -> None:
    rows = []
    for b in builds:
        t = b.timings
        if "pipeline_total" in t:
            ours = t["pipeline_total"]
            detail = (
                f"pipeline: parse {t['pipeline_parse']:.1f} s, validate "
                f"{t['pipeline_validate']:.1f} s, write {t['pipeline_write']:.1f} s"
            )
        else:
            ours = t["write_total"]
            detail = f"write step only: parse {t['write_parse']:.1f} s, write+publish " + (
                f"{t['write_total'] - t['write_parse']:.1f} s"
            )
        ref = t["oxigraph_load_synthetic"]
        rows.append(
            [
                f"{b.triples:,}",
                f"{ours:.1f}",
                f"{b.triples / ours:,.0f}",
                f"{ref:.1f}",
                f"{b.triples / ref:,.0f}",
                f"{ours / ref:.1f}",
                detail,
            ]
        )
    report.table(
        "Load and validate throughput",
        [
            "triples",
            "riikg s",
            "riikg triples/s",
            "`oxigraph load` s",
            "oxigraph triples/s",
            "riikg / oxigraph time",
            "riikg breakdown",
        ],
        rows,
        "riikg = `riikg.pipeline.load_source` on a store already holding the bundled "
        "reference sources (ontology, vocabularies, NUTS): the loader parses the N-Triples "
        "file (the project's `rdf_file` loader; files over its 64 MiB cap use the bench's "
        "minimal rdflib loader), SHACL validation with the reference context, then the "
        "atomic graph replacement and snapshot publication. Reference: `oxigraph load` of "
        "the same file into an empty store (no validation, parallel bulk loader). "
        + " ".join(n for b in builds for n in b.notes),
    )


def main(argv: list[str] | None = None) -> int:
    raw = sys.argv[1:] if argv is None else argv
    if raw[:1] == ["rdflib-worker"]:
        rdflib_worker(Path(raw[1]))
        return 0
    if raw[:1] == ["rerun-http"]:
        return rerun_http(raw[1:])
    if raw[:1] == ["validate-worker"]:
        validate_worker(Path(raw[1]), Path(raw[2]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000", help="graph sizes (triples)")
    parser.add_argument(
        "--pipeline-max", type=int, default=150_000, help="largest size loaded with validation"
    )
    parser.add_argument("--seconds", type=float, default=15, help="each HTTP load run")
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--sustained", type=float, default=60, help="sustained run seconds")
    parser.add_argument("--sustained-clients", type=int, default=32)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds per query class")
    parser.add_argument("--validate-infras", type=int, default=30_000)
    parser.add_argument("--source-infras", type=int, default=1_000)
    parser.add_argument(
        "--validate-timeout", type=float, default=300, help="limit for the whole-graph validation"
    )
    parser.add_argument("--fault-before", type=int, default=2_000)
    parser.add_argument("--fault-after", type=int, default=12_000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="small and short (smoke test)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.seconds, args.sustained, args.budget = "20000,60000", 4, 8, 0.5
        args.validate_infras, args.source_infras, args.validate_timeout = 2_000, 200, 60
        args.fault_before, args.fault_after, args.kills = 200, 1_000, 4
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # read the notes before the first section overwrites the file
    report = Report(path=args.out, notes=kept_notes(args.out))
    report.add("Machine and versions", machine())
    sizes = [int(x) for x in args.sizes.split(",") if x]
    builds = [build(size, args.pipeline_max) for size in sizes]
    load_section(report, builds)
    http_figures = {}
    for i, b in enumerate(builds):
        say(f"{b.size}: query latency")
        latency_table(b, report, args.budget, with_rdflib=i == 0)
        say(f"{b.size}: HTTP")
        http_figures[b.size] = http_section(b, report, args.seconds, args.clients)
    bundled = bundled_pages(report, args.seconds)
    say("sustained load")
    held = sustained(builds[-1], report, args.sustained, args.sustained_clients)
    validation_section(
        report, args.validate_infras, args.source_infras, builds[0].store, args.validate_timeout
    )
    faults_section(report, args.fault_before, args.fault_after, args.kills)
    summary = summary_text(builds, http_figures, bundled, held)
    took = time.monotonic() - started
    write_doc(args, report, summary, took, argv)
    say(f"done in {took / 60:.1f} min; wrote {args.out}")
    return 0


def bundled_pages(report: Report, seconds: float) -> dict[str, float]:
    """Entity and facet page latency on the real bundled data (issue 6)."""
    from riikg.store.oxigraph import OxigraphStore

    store_path = OUT / "store-bundled"
    shutil.rmtree(store_path, ignore_errors=True)
    done = subprocess.run(
        [*RIIKG, "--store-path", str(store_path), "load", "--default"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env(),
        check=False,
    )
    if done.returncode not in (0, 1):
        report.add(
            "Pages on the bundled data", f"`riikg load --default` failed: {done.stderr[-300:]}"
        )
        return {}
    store = OxigraphStore.open_reader(BASE, store_path)
    rows = store.select(
        PREFIXES + "SELECT ?i ?l WHERE { ?i a riikg:ResearchInfrastructure ; skos:prefLabel ?l } "
        "ORDER BY ?i LIMIT 50"
    )
    triples = store.count()
    store.close()
    entity_mix = [
        Req(
            "entity page",
            "GET",
            r["i"].value.replace(BASE, "/"),
            None,
            (("Accept", "text/html"),),
            lambda st, body: st == 200,
        )
        for r in rows
        if r["i"].value.startswith(BASE)
    ]
    facet_mix = [
        Req(
            "facet page",
            "GET",
            "/infrastructures" + q,
            None,
            (("Accept", "text/html"),),
            lambda st, body: st == 200,
        )
        for q in ("", "?ket=KET2009-MNE", "?country=IT", "?access=market-driven")
    ]
    figures: dict[str, float] = {}
    with riikg_server(store_path, 2, OUT / "riikg-bundled.log") as ours:
        warm_up(ours.port, entity_mix + facet_mix)
        e = run(ours.port, entity_mix, clients=1, seconds=seconds / 3) if entity_mix else Result(0)
        f = run(ours.port, facet_mix, clients=1, seconds=seconds / 3)
    figures["entity_p50"] = e.percentile(50) * 1000
    figures["facet_p50"] = f.percentile(50) * 1000
    report.table(
        f"Pages on the bundled data ({triples:,} quads, `riikg load --default`)",
        ["page", "p50 ms", "p99 ms", "target p50 ms", "met", "5xx", "non-200"],
        [
            [
                name,
                ms(res.percentile(50)),
                ms(res.percentile(99)),
                f"{target:.0f}",
                "yes" if res.percentile(50) * 1000 < target else "**no**",
                str(res.server_errors),
                str(sum(n for s, n in res.statuses.items() if s != 200)),
            ]
            for name, res, target in (("entity page", e, 5.0), ("facet page", f, 30.0))
        ],
        "One client, HTML, through gunicorn: the first 50 infrastructures (by IRI) and four "
        "facet pages.",
    )
    return figures


def rerun_http(argv: list[str]) -> int:
    """Measure the HTTP sections again on the stores of the last run and replace them (and the
    summary) in the report, keeping its other sections: ``python -m bench.run rerun-http``."""
    parser = argparse.ArgumentParser(prog="python -m bench.run rerun-http")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--sustained", type=float, default=60)
    parser.add_argument("--sustained-clients", type=int, default=32)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    report = Report()
    builds = []
    for size in (int(x) for x in args.sizes.split(",")):
        nt = OUT / f"synthetic-{size}.nt"
        triples = sum(1 for _ in open(nt, "rb"))
        builds.append(
            Built(
                size,
                infrastructures_for(size),
                triples,
                nt,
                OUT / f"store-{size}",
                OUT / f"oxigraph-{size}",
            )
        )
    figures = {b.size: http_section(b, report, args.seconds, args.clients) for b in builds}
    bundled = bundled_pages(report, args.seconds)
    held = sustained(builds[-1], report, args.sustained, args.sustained_clients)
    text = args.out.read_text(encoding="utf-8")
    for section in report.sections:
        title = section.split("\n", 1)[0]
        start = text.find(title)
        if start < 0:
            text += "\n" + section
            continue
        end = text.find("\n## ", start + len(title))
        notes = text.find(NOTES_START, start)
        if notes >= 0 and (end < 0 or notes < end):
            end = notes - 1
        text = text[:start] + section + (text[end:] if end >= 0 else "")
    start = text.find("## Summary")
    end = text.find("\n## ", start + 5)
    summary = summary_text(builds, figures, bundled, held)
    stamp = (
        f"(HTTP sections re-measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with "
        "`python -m bench.run rerun-http`)"
    )
    text = text[:start] + "## Summary\n\n" + summary + "\n\n" + stamp + "\n" + text[end:]
    args.out.write_text(text, encoding="utf-8")
    return 0


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def summary_text(
    builds: list[Built],
    http_figures: dict[int, dict[str, float]],
    bundled: dict[str, float],
    held: Result,
) -> str:
    lines = ["| figure | measured | target / reference | met |", "|---|---|---|---|"]
    for b in builds:
        f = http_figures[b.size]
        lines.append(
            f"| `/sparql` throughput vs Oxigraph server, {b.triples:,} triples | "
            f"{f['sparql_ratio']:.2f} | ≥ 0.6 (issue 5) | {met(f['sparql_ratio'] >= 0.6)} |"
        )
        lines.append(
            f"| same, response cache off (every query runs), {b.triples:,} triples | "
            f"{f['sparql_ratio_uncached']:.2f} | (not a target; see the notes) | — |"
        )
        for page, target in (("entity page", 5.0), ("facet page", 30.0)):
            v = f[f"{page}_p50"]
            lines.append(
                f"| {page} p50, {b.triples:,} triples | {v:.2f} ms | < {target:.0f} ms (issue 6) | "
                f"{'yes' if v < target else '**no**'} |"
            )
    for page, target in (("entity", 5.0), ("facet", 30.0)):
        v = bundled.get(f"{page}_p50", float("nan"))
        lines.append(
            f"| {page} page p50, bundled data | {v:.2f} ms | < {target:.0f} ms (issue 6) | "
            f"{'yes' if v < target else '**no**'} |"
        )
    lines.append(
        f"| sustained load: 5xx / wrong answers | {held.server_errors} / {len(held.wrong)} | "
        f"0 / 0 | {met(held.server_errors == 0 and not held.wrong)} |"
    )
    return "\n".join(lines)


def write_doc(
    args: argparse.Namespace, report: Report, summary: str, took: float, argv: list[str] | None
) -> None:
    command = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    head = (
        "# Benchmarks\n\n"
        "Tables generated by `make bench` (`python -m bench.run`). The graphs "
        "are synthetic (`bench/generate.py`: seeded, real NUTS 3 regions and KETs, every "
        'entity named "Synthetic …" and flagged `riikg:synthetic true` in its provenance) '
        "plus the bundled reference sources. Benchmarks print figures; no test asserts a "
        "timing. The notes at the end are written by hand and kept across runs.\n\n"
        f"This run: `{command.strip()}`, {took / 60:.1f} min.\n\n"
        "## Summary\n\n" + summary + "\n\n"
    )
    args.out.write_text(head + "\n".join(report.sections) + report.notes, encoding="utf-8")


NOTES_START, NOTES_END = "<!-- notes (written by hand; kept by bench.run) -->", "<!-- /notes -->"


def kept_notes(path: Path) -> str:
    """The hand-written notes block of an existing report, to carry over."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    start, end = text.find(NOTES_START), text.find(NOTES_END)
    if start < 0 or end < start:
        return ""
    return "\n" + text[start : end + len(NOTES_END)] + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
