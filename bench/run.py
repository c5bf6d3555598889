"""Benchmarks: load, validation, query latency, HTTP throughput, memory, cold start, faults.

    make bench                                   # python -m bench.run (defaults below)
    python -m bench.run --sizes 100000,1000000 --seconds 15 --sustained 60
    python -m bench.run --quick                  # small sizes, short runs (a smoke test)

Every figure is printed next to its reference, measured in the same run on the same data:
Oxigraph's own CLI and server (``oxigraph load`` / ``oxigraph serve-read-only``) and, at the
smallest size only, rdflib's SPARQL engine as the naive baseline. Results go to
``docs/benchmarks.md`` (tables) with the machine, the versions and the date.

This module reads the arguments and runs the sections (``bench/sections/``) in order; the
report is written by ``bench/report.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.report import Report, kept_notes, machine, replace_sections, summary_text, write_doc
from bench.sections.common import OUT, say
from bench.sections.faults import faults_section
from bench.sections.http import http_section
from bench.sections.load import Built, build, load_section
from bench.sections.pages import bundled_pages
from bench.sections.queries import latency_table, rdflib_worker
from bench.sections.sustained import sustained
from bench.sections.validation import validate_worker, validation_section
from bench.servers import ROOT

DOC = ROOT / "docs" / "benchmarks.md"


def sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def main(argv: list[str] | None = None) -> int:
    raw = sys.argv[1:] if argv is None else argv
    # child processes the sections start (``python -m bench.run <worker> ...``)
    if raw[:1] == ["rdflib-worker"]:
        rdflib_worker(Path(raw[1]))
        return 0
    if raw[:1] == ["validate-worker"]:
        validate_worker(Path(raw[1]), Path(raw[2]))
        return 0
    if raw[:1] == ["rerun-http"]:
        return rerun_http(raw[1:])
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
    parser.add_argument("--out", type=Path, default=DOC)
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
    builds = [build(size, args.pipeline_max) for size in sizes(args.sizes)]
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
    command = "python -m bench.run " + " ".join(raw)
    write_doc(args.out, report, summary, took, command)
    say(f"done in {took / 60:.1f} min; wrote {args.out}")
    return 0


def rerun_http(argv: list[str]) -> int:
    """Measure the HTTP sections again on the stores of the last run and replace them (and the
    summary) in the report, keeping its other sections: ``python -m bench.run rerun-http``."""
    parser = argparse.ArgumentParser(prog="python -m bench.run rerun-http")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--sustained", type=float, default=60)
    parser.add_argument("--sustained-clients", type=int, default=32)
    parser.add_argument("--out", type=Path, default=DOC)
    args = parser.parse_args(argv)
    report = Report()
    builds = [Built.existing(size) for size in sizes(args.sizes)]
    figures = {b.size: http_section(b, report, args.seconds, args.clients) for b in builds}
    bundled = bundled_pages(report, args.seconds)
    held = sustained(builds[-1], report, args.sustained, args.sustained_clients)
    stamp = (
        f"(HTTP sections re-measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with "
        "`python -m bench.run rerun-http`)"
    )
    replace_sections(args.out, report, summary_text(builds, figures, bundled, held), stamp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
