"""SPARQL 1.1 Protocol, read-only profile (the intent of w3c/rdf-tests sparql11/protocol).

query_* cases must pass, bad_query_* cases give 4xx, every update_*/bad_update_* request is
refused and leaves the store unchanged. Runs on every backend (``backend`` fixture).
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from tests.sparql.helpers import BASE, Backend, Listener

SURVEY = f"{BASE}graph/source/survey"
NUTS = f"{BASE}graph/source/nuts"
KET = f"{BASE}graph/source/ket"
META = f"{BASE}graph/meta/survey"
MECHLAV = f"{BASE}id/infrastructure/mechlav"
RI = "https://w3id.org/riikg/ontology/ResearchInfrastructure"
FORM = "application/x-www-form-urlencoded"
JSON = "application/sparql-results+json"


def bindings(data: bytes) -> list[dict[str, dict[str, str]]]:
    result: list[dict[str, dict[str, str]]] = json.loads(data)["results"]["bindings"]
    return result


def boolean(data: bytes) -> bool:
    value: bool = json.loads(data)["boolean"]
    return value


# ---- query_* ------------------------------------------------------------------------------
def test_query_get(backend: Backend) -> None:
    r = backend.client.get("/sparql", query_string={"query": f"ASK {{ <{MECHLAV}> a <{RI}> }}"})
    assert r.status_code == 200
    assert r.mimetype == JSON
    assert boolean(r.data) is True


def test_query_post_form(backend: Backend) -> None:
    r = backend.client.post(
        "/sparql", data={"query": f"ASK {{ <{MECHLAV}> ?p ?o }}"}, content_type=FORM
    )
    assert r.status_code == 200 and boolean(r.data) is True


def test_query_post_direct(backend: Backend) -> None:
    r = backend.client.post(
        "/sparql",
        data=f"ASK {{ <{MECHLAV}> ?p ?o }}".encode(),
        content_type="application/sparql-query",
    )
    assert r.status_code == 200 and boolean(r.data) is True


def test_query_dataset_default_graph(backend: Backend) -> None:
    ask = f"ASK {{ <{MECHLAV}> ?p ?o }}"
    r = backend.client.get("/sparql", query_string={"query": ask, "default-graph-uri": SURVEY})
    assert r.status_code == 200 and boolean(r.data) is True
    r = backend.client.get("/sparql", query_string={"query": ask, "default-graph-uri": NUTS})
    assert r.status_code == 200 and boolean(r.data) is False


def test_query_dataset_default_graphs_get(backend: Backend) -> None:
    q = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type }"
    args = [("query", q), ("default-graph-uri", SURVEY), ("default-graph-uri", NUTS)]
    r = backend.client.get("/sparql?" + "&".join(f"{k}={quote(v)}" for k, v in args))
    assert r.status_code == 200
    assert int(bindings(r.data)[0]["n"]["value"]) == 9 + 9  # survey subjects + NUTS regions


def test_query_dataset_default_graphs_post(backend: Backend) -> None:
    q = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type }"
    r = backend.client.post(
        f"/sparql?default-graph-uri={quote(SURVEY)}&default-graph-uri={quote(NUTS)}",
        data=q.encode(),
        content_type="application/sparql-query",
    )
    assert r.status_code == 200
    assert int(bindings(r.data)[0]["n"]["value"]) == 18


def _graphs_seen(data: bytes) -> set[str]:
    return {b["g"]["value"] for b in bindings(data)}


def test_query_dataset_named_graphs_post(backend: Backend) -> None:
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = backend.client.post(
        "/sparql",
        data={"query": q, "named-graph-uri": [KET, NUTS]},
        content_type=FORM,
    )
    assert r.status_code == 200
    assert _graphs_seen(r.data) == {KET, NUTS}


def test_query_dataset_named_graphs_get(backend: Backend) -> None:
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = backend.client.get(
        f"/sparql?query={quote(q)}&named-graph-uri={quote(KET)}&named-graph-uri={quote(META)}"
    )
    assert r.status_code == 200
    assert _graphs_seen(r.data) == {KET, META}


def test_query_dataset_full(backend: Backend) -> None:
    q = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s a ?t } UNION { GRAPH ?g { ?s a ?t } } } "
        "GROUP BY ?g"
    )
    r = backend.client.get(
        "/sparql",
        query_string={"query": q, "default-graph-uri": KET, "named-graph-uri": META},
    )
    assert r.status_code == 200
    counts = {row.get("g", {}).get("value"): int(row["n"]["value"]) for row in bindings(r.data)}
    assert counts == {None: 6, META: 3}  # 6 typed subjects in the KET graph, 3 types in META


def test_query_multiple_dataset(backend: Backend) -> None:
    """Protocol dataset parameters override FROM in the query."""
    q = f"ASK FROM <{NUTS}> {{ <{MECHLAV}> ?p ?o }}"
    r = backend.client.get("/sparql", query_string={"query": q, "default-graph-uri": SURVEY})
    assert r.status_code == 200 and boolean(r.data) is True
    r = backend.client.get("/sparql", query_string={"query": q})
    assert r.status_code == 200 and boolean(r.data) is False


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (JSON, JSON),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+json;q=0.1, text/csv", "text/csv"),
        ("*/*", JSON),
        ("", JSON),
        ("text/*", "text/csv"),
        ("application/json", JSON),
    ],
)
def test_query_content_type_select(backend: Backend, accept: str, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = backend.client.get(
        "/sparql", query_string={"query": "SELECT ?s WHERE { ?s a ?t } LIMIT 2"}, headers=headers
    )
    assert r.status_code == 200
    assert r.mimetype == expected
    assert r.data


def test_query_content_type_ask(backend: Backend) -> None:
    for accept in (JSON, "application/sparql-results+xml"):
        r = backend.client.get(
            "/sparql", query_string={"query": "ASK {}"}, headers={"Accept": accept}
        )
        assert r.status_code == 200 and r.mimetype == accept
    assert b"true" in r.data


@pytest.mark.parametrize(
    ("accept", "expected", "fmt"),
    [
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
    ],
)
@pytest.mark.parametrize("form", ["DESCRIBE", "CONSTRUCT"])
def test_query_content_type_describe_construct(
    backend: Backend, form: str, accept: str, expected: str, fmt: ox.RdfFormat
) -> None:
    q = (
        f"DESCRIBE <{MECHLAV}>"
        if form == "DESCRIBE"
        else f"CONSTRUCT {{ <{MECHLAV}> ?p ?o }} WHERE {{ <{MECHLAV}> ?p ?o }}"
    )
    r = backend.client.get("/sparql", query_string={"query": q}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.mimetype == expected
    triples = list(ox.parse(r.data, format=fmt))
    assert any(t.subject == ox.NamedNode(MECHLAV) for t in triples)


def test_format_parameter_overrides_accept(backend: Backend) -> None:
    r = backend.client.get(
        "/sparql", query_string={"query": "ASK {}", "format": "xml"}, headers={"Accept": JSON}
    )
    assert r.mimetype == "application/sparql-results+xml"
    r = backend.client.get(
        "/sparql", query_string={"query": f"DESCRIBE <{MECHLAV}>", "format": "json"}
    )
    assert r.mimetype == "application/ld+json"
    r = backend.client.get("/sparql", query_string={"query": "ASK {}", "format": "turtle"})
    assert r.status_code == 400


def test_not_acceptable(backend: Backend) -> None:
    r = backend.client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "image/png"}
    )
    assert r.status_code == 406
    r = backend.client.get(
        "/sparql", query_string={"query": f"DESCRIBE <{MECHLAV}>"}, headers={"Accept": "text/csv"}
    )
    assert r.status_code == 406


def test_head_and_cors(backend: Backend) -> None:
    r = backend.client.head("/sparql", query_string={"query": "ASK {}"})
    assert r.status_code == 200 and r.data == b""
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    r = backend.client.options(
        "/sparql",
        headers={
            "Origin": "http://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in r.headers["Access-Control-Allow-Headers"]
    r = backend.client.get("/sparql", query_string={"query": "SYNTAX ERROR"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"


# ---- bad_query_* --------------------------------------------------------------------------
def test_bad_query_method(backend: Backend) -> None:
    assert backend.client.put("/sparql?query=ASK%20%7B%7D").status_code == 405
    assert backend.client.delete("/sparql?query=ASK%20%7B%7D").status_code == 405


def test_bad_multiple_queries(backend: Backend) -> None:
    r = backend.client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20*%20%7B%7D")
    assert r.status_code == 400
    r = backend.client.post(
        "/sparql?query=ASK%20%7B%7D", data=b"ASK {}", content_type="application/sparql-query"
    )
    assert r.status_code == 400


def test_bad_query_wrong_media_type(backend: Backend) -> None:
    r = backend.client.post("/sparql", data=b"ASK {}", content_type="text/plain")
    assert r.status_code == 415


def test_bad_query_missing_form_type(backend: Backend) -> None:
    r = backend.client.post("/sparql", data=b"query=ASK%20%7B%7D")
    assert r.status_code == 415


def test_bad_query_missing_direct_type(backend: Backend) -> None:
    r = backend.client.post("/sparql", data=b"ASK {}")
    assert r.status_code == 415


def test_bad_query_non_utf8(backend: Backend) -> None:
    q = 'ASK { ?s ?p "caf\u00e9" }'.encode("latin-1")
    r = backend.client.post("/sparql", data=q, content_type="application/sparql-query")
    assert r.status_code == 400
    assert b"UTF-8" in r.data


def test_bad_query_syntax(backend: Backend) -> None:
    r = backend.client.get(
        "/sparql",
        query_string={"query": "SELECT * WHERE { ?s ?p <script>alert(1)</script> "},
        headers={"Accept": "text/html, */*;q=0.1"},
    )
    assert r.status_code == 400
    assert r.mimetype == "text/html"
    assert b"<script>" not in r.data
    r = backend.client.get(
        "/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o "}, headers={"Accept": JSON}
    )
    assert r.status_code == 400
    message = json.loads(r.data)["message"]
    assert "syntax error" in message


def test_syntax_error_position_is_the_users(backend: Backend) -> None:
    r = backend.client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o "})
    assert b"error at 1:27" in r.data  # line 1, not the line of the LIMIT the endpoint adds


# ---- update_* and bad_update_* : all refused, store unchanged -----------------------------
INSERT = f"INSERT DATA {{ GRAPH <{SURVEY}> {{ <{MECHLAV}> <http://e/p> 'x' }} }}"
UPDATE_REQUESTS = [
    ("update_dataset_default_graph", "post", {"update": INSERT, "using-graph-uri": SURVEY}, FORM),
    (
        "update_dataset_default_graphs",
        "post",
        {"update": INSERT, "using-graph-uri": [SURVEY, NUTS]},
        FORM,
    ),
    (
        "update_dataset_named_graphs",
        "post",
        {"update": INSERT, "using-named-graph-uri": SURVEY},
        FORM,
    ),
    (
        "update_dataset_full",
        "post",
        {"update": INSERT, "using-graph-uri": NUTS, "using-named-graph-uri": SURVEY},
        FORM,
    ),
    ("update_post_form", "post", {"update": INSERT}, FORM),
    ("update_post_direct", "post", INSERT.encode(), "application/sparql-update"),
    (
        "update_base_uri",
        "post",
        f"BASE <{BASE}> INSERT DATA {{ <x> <y> <z> }}".encode(),
        "application/sparql-update",
    ),
    ("bad_update_get", "get", {"update": INSERT}, None),
    ("bad_multiple_updates", "post", {"update": [INSERT, "CLEAR ALL"]}, FORM),
    ("bad_update_wrong_media_type", "post", INSERT.encode(), "text/plain"),
    ("bad_update_missing_form_type", "post", b"update=CLEAR%20ALL", None),
    (
        "bad_update_non_utf8",
        "post",
        "CLEAR GRAPH <caf\u00e9>".encode("latin-1"),
        "application/sparql-update",
    ),
    ("bad_update_syntax", "post", {"update": "INSERT DATA { GRAPH <g:1> {"}, FORM),
    (
        "bad_update_dataset_conflict",
        "post",
        {
            "update": f"WITH <{SURVEY}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
            "using-graph-uri": NUTS,
        },
        FORM,
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "data", "content_type"), UPDATE_REQUESTS, ids=[u[0] for u in UPDATE_REQUESTS]
)
def test_updates_are_refused(
    backend: Backend, name: str, method: str, data: object, content_type: str | None
) -> None:
    before = (backend.store.count(), backend.store.version)
    if method == "get":
        assert isinstance(data, dict)
        r = backend.client.get("/sparql", query_string=data)
    else:
        kwargs: dict[str, object] = {"data": data}
        if content_type:
            kwargs["content_type"] = content_type
        r = backend.client.post("/sparql", **kwargs)
    assert 400 <= r.status_code < 500, (name, r.status_code)
    assert (backend.store.count(), backend.store.version) == before


@pytest.mark.parametrize(
    "text",
    [
        INSERT,
        "DROP ALL",
        "CLEAR ALL",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "LOAD <file:///etc/passwd> INTO GRAPH <g:x>",
        f"DELETE WHERE {{ GRAPH <{SURVEY}> {{ ?s ?p ?o }} }}",
        "CREATE GRAPH <g:new>",
    ],
)
def test_update_text_in_query_is_refused(backend: Backend, text: str) -> None:
    before = (backend.store.count(), backend.store.version)
    r = backend.client.get("/sparql", query_string={"query": text}, headers={"Accept": JSON})
    assert r.status_code == 403
    assert "read-only" in json.loads(r.data)["message"]
    assert (backend.store.count(), backend.store.version) == before


def test_query_and_update_together(backend: Backend) -> None:
    r = backend.client.post(
        "/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"}, content_type=FORM
    )
    assert r.status_code == 400


def test_update_via_direct_type_is_forbidden(backend: Backend) -> None:
    r = backend.client.post("/sparql", data=b"CLEAR ALL", content_type="application/sparql-update")
    assert r.status_code == 403
    assert b"read-only" in r.data


def test_get_answers_carry_validators_and_304(backend: Backend) -> None:
    q = {"query": "SELECT ?s WHERE { ?s a ?t } LIMIT 1"}
    first = backend.client.get("/sparql", query_string=q)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = backend.client.get("/sparql", query_string=q, headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = backend.client.get(
        "/sparql", query_string=q, headers={"If-None-Match": etag, "Accept": "text/csv"}
    )
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_no_outbound_request_on_any_backend(backend: Backend, listener: Listener) -> None:
    """SERVICE, Virtuoso's bif:http_get (observed to fetch on a test Virtuoso) and Sponger
    pragmas are refused before any store sees them; FROM names only local graphs."""
    url = f"http://127.0.0.1:{listener.port}/"
    refused = {
        f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}": 403,
        f"SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}": 403,
        f'SELECT (bif:http_get("{url}") AS ?x) {{}}': 403,
        f'SELECT (<http://www.openlinksw.com/schemas/bif#http_get>("{url}") AS ?x) {{}}': 403,
        'SELECT (bif:file_to_string("/etc/hostname") AS ?x) {}': 403,
        f'define get:soft "replace" SELECT * FROM <{url}x> {{ ?s ?p ?o }}': 403,
        f'DEFINE input:grab-all "yes" SELECT * {{ <{url}y> ?p ?o }}': 403,
        f"SELECT * FROM <{url}z> {{ ?s ?p ?o }}": 400,
        f"SELECT * FROM NAMED <{url}n> {{ GRAPH ?g {{ ?s ?p ?o }} }}": 400,
        f"LOAD <{url}data.ttl>": 403,
    }
    for query, status in refused.items():
        r = backend.client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
        assert r.status_code == status, (query, r.status_code, r.data[:200])
    time.sleep(0.3)
    assert listener.connections == 0


def test_not_a_query_names_the_position(backend: Backend) -> None:
    r = backend.client.get(
        "/sparql",
        query_string={"query": "PREFIX x: <http://e/>\nSELEC * {}"},
        headers={"Accept": JSON},
    )
    assert r.status_code == 400
    assert "2:1" in json.loads(r.data)["message"]
