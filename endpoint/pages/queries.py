"""The pages' SPARQL: one ``.rq`` file per query in ``endpoint/queries/``."""

from __future__ import annotations

from functools import cache

from riikg.queries import load_query

#: package directory of the pages' ``.rq`` files
PACKAGE = "endpoint.queries"


@cache
def q(name: str) -> str:
    """The text of ``endpoint/queries/{name}.rq`` (read once)."""
    return load_query(PACKAGE, name).text
