"""Fixed SPARQL queries live in ``.rq`` files; this module loads them by name.

Each file starts with ``#+ key: value`` metadata lines (grlc style), at least ``summary``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class NamedQuery:
    """A query file: its name, text and ``#+`` metadata."""

    name: str
    text: str
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return self.meta.get("summary", "")


def parse_query_file(name: str, text: str) -> NamedQuery:
    """Split the ``#+`` metadata from a query text.

    >>> q = parse_query_file("x", "#+ summary: All things\\nSELECT * { ?s ?p ?o }")
    >>> q.summary
    'All things'
    """
    meta: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#+"):
            key, _, value = stripped[2:].partition(":")
            meta[key.strip()] = value.strip()
    return NamedQuery(name, text, meta)


@cache
def load_query(package: str, name: str) -> NamedQuery:
    """Load ``{name}.rq`` from a package directory (e.g. ``endpoint.queries``).

    Args:
        package: dotted package holding the ``.rq`` files (or a subfolder as ``pkg/sub``).
        name: file name without ``.rq``.
    """
    pkg, _, sub = package.partition("/")
    base = resources.files(pkg)
    target = base.joinpath(sub, f"{name}.rq") if sub else base.joinpath(f"{name}.rq")
    return parse_query_file(name, target.read_text(encoding="utf-8"))


def query_files(directory: Path) -> list[Path]:
    """All ``.rq`` files below a directory, sorted."""
    return sorted(directory.rglob("*.rq"))
