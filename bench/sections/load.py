"""Building the benchmark stores (riikg's load pipeline against ``oxigraph load``) and the
"Load and validate throughput" section."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import faults
from bench.generate import infrastructures_for, write
from bench.report import Report
from bench.sections.common import BASE, OUT, OXIGRAPH, say


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

    @classmethod
    def existing(cls, size: int) -> Built:
        """The files of an earlier run at ``size`` (no timings)."""
        nt = OUT / f"synthetic-{size}.nt"
        with open(nt, "rb") as fh:
            triples = sum(1 for _ in fh)
        return cls(
            size,
            infrastructures_for(size),
            triples,
            nt,
            OUT / f"store-{size}",
            OUT / f"oxigraph-{size}",
        )


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
    from bench.loader import load_synthetic
    from riikg.store.oxigraph import OxigraphStore

    store = OxigraphStore.open_writer(BASE, store_path)
    marks: dict[str, float] = {}
    t = time.monotonic()

    def progress(message: str) -> None:
        marks[message.split(":", 1)[1].split()[0]] = time.monotonic() - t

    report = load_synthetic(store, nt, source_id, progress)
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
