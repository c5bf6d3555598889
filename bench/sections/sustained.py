"""The sustained mixed-load section: many clients on one ``riikg serve`` for a minute,
every answer checked."""

from __future__ import annotations

from urllib.parse import urlencode

from bench.http_load import Req, Result, run
from bench.report import Report
from bench.sections.common import BASE, OUT, PREFIXES, html_page, ms, riikg_server, warm_up
from bench.sections.http import page_mix, sparql_mix
from bench.sections.load import Built
from bench.servers import tree_memory


def sustained(built: Built, report: Report, seconds: float, clients: int) -> Result:
    from riikg.store.oxigraph import OxigraphStore

    count_q = PREFIXES + "SELECT (COUNT(?i) AS ?n) WHERE { ?i a riikg:ResearchInfrastructure }"
    store = OxigraphStore.open_reader(BASE, built.store)
    count = store.select(count_q)[0]["n"].value
    store.close()
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
        + [html_page("search", "/search?" + urlencode({"q": "Synthetic Lab 00042"}))] * 5
    )
    with riikg_server(built.store, 2, OUT / "riikg-sustained.log") as ours:
        warm_up(ours.port, mix)
        res = run(ours.port, mix, clients=clients, seconds=seconds)
        mem = tree_memory(ours.proc.pid)
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
