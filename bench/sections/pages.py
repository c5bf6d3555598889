"""The "Pages on the bundled data" section: entity and facet page latency on the real
bundled sources (``riikg load --default``)."""

from __future__ import annotations

import shutil

from bench.http_load import Result, run
from bench.report import Report
from bench.sections.common import (
    BASE,
    OUT,
    PAGE_TARGETS,
    PREFIXES,
    html_page,
    met,
    ms,
    riikg_server,
    warm_up,
)
from bench.servers import riikg_cli


def bundled_pages(report: Report, seconds: float) -> dict[str, float]:
    """Entity and facet page latency on the real bundled data (issue 6)."""
    from riikg.store.oxigraph import OxigraphStore

    store_path = OUT / "store-bundled"
    shutil.rmtree(store_path, ignore_errors=True)
    done = riikg_cli(store_path, "load", "--default")
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
        html_page("entity page", r["i"].value.replace(BASE, "/"))
        for r in rows
        if r["i"].value.startswith(BASE)
    ]
    facet_mix = [
        html_page("facet page", "/infrastructures" + q)
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
                met(res.percentile(50) * 1000 < target),
                str(res.server_errors),
                str(sum(n for s, n in res.statuses.items() if s != 200)),
            ]
            for (name, target), res in zip(PAGE_TARGETS.items(), (e, f), strict=True)
        ],
        "One client, HTML, through gunicorn: the first 50 infrastructures (by IRI) and four "
        "facet pages.",
    )
    return figures
