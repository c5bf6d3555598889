"""The riikg command line, in-process with CliRunner, on an on-disk store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import loaders
from riikg.cli import cli
from tests.core.helpers import INFRA_TTL, turtle_loader


@pytest.fixture()
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(loaders.LOADERS, "test-turtle", turtle_loader)
    for key in list(__import__("os").environ):
        if key.startswith("RIIKG_"):
            monkeypatch.delenv(key)
    store = tmp_path / "store"
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, ["--store-path", str(store), *args], catch_exceptions=False)

    return invoke


@pytest.fixture()
def source(tmp_path: Path) -> Path:
    path = tmp_path / "labs.ttl"
    path.write_text(INFRA_TTL, encoding="utf-8")
    return path


def test_load_then_unchanged(run, source: Path) -> None:  # type: ignore[no-untyped-def]
    first = run("load", str(source), "--loader", "test-turtle")
    assert first.exit_code == 0, first.output
    assert "labs: loaded 4 triples" in first.output
    second = run("load", str(source), "--loader", "test-turtle")
    assert second.exit_code == 0 and "unchanged" in second.output


def test_query_outputs(run, source: Path) -> None:  # type: ignore[no-untyped-def]
    run("load", str(source), "--loader", "test-turtle")
    q = "SELECT ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
    table = run("query", q)
    assert table.exit_code == 0 and "Test Lab" in table.output and "-+-" not in table.output[:0]
    as_csv = run("query", q, "--output", "csv")
    assert as_csv.output.splitlines() == ["l", "Test Lab"]
    as_json = run("query", q, "--output", "json")
    assert json.loads(as_json.output) == [{"l": "Test Lab"}]
    assert run("query", "ASK { ?s ?p ?o }").output.strip() == "true"
    construct = run("query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert construct.exit_code == 0 and "Test Lab" in construct.output


def test_bad_query_is_a_usage_error(run, source: Path) -> None:  # type: ignore[no-untyped-def]
    run("load", str(source), "--loader", "test-turtle")
    result = run("query", "SELEKT nothing")
    assert result.exit_code == 2 and "syntax" in result.output.lower()


def test_bad_file_exit_2_with_location(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "broken.ttl"
    bad.write_text("<a> <b> ", encoding="utf-8")
    result = run("load", str(bad), "--loader", "test-turtle")
    assert result.exit_code == 2 and "broken.ttl:1" in result.output
    missing = run("load", str(tmp_path / "nope.ttl"), "--loader", "test-turtle")
    assert missing.exit_code == 2 and "nope.ttl" in missing.output
    unknown = run("load", str(bad), "--loader", "no-such-loader")
    assert unknown.exit_code == 2 and "no-such-loader" in unknown.output


def test_stats_graphs_dump_drop(run, source: Path) -> None:  # type: ignore[no-untyped-def]
    run("load", str(source), "--loader", "test-turtle")
    stats = run("stats")
    assert "version: 1" in stats.output and "graph/source/labs: 4 triples" in stats.output
    graphs = run("graphs")
    assert graphs.output.startswith("labs\t") and "4 triples" in graphs.output
    dump = run("dump", "--graph", "labs", "--format", "nt")
    assert dump.output.count(" .\n") == 4
    nq = run("dump", "--format", "nq")
    assert "graph/source/labs>" in nq.output
    assert run("dump", "--graph", "nope").exit_code == 2
    dropped = run("drop", "labs")
    assert dropped.exit_code == 0 and "version 2" in dropped.output
    assert run("drop", "labs").exit_code == 2


def test_serve_get_prints_one_response(run, source: Path) -> None:  # type: ignore[no-untyped-def]
    run("load", str(source), "--loader", "test-turtle")
    result = run("serve", "--get", "/health")
    assert result.exit_code == 0 and json.loads(result.output)["version"] == 1
    missing = run("serve", "--get", "/no/such/page")
    assert missing.exit_code == 2


def test_bad_setting_is_exit_2(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--base-iri", "nope", "stats")
    assert result.exit_code == 2 and "RIIKG_BASE_IRI" in result.output
