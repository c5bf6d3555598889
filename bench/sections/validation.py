"""The SHACL validation section (issue 3): a whole generated graph validated in a child
process stopped at a limit, and one source loaded into a store that holds it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import write
from bench.report import Report
from bench.sections.common import BASE, OUT, say
from bench.sections.load import pipeline_load, write_only
from bench.servers import ROOT, child_env


def validate_worker(nt: Path, ref_store: Path) -> None:
    """Child process: parse, build the reference context and validate one graph; print JSON."""
    from bench.loader import load_ntriples, synthetic_source
    from riikg.pipeline import reference_context
    from riikg.sources import SourceGraph
    from riikg.store.oxigraph import OxigraphStore
    from riikg.validate import validate

    t = time.monotonic()
    graph = load_ntriples(synthetic_source(nt, "synthetic"), SourceGraph(), base_iri=BASE)
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
        env=child_env(),
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
