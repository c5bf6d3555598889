"""Every page query file parses and says what it returns (``#+ summary``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.plugins.sparql import prepareQuery

import endpoint
from riikg.queries import load_query

FOLDER = Path(endpoint.__file__).parent / "queries"
FILES = sorted(FOLDER.glob("*.rq"))  # top level only: sub-folders belong to other areas


def test_there_are_page_queries() -> None:
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_query_file(path: Path) -> None:
    query = load_query("endpoint.queries", path.stem)
    assert query.summary, f"{path.name} has no '#+ summary:' line"
    prepareQuery(query.text)
