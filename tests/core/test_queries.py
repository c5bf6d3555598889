"""Every fixed query file of the product parses and says what it returns (``#+ summary``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.plugins.sparql import prepareQuery

from riikg.queries import parse_query_file, query_files

ROOT = Path(__file__).parents[2]
FILES = query_files(ROOT / "riikg" / "rq") + query_files(ROOT / "endpoint" / "queries")


def test_every_area_has_query_files() -> None:
    folders = {p.parent.relative_to(ROOT).as_posix() for p in FILES}
    assert {
        "riikg/rq",
        "endpoint/queries",
        "endpoint/queries/catalog",
        "endpoint/queries/examples",
    } <= folders


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_query_file(path: Path) -> None:
    query = parse_query_file(path.stem, path.read_text(encoding="utf-8"))
    assert query.summary, f"{path.name} has no '#+ summary:' line"
    prepareQuery(query.text)
