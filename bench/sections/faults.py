"""The "SIGKILL during loads" section (issue 2, docs/security.md T5): the figures of
``bench/faults.py`` as a table."""

from __future__ import annotations

import shutil
import signal

from bench import faults
from bench.report import Report
from bench.sections.common import OUT, say


def _num(value: object) -> float:
    """A figure from the fault inspector's JSON-like records."""
    if isinstance(value, int | float | str):
        return float(value)
    raise TypeError(f"not a number: {value!r}")


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
