"""The worked example queries shown in the editor (``endpoint/queries/examples/*.rq``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from riikg.queries import parse_query_file

PACKAGE = "endpoint"
FOLDER = ("queries", "examples")


@dataclass(frozen=True)
class Example:
    """One example: file name (without ``.rq``), text and its ``#+`` metadata."""

    name: str
    text: str
    summary: str
    description: str


@cache
def examples() -> tuple[Example, ...]:
    """Every example, sorted by file name (the numeric prefix orders them)."""
    folder = resources.files(PACKAGE).joinpath(*FOLDER)
    found: list[Example] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".rq"):
            continue
        named = parse_query_file(entry.name[:-3], entry.read_text(encoding="utf-8"))
        found.append(
            Example(
                name=named.name,
                text=named.text,
                summary=named.summary,
                description=named.meta.get("description", ""),
            )
        )
    return tuple(found)
