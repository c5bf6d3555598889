"""Faults: SIGKILL during a load, and readers during reloads (docs/security.md T5, H1, H4).

The SIGKILL test runs ``bench.faults`` at a small size: a store holding the bundled reference
sources and a 10k-triple synthetic source, then a 37k-triple new version of that source is
loaded and killed 8 times: 2 kills during the pipeline's read/validation, 6 spread evenly
over the write step (``Store.replace_graphs``: write master, flush, back up into a snapshot,
switch CURRENT). Each killed store is inspected in a fresh process. The benchmark
(``bench/run.py``) runs the same on a larger source and reports the figures.
"""

from __future__ import annotations

import shutil
import signal
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench import faults
from riikg.store.oxigraph import OxigraphStore, SnapshotLayout

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kill_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], list]:
    work = tmp_path_factory.mktemp("faults")
    prep = faults.prepare(work, before_infras=300, after_infras=1500)
    trials = faults.kill_trials(work, prep, early=2, in_write=6, keep=True)
    return prep, trials


def test_sigkill_never_leaves_a_partial_source(
    kill_run: tuple[dict[str, object], list[faults.Trial]],
) -> None:
    prep, trials = kill_run
    before, after = prep["before"], prep["after"]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert before["quads"] != after["quads"]
    lines = []
    for t in trials:
        got = t.inspected
        lines.append(
            f"{t.plan}: rc={t.returncode} -> {t.outcome}; quads {got['quads']}; orphan "
            f"staging {got['staging_bytes']} B, dirty master {got['dirty']} "
            f"({got['master_bytes']} B); recover {got['recover_s']:.3f} s"
        )
    print("\n".join(lines))
    assert [t.outcome for t in trials if t.outcome == "MIXED"] == [], "\n".join(lines)
    assert all(t.outcome in ("before", "after") for t in trials)
    # the kills really happened mid-load (a worker that already finished proves nothing)
    killed = [t for t in trials if t.returncode == -signal.SIGKILL]
    assert len(killed) >= 6, "\n".join(lines)


def test_recover_cleans_orphans_and_master_matches_published(
    kill_run: tuple[dict[str, object], list[faults.Trial]],
) -> None:
    _, trials = kill_run
    for t in trials:
        got = t.inspected
        # inspect() ran recover(): no staging left, no dirty flag, master == published
        layout = SnapshotLayout(Path(t.store))
        assert not layout.staging.exists(), t.plan
        assert not layout.dirty_flag.exists(), t.plan
        assert got["master_quads"] == got["quads"], t.plan
        assert float(got["recover_s"]) < 30, t.plan


def test_next_load_succeeds_after_the_worst_kill(
    kill_run: tuple[dict[str, object], list[faults.Trial]],
) -> None:
    prep, trials = kill_run
    worst = max(
        trials,
        key=lambda t: int(t.inspected["staging_bytes"]) + int(t.inspected["master_bytes"]),
    )
    store = Path(worst.store)
    done = faults.run_worker(store, prep["after_file"], None, "write")  # type: ignore[arg-type]
    assert done.returncode == 0
    got = faults.run_inspect(store)
    after = prep["after"]
    assert isinstance(after, dict)
    assert (got["quads"], got["graph_sha"]) == (after["quads"], after["graph_sha"])
    for t in trials:
        shutil.rmtree(t.store, ignore_errors=True)


# ---- readers during reloads ----------------------------------------------------------------
BASE = "http://localhost:8080/"
GRAPH = f"{BASE}graph/source/consistency"
P_ITEM = ox.NamedNode("http://example.org/item")
P_GEN = ox.NamedNode("http://example.org/generation")
P_SIZE = ox.NamedNode("http://example.org/size")
MARKER = ox.NamedNode("http://example.org/marker")
CHECK = """
SELECT ?declared ?gen (COUNT(?s) AS ?n) (MIN(?k) AS ?lo) (MAX(?k) AS ?hi) WHERE {
  <http://example.org/marker> <http://example.org/size> ?declared ;
                              <http://example.org/generation> ?gen .
  ?s <http://example.org/item> ?k .
} GROUP BY ?declared ?gen
"""


def generation(k: int) -> list[ox.Triple]:
    """Version k of the graph: 200 + 37k items all tagged k, and a marker saying so."""
    size = 200 + 37 * k
    triples = [
        ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), P_ITEM, ox.Literal(str(k)))
        for i in range(size)
    ]
    triples.append(ox.Triple(MARKER, P_SIZE, ox.Literal(str(size))))
    triples.append(ox.Triple(MARKER, P_GEN, ox.Literal(str(k))))
    return triples


def test_readers_see_old_or_new_version_never_a_mix(tmp_path: Path) -> None:
    writer = OxigraphStore.open_writer(BASE, tmp_path / "store")
    writer.replace_graphs({GRAPH: generation(0)})
    reader = OxigraphStore.open_reader(BASE, tmp_path / "store")
    stop = threading.Event()
    problems: list[str] = []
    seen_by: list[list[int]] = []

    def hammer() -> None:
        seen: list[int] = []  # per reader: versions must never go back
        seen_by.append(seen)
        while not stop.is_set():
            try:
                rows = reader.select(CHECK)
            except Exception as exc:  # noqa: BLE001 - every failure is a finding here
                problems.append(f"reader failed: {type(exc).__name__}: {exc}")
                return
            if len(rows) != 1:
                problems.append(f"{len(rows)} marker rows")
                continue
            row = rows[0]
            gen, n = int(row["gen"].value), int(row["n"].value)
            lo, hi = int(row["lo"].value), int(row["hi"].value)
            if not (n == int(row["declared"].value) and lo == hi == gen):
                problems.append(f"mixed: gen {gen}, {n} items, tags {lo}..{hi}")
            if seen and gen < seen[-1]:
                problems.append(f"went back from generation {seen[-1]} to {gen}")
            seen.append(gen)

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for t in threads:
        t.start()
    generations = 25
    try:
        for k in range(1, generations + 1):
            writer.replace_graphs({GRAPH: generation(k)})
            time.sleep(0.01)
    finally:
        time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        writer.close()
    assert problems == [], problems[:10]
    seen = [gen for one in seen_by for gen in one]
    assert len(seen) > generations, "the readers hardly ran"
    assert len(set(seen)) > 3, f"readers saw only generations {sorted(set(seen))}"
    assert all(one[-1] == generations for one in seen_by)
