"""The HTTP sections: SPARQL throughput of ``riikg serve`` (response cache on and off)
against ``oxigraph serve-read-only``, linked-data page latency, memory and cold start."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from bench.http_load import Req, Result, combined, run
from bench.report import Report
from bench.sections.common import (
    OUT,
    PAGE_TARGETS,
    PREFIXES,
    SparqlServer,
    entity,
    html_page,
    http_query,
    json_rows,
    met,
    ms,
    oxigraph_server,
    riikg_server,
    warm_up,
)
from bench.sections.load import Built
from bench.servers import tree_memory


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


def _page_shows(label: bytes, status: int, body: bytes) -> bool:
    return status == 200 and label in body


def page_mix(built: Built, kind: str) -> list[Req]:
    """50 entity pages, each checked for its label, or the four facet pages."""
    if kind == "entity":
        return [
            html_page(
                "entity page",
                f"/id/infrastructure/synthetic-{i:05d}",
                partial(_page_shows, f"Synthetic Lab {i:05d}".encode()),
            )
            for i in ((k * 7919) % built.infrastructures for k in range(50))
        ]
    return [
        html_page("facet page", "/infrastructures" + q, partial(_page_shows, b"Synthetic"))
        for q in ("", "?ket=KET2009-MNE", "?access=market-driven", "?country=IT")
    ]


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
        servers: dict[str, SparqlServer] = {"oxi": oxi, "ours": ours, "off": off}
        mixes = {k: sparql_mix(built, v.query_path, expected) for k, v in servers.items()}
        runs: dict[str, list[Result]] = {k: [] for k in servers}
        for _ in range(ROUNDS):
            for name, server in servers.items():
                runs[name].append(
                    run(server.port, mixes[name], clients=clients, seconds=seconds / ROUNDS)
                )
        ref, got, got_off = (combined(runs[k]) for k in ("oxi", "ours", "off"))
        oxi_mem = tree_memory(oxi.process.pid)
        figures["oxigraph_cold"] = oxi.startup_seconds
        warm_up(ours.port, page_mix(built, "entity") + page_mix(built, "facet"))
        entity1 = run(ours.port, page_mix(built, "entity"), clients=1, seconds=seconds / 3)
        facet1 = run(ours.port, page_mix(built, "facet"), clients=1, seconds=seconds / 3)
        entity_n = run(ours.port, page_mix(built, "entity"), clients=clients, seconds=seconds / 2)
        facet_n = run(ours.port, page_mix(built, "facet"), clients=clients, seconds=seconds / 2)
        our_mem = tree_memory(ours.proc.pid)
        figures["riikg_cold"] = ours.startup_seconds
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
        ("entity page", entity1, entity_n, PAGE_TARGETS["entity page"]),
        ("facet page", facet1, facet_n, PAGE_TARGETS["facet page"]),
    ):
        p50 = one.percentile(50) * 1000
        figures[f"{name}_p50"] = p50
        page_rows.append(
            [
                name,
                ms(one.percentile(50)),
                ms(one.percentile(99)),
                f"{target:.0f}",
                met(p50 < target),
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
