"""`riikg load` of a survey with one bad row: located error, store unchanged."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from riikg.cli import cli
from riikg.resources import ontology_dir
from tests.loaders.conftest import CSV_FILES


def test_cli_bad_row_names_row_and_column_and_changes_nothing(tmp_path: Path) -> None:
    store = ["--store-path", str(tmp_path / "store")]
    runner = CliRunner()
    first = runner.invoke(cli, [*store, "load", str(ontology_dir() / "vocab" / "status.ttl")])
    assert first.exit_code == 0, first.output
    before = runner.invoke(cli, [*store, "stats"])
    assert before.exit_code == 0, before.output
    assert "quads: 0" not in before.output

    lines = CSV_FILES[0].read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "survey.csv"
    bad.write_text(
        "\n".join([lines[0], lines[1], lines[2].replace(",planned,", ",paused,")]) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, [*store, "load", str(bad)])
    assert result.exit_code == 2, result.output
    assert "survey.csv:3:15 (status)" in result.output
    assert "one of operational" in result.output

    after = runner.invoke(cli, [*store, "stats"])
    assert after.output == before.output


def test_cli_row_refused_by_validation_exits_1_with_location(tmp_path: Path) -> None:
    """A row that parses but breaks a shape (its region is no NUTS region in the store)."""
    store = ["--store-path", str(tmp_path / "store")]
    runner = CliRunner()
    for vocab in sorted((ontology_dir() / "vocab").glob("*.ttl")):
        loaded = runner.invoke(cli, [*store, "load", str(vocab)])
        assert loaded.exit_code == 0, loaded.output
    before = runner.invoke(cli, [*store, "stats"]).output

    survey = tmp_path / "example-infrastructures.csv"
    survey.write_bytes(CSV_FILES[0].read_bytes())
    result = runner.invoke(cli, [*store, "load", str(survey)])
    assert result.exit_code == 1, result.output
    assert "example-infrastructures.csv:2:10 (region)" in result.output
    assert "refused" in result.output
    assert runner.invoke(cli, [*store, "stats"]).output == before
