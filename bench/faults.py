"""SIGKILL during a load into the embedded on-disk store (docs/security.md T5, issue 2).

A worker process loads a generated source through ``riikg.pipeline.load_source`` into a copy
of a prepared store and prints its phases; the parent kills it (SIGKILL) at chosen moments,
then a fresh process inspects the store: orphan disk before recovery, recovery time, the
published quad count and the digest of the source graph (which must be the before or the
after version, never a mix), and master after recovery.

    python -m bench.faults --before 2000 --after 12000 --kills 10 --early 2   # prints figures

Used by ``tests/reliability/test_faults.py`` (small sizes) and ``bench/sections/faults.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.servers import ROOT, child_env, run_python

BASE = "http://localhost:8080/"
SOURCE_ID = "synthetic"
PHASE_LINE = re.compile(r"PHASE (\w+) ([0-9.]+)")


# ---- worker side (runs in the killed process) ----------------------------------------------
def worker(store_path: Path, file: Path, mode: str) -> None:
    """Load ``file`` as the synthetic source and print ``PHASE name seconds`` lines.

    ``mode`` "pipeline" runs ``riikg.pipeline.load_source`` (parse, validate, write);
    "write" runs only its write step, ``Store.replace_graphs`` (what a kill can damage),
    so kills can be spread over the write without waiting for validation every time.
    """
    import pyoxigraph as ox

    from bench.loader import load_synthetic
    from riikg.namespaces import source_graph
    from riikg.store.oxigraph import OxigraphStore

    store = OxigraphStore.open_writer(BASE, store_path)
    t0 = time.monotonic()

    def say(message: str) -> None:
        phase = message.split(":", 1)[1].split()[0] if ":" in message else message
        print(f"PHASE {phase} {time.monotonic() - t0:.4f}", flush=True)

    if mode == "write":
        triples = [q.triple for q in ox.parse(file.read_bytes(), format=ox.RdfFormat.N_TRIPLES)]
        t0 = time.monotonic()
        say("x: start")
        say("x: writing")
        store.replace_graphs({str(source_graph(BASE, SOURCE_ID)): triples})
        triples_done = len(triples)
    else:
        say("x: start")
        report = load_synthetic(store, file, SOURCE_ID, say)
        triples_done = report.triples
    say("x: committed")
    store.close()
    say("x: done")
    print(f"RESULT {triples_done}", flush=True)


# ---- inspection side (a fresh process) -----------------------------------------------------
def graph_digest(store: object, graph: str) -> tuple[int, str]:
    """(triples, sha256 of the sorted N-Triples) of one named graph."""
    from riikg.store.base import RdfFormat

    data = store.dump(graph, RdfFormat.NTRIPLES)  # type: ignore[attr-defined]
    lines = sorted(line for line in data.decode("utf-8").splitlines() if line.strip())
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def inspect(store_path: Path) -> dict[str, object]:
    """Measure orphans, recover, and describe the published and the master store."""
    from riikg.namespaces import source_graph
    from riikg.store.oxigraph import OxigraphStore, SnapshotLayout, dir_size, recover

    layout = SnapshotLayout(store_path)
    out: dict[str, object] = {
        "dirty": layout.dirty_flag.exists(),
        "staging_bytes": dir_size(layout.staging),
        "master_bytes": dir_size(layout.master),
        "total_bytes": dir_size(store_path),
    }
    t = time.monotonic()
    removed = recover(layout)
    out["recover_s"] = time.monotonic() - t
    out["removed"] = removed
    out["total_bytes_after"] = dir_size(store_path)
    g = str(source_graph(BASE, SOURCE_ID))
    t = time.monotonic()
    reader = OxigraphStore.open_reader(BASE, store_path)
    out["quads"] = reader.count()
    out["reopen_count_s"] = time.monotonic() - t
    out["version"] = reader.version
    out["graph_triples"], out["graph_sha"] = graph_digest(reader, g)
    reader.close()
    writer = OxigraphStore.open_writer(BASE, store_path)
    out["master_quads"] = writer.count()
    writer.close()
    return out


# ---- parent side ---------------------------------------------------------------------------
@dataclass
class Trial:
    """One kill (or a reference run when ``kill_after`` is None)."""

    plan: str
    kill_after: float | None
    mode: str = "write"
    store: str = ""
    phases: dict[str, float] = field(default_factory=dict)
    returncode: int | None = None
    inspected: dict[str, object] = field(default_factory=dict)
    outcome: str = ""  # "before", "after" or "MIXED"


def run_worker(
    store_path: Path, file: Path, plan: tuple[str, float] | None, mode: str = "write"
) -> Trial:
    """Run the worker; ``plan`` = (phase, seconds after that phase began) to SIGKILL it."""
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.faults", "worker", str(store_path), str(file), mode],
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
        cwd=ROOT,
        env=child_env(),
    )
    trial = Trial(f"{mode}:{plan[0]}+{plan[1]:.3f}s" if plan else "complete", None, mode)
    seen: dict[str, float] = {}
    arrived = threading.Condition()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            for name, seconds in PHASE_LINE.findall(line):
                with arrived:
                    seen[name] = time.monotonic()
                    trial.phases[name] = float(seconds)
                    arrived.notify_all()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if plan is not None:
        phase, delay = plan
        with arrived:
            arrived.wait_for(lambda: phase in seen or proc.poll() is not None, timeout=600)
        if phase in seen:
            time.sleep(max(0.0, seen[phase] + delay - time.monotonic()))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                trial.kill_after = trial.phases.get(phase, 0.0) + delay
    proc.wait(timeout=900)
    reader.join(timeout=30)  # the reader owns stdout: every PHASE line is recorded
    if proc.stdout is not None:
        proc.stdout.close()
    errors.seek(0)
    err = errors.read().decode("utf-8", errors="replace")
    errors.close()
    trial.returncode = proc.returncode
    if plan is None and proc.returncode != 0:
        raise RuntimeError(f"reference load failed ({proc.returncode}):\n{err[-3000:]}")
    return trial


def run_inspect(store_path: Path) -> dict[str, object]:
    """Inspect a store in a fresh process."""
    done = run_python(["-m", "bench.faults", "inspect", str(store_path)], timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"inspection failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def prepare(work: Path, before_infras: int, after_infras: int) -> dict[str, object]:
    """Generate the two versions and build the template store holding the before version."""
    from bench.generate import write

    work.mkdir(parents=True, exist_ok=True)
    before, after = work / "before.nt", work / "after.nt"
    write(before, before_infras, BASE, seed=1)
    write(after, after_infras, BASE, seed=2)
    template = work / "template"
    shutil.rmtree(template, ignore_errors=True)
    prepare_reference(template)
    t = time.monotonic()
    run_worker(template, before, None, "write")
    before_load_s = time.monotonic() - t
    ref_before = run_inspect(template)
    # reference "after" state: a complete load on a copy
    done = work / "reference-after"
    shutil.rmtree(done, ignore_errors=True)
    shutil.copytree(template, done)
    reference = run_worker(done, after, None, "write")
    ref_after = run_inspect(done)
    shutil.rmtree(done)
    return {
        "before_file": before,
        "after_file": after,
        "template": template,
        "before": ref_before,
        "after": ref_after,
        "reference": reference,
        "before_load_s": before_load_s,
    }


REFERENCE_SOURCES = ("ontology", "vocabularies", "nuts")


def prepare_reference(store_path: Path) -> None:
    """Load the bundled reference sources first (shapes check regions and KETs against them)."""
    try:
        from loaders import get_loader
        from riikg.pipeline import load_source
        from riikg.sources import read_manifest
        from riikg.store.oxigraph import OxigraphStore
    except ImportError:
        return
    try:
        sources = [s for s in read_manifest() if s.id in REFERENCE_SOURCES]
        loaders = [get_loader(s.loader) for s in sources]
    except Exception:  # noqa: BLE001 - no bundled manifest or loader yet: no reference data
        return
    store = OxigraphStore.open_writer(BASE, store_path)
    try:
        for source, fn in zip(sources, loaders, strict=True):
            load_source(store, source, fn)
    finally:
        store.close()


def kill_plans(reference: Trial, early: int, in_write: int) -> list[tuple[str, tuple[str, float]]]:
    """(mode, plan) of each kill: ``early`` kills of the whole pipeline during its read and
    validation (0.5 s apart), and ``in_write`` kills spread evenly over the write step."""
    plans = [("pipeline", ("start", 0.5 + 0.5 * i)) for i in range(early)]
    span = max(reference.phases["done"] - reference.phases.get("writing", 0.0), 0.01)
    plans += [("write", ("writing", span * (i + 0.5) / in_write)) for i in range(in_write)]
    return plans


def classify(inspected: dict[str, object], prep: dict[str, object], mode: str) -> str:
    before, after = prep["before"], prep["after"]
    assert isinstance(before, dict) and isinstance(after, dict)
    key = (inspected["quads"], inspected["graph_sha"])
    if key == (before["quads"], before["graph_sha"]):
        return "before"
    # the pipeline also rewrites provenance and report graphs, so only the source graph
    # (and, for the write step alone, the quad count) identifies the after state
    if inspected["graph_sha"] == after["graph_sha"] and (
        mode == "pipeline" or inspected["quads"] == after["quads"]
    ):
        return "after"
    return "MIXED"


def kill_trials(
    work: Path, prep: dict[str, object], early: int, in_write: int, *, keep: bool = False
) -> list[Trial]:
    """Run every planned kill on a fresh copy of the template and inspect it."""
    reference = prep["reference"]
    assert isinstance(reference, Trial)
    trials: list[Trial] = []
    for i, (mode, plan) in enumerate(kill_plans(reference, early, in_write)):
        store = work / f"trial-{i:02d}"
        shutil.rmtree(store, ignore_errors=True)
        shutil.copytree(prep["template"], store)  # type: ignore[arg-type]
        trial = run_worker(store, prep["after_file"], plan, mode)  # type: ignore[arg-type]
        trial.inspected = run_inspect(store)
        trial.outcome = classify(trial.inspected, prep, mode)
        trial.store = str(store)
        trials.append(trial)
        if not keep:
            shutil.rmtree(store, ignore_errors=True)
    return trials


def summary(prep: dict[str, object], trials: list[Trial]) -> dict[str, object]:
    """Figures for docs/benchmarks.md."""
    orphans = [
        int(t.inspected["staging_bytes"])  # type: ignore[call-overload]
        + (int(t.inspected["master_bytes"]) if t.inspected["dirty"] else 0)  # type: ignore[call-overload]
        for t in trials
    ]
    recover = [float(t.inspected["recover_s"]) for t in trials]  # type: ignore[arg-type]
    reopen = [float(t.inspected["reopen_count_s"]) for t in trials]  # type: ignore[arg-type]
    reference = prep["reference"]
    assert isinstance(reference, Trial)
    return {
        "kills": len(trials),
        "killed": sum(1 for t in trials if t.returncode == -signal.SIGKILL),
        "before": sum(1 for t in trials if t.outcome == "before"),
        "after": sum(1 for t in trials if t.outcome == "after"),
        "mixed": sum(1 for t in trials if t.outcome == "MIXED"),
        "orphan_bytes_max": max(orphans, default=0),
        "recover_s_max": max(recover, default=0.0),
        "reopen_count_s_max": max(reopen, default=0.0),
        "load_s": reference.phases.get("done", 0.0),
        "write_phase_s": reference.phases.get("done", 0.0) - reference.phases.get("writing", 0.0),
        "trials": [asdict(t) for t in trials],
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["worker"]:
        worker(Path(args[1]), Path(args[2]), args[3])
        return 0
    if args[:1] == ["inspect"]:
        print(json.dumps(inspect(Path(args[1]))))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument("--before", type=int, default=2000, help="infrastructures before")
    parser.add_argument("--after", type=int, default=12000, help="infrastructures loaded")
    parser.add_argument("--kills", type=int, default=10, help="SIGKILLs during the write step")
    parser.add_argument("--early", type=int, default=2, help="SIGKILLs during read/validate")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "faults")
    opts = parser.parse_args(args)
    prep = prepare(opts.work, opts.before, opts.after)
    trials = kill_trials(opts.work, prep, opts.early, opts.kills)
    result = summary(prep, trials)
    print(json.dumps({k: v for k, v in result.items() if k != "trials"}, indent=2))
    for t in trials:
        print(f"  kill {t.plan:>18} rc={t.returncode} -> {t.outcome} {t.inspected}")
    return 0 if result["mixed"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
