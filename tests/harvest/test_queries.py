"""Every harvest query file parses and says what it returns."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.plugins.sparql import prepareQuery

from riikg.queries import load_query, query_files

FILES = query_files(Path(__file__).parents[2] / "endpoint" / "queries" / "harvest")


def test_there_are_query_files() -> None:
    assert len(FILES) >= 4


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_query_file(path: Path) -> None:
    query = load_query("endpoint/queries/harvest", path.stem)
    assert query.summary, f"{path.name} has no '#+ summary:'"
    prepareQuery(query.text)
