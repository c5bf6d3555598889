"""A short sustained mixed load on a real ``riikg serve``: zero 5xx, zero wrong answers.

8 clients for 8 seconds over SPARQL lookups (answers checked against the store), entity
pages (checked for their label), facet pages, search and /health. No timing is asserted;
``bench/run.py`` runs the long version (32 clients, 60 s) and reports the figures.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from bench.http_load import Req, run
from tests.reliability.conftest import Served

pytestmark = pytest.mark.slow
LABELS = {
    "/id/infrastructure/reliability-lab-1": b"Reliability Lab One",
    "/id/infrastructure/reliability-lab-3": b"Reliability Lab Three",
}
RI = "https://w3id.org/riikg/ontology/ResearchInfrastructure"
COUNT = "SELECT (COUNT(?i) AS ?n) WHERE { ?i a <" + RI + "> }"


def _count_is(expected: int):  # type: ignore[no-untyped-def]
    def check(status: int, body: bytes) -> bool:
        if status != 200:
            return False
        rows = json.loads(body)["results"]["bindings"]
        return int(rows[0]["n"]["value"]) == expected

    return check


def test_short_mixed_load_no_5xx_no_wrong_answers(served: Served) -> None:
    accept_json = (("Accept", "application/sparql-results+json"),)
    html = (("Accept", "text/html"),)
    mix = [
        Req(
            "count",
            "GET",
            "/sparql?" + urlencode({"query": COUNT}),
            None,
            accept_json,
            _count_is(3),
        ),
        Req(
            "count-post",
            "POST",
            "/sparql",
            urlencode({"query": COUNT}).encode(),
            (("Content-Type", "application/x-www-form-urlencoded"), *accept_json),
            _count_is(3),
        ),
        Req("ask", "GET", "/sparql?query=ASK%7B%7D", None, accept_json, lambda s, b: b"true" in b),
        *[
            Req("entity", "GET", path, None, html, lambda s, b, lab=label: s == 200 and lab in b)
            for path, label in LABELS.items()
        ],
        Req("facets", "GET", "/infrastructures", None, html, lambda s, b: s == 200),
        Req("search", "GET", "/search?q=Reliability", None, html, lambda s, b: s == 200),
        Req("health", "GET", "/health", None, (), lambda s, b: s == 200),
    ]
    before = served.store_state()
    result = run(served.port, mix, clients=8, seconds=8)
    assert result.count > 50, f"only {result.count} requests were answered"
    assert result.errors == [], result.errors[:5]
    assert result.server_errors == 0, dict(result.statuses)
    assert result.wrong == [], result.wrong[:5]
    # 429 is the documented per-client limit (all clients share one address); nothing else
    assert set(result.statuses) <= {200, 429}, dict(result.statuses)
    assert served.alive() and served.crash_lines() == []
    assert served.store_state() == before
