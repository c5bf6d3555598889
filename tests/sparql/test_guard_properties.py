"""The guard reads what a real parser reads: generated queries with every escape form, and
the attacker's concrete variants through the HTTP endpoint."""

from __future__ import annotations

import json
import re
from typing import Any

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from endpoint.sparql.guard import MAX_CHAIN, analyse
from riikg.sparql.canonical import canonicalise
from riikg.sparql.text import QueryTextError

EVIL = "http://127.0.0.1:9/"
JSON = "application/sparql-results+json"


def uchar(char: str, wide: bool) -> str:
    return f"\\U{ord(char):08X}" if wide else f"\\u{ord(char):04X}"


# ---- pieces of text that a naive tokenizer misreads -------------------------------------
STRING_PARTS = st.one_of(
    st.sampled_from(["a", "#", "{", "}", "SERVICE", "<", ">", " ", "'", '\\"', "\\\\", "\\n"]),
    st.sampled_from(['"', "\\", "#", "{", "'", "\n", "A", "é"]).flatmap(
        lambda c: st.booleans().map(lambda wide: uchar(c, wide))
    ),
)
LONG_PARTS = st.one_of(STRING_PARTS, st.sampled_from(["\n", "'", "''", "\\'"]))


@st.composite
def strings(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        body = "".join(draw(st.lists(STRING_PARTS, max_size=8)))
        return '"' + body + '"'
    body = "".join(draw(st.lists(LONG_PARTS, max_size=8)))
    return "'''" + body + "'''"


IRI_PARTS = st.one_of(
    st.sampled_from(["a", "#", "/", "(", ")", "'", "%41", "?", "=", "é"]),
    st.sampled_from(["A", "#", "/", "'", "é", "("]).flatmap(
        lambda c: st.booleans().map(lambda wide: uchar(c, wide))
    ),
)


@st.composite
def iris(draw: st.DrawFn) -> str:
    return "<http://x/" + "".join(draw(st.lists(IRI_PARTS, max_size=6))) + ">"


PNAMES = st.lists(
    st.sampled_from(["a", "\\-", "\\.", "\\#", "\\'", "\\(", "%41", ":", "b", "_"]), max_size=5
).map(lambda parts: "ex:z" + "".join(parts) + "z")
COMMENTS = st.sampled_from(["# \\u0022 { SERVICE\n", '# "\n', "#'''\n", "#\n"])
TRICKY = st.one_of(strings(), iris(), PNAMES, COMMENTS.map(lambda c: c + "<urn:x>"))


@st.composite
def hostile(draw: st.DrawFn) -> str:
    """A query with tricky parts and a SERVICE / FROM / nesting after them."""
    patterns: list[str] = []
    dataset = ""
    for _ in range(draw(st.integers(1, 4))):
        tricky = draw(TRICKY)
        patterns.append(f"?s ex:p {tricky} .")
        payload = draw(st.sampled_from(["service", "pservice", "nest", "filter", "none"]))
        if payload == "service":
            target = draw(iris())
            patterns.append(f"SERVICE {target} {{ ?s ?p ?o }}")
        elif payload == "pservice":
            patterns.append("SERVICE ex:evil { ?s ?p ?o }")
        elif payload == "nest":
            n = draw(st.integers(1, 20))
            patterns.append("{" * n + "?s ?p ?o" + "}" * n)
        elif payload == "filter":
            patterns.append(f"FILTER(?o < {tricky} || STR(?o) = {draw(strings())})")
    if draw(st.booleans()):
        dataset = f"FROM {draw(iris())} "
    text = f"PREFIX ex: <{EVIL}>\nSELECT * {dataset}WHERE {{\n" + "\n".join(patterns) + "\n}"
    return text


def rdflib_view(text: str) -> tuple[list[str], list[str]] | None:
    """SERVICE endpoints and FROM graphs as rdflib's SPARQL parser sees them (None: it
    cannot parse the text)."""
    try:
        parsed = parseQuery(text)
        algebra = translateQuery(parsed)
    except Exception:  # noqa: BLE001 - rdflib raises many kinds of errors
        return None
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                found.append(str(node.term))
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(algebra.algebra)
    froms = [str(d["default"]) for d in parsed[1].get("datasetClause") or [] if "default" in d]
    return found, froms


def oxigraph_outcome(text: str, store: ox.Store) -> str:
    try:
        result = store.query(text)
    except SyntaxError:
        return "syntax error"
    except Exception as exc:  # noqa: BLE001 - evaluation errors are compared as text
        return f"{type(exc).__name__}: {exc}"
    if isinstance(result, ox.QueryBoolean):
        return str(bool(result))
    return repr(sorted(str(row) for row in result))


SMALL = ox.Store()
for _i, _o in enumerate(['"a"', '"#{"', "<http://x/A#>", '"\\""', "'''x'''"]):
    SMALL.update(f"INSERT DATA {{ <http://x/s{_i}> <{EVIL}p> {_o} }}")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile())
def test_guard_sees_every_service_and_from_a_parser_sees(
    case: tuple[str, list[str], list[str]],
) -> None:
    text = case[0]
    try:
        analysis = analyse(text, max_depth=128)
    except QueryTextError as exc:
        assert exc.status in (400, 403)
        return
    canonical = canonicalise(text)
    assert "\\u" not in canonical.replace("\\\\", "") and "\\U" not in canonical.replace("\\\\", "")
    view = rdflib_view(canonical)
    if view is not None:
        services, froms = view
        assert sorted(analysis.services) == sorted(services), canonical
        assert sorted(analysis.default_graphs) == sorted(froms), canonical
    # pyoxigraph reads the canonical text as it reads the original
    assert oxigraph_outcome(canonical, SMALL) == oxigraph_outcome(text, SMALL), canonical


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(strings(), iris(), PNAMES), min_size=1, max_size=5))
def test_canonical_text_means_the_same(terms: list[str]) -> None:
    """(b): the canonical text parses exactly when the original does, with the same answer."""
    text = f"PREFIX ex: <{EVIL}>\nSELECT * {{ VALUES ?v {{ " + " ".join(terms) + " } }"
    try:
        canonical = canonicalise(text)
    except QueryTextError:
        assert oxigraph_outcome(text, ox.Store()) == "syntax error"
        return
    assert oxigraph_outcome(canonical, SMALL) == oxigraph_outcome(text, SMALL), canonical


# ---- the attacker's variants, through the endpoint -------------------------------------
PORT = "http://127.0.0.1:9/"
ATTACKS = [
    # an escape in an IRI, then a '#': a naive guard reads a comment, the engine an IRI
    f"SELECT * {{ ?s ?p <http://x/\\u0041#> . SERVICE <{PORT}> {{ ?s ?p ?o }} }}",
    f"SELECT * {{ ?s ?p <http://x/\\U00000041#> . SERVICE <{PORT}> {{ ?s ?p ?o }} }}",
    f"SELECT * {{ ?s ?p <http://x/\\u0023\\u0041#x> .\nSERVICE <{PORT}> {{ ?s ?p ?o }} }}",
    # escaped quotes in strings
    f'SELECT * {{ ?s ?p "a\\u0022 # " . SERVICE <{PORT}> {{ ?s ?p ?o }} # " }}',
    f'SELECT * {{ ?s ?p "a\\U00000022" . SERVICE <{PORT}> {{ ?s ?p ?o }} }}',
    f"SELECT * {{ ?s ?p '''a\\u0027''' . SERVICE <{PORT}> {{ ?s ?p ?o }} }}",
    f"SELECT * {{ ?s ?p 'a\\u005C' . SERVICE <{PORT}> {{ ?s ?p ?o }} }}",
    # escapes outside strings and IRIs
    f"SELECT * {{ SERVIC\\u0045 <{PORT}> {{ ?s ?p ?o }} }}",
    f"SELECT * \\u007B SERVICE <{PORT}> {{ ?s ?p ?o }} }}",
    # glued keywords (pyoxigraph needs no space after a keyword)
    f"SELECT * {{ SERVICESILENT<{PORT}> {{ ?s ?p ?o }} }}",
    f"PREFIX ex: <{PORT}> SELECT * {{ SERVICEex:x {{ ?s ?p ?o }} }}",
    f"SELECT * {{ ?s ?p trueSERVICE<{PORT}> {{ ?s ?p ?o }} }}",
    # '<' as comparison: pyoxigraph reads an operator and a string, longest match an IRI
    f"ASK {{ FILTER(?a <'> ) }} ' && ?b) SERVICE <{PORT}> {{ }} }} # '",
    f"ASK {{ FILTER(?a <'>' && true) SERVICE <{PORT}> {{ }} }}",
    # comments and PNAME escapes
    f"PREFIX ex: <http://x/> SELECT * {{ ?s ?p ex:a\\#b . SERVICE <{PORT}> {{ }} }}",
    f"SELECT * {{ ?s ?p ?o # \\u000A SERVICE <{PORT}> {{ }}\n SERVICE <{PORT}> {{ }} }}",
    # FROM of an unknown graph behind the same tricks
    'SELECT * FROM <http://x/\\u0041#> FROM <http://127.0.0.1:9/g> { ?s ?p "a\\u0022" }',
    "SELECT * FROM <http://x/\\u0041#>\nFROM <http://127.0.0.1:9/g> { }",
    # deep nesting behind the tricks
    'ASK { ?s ?p "\\u0022" ' + "{" * 5000 + "}" * 5000 + " }",
    "ASK { ?s ?p <http://x/\\u0041#> " + "{" * 5000 + "}" * 5000 + " }",
    "ASK { FILTER(?a <'> ) } ' && " + "(" * 5000 + "1" + ")" * 5000 + ") } # '",
]


@pytest.mark.parametrize("query", ATTACKS)
def test_attacker_variants_are_refused(client: FlaskClient, query: str) -> None:
    for method in ("get", "post"):
        if method == "get":
            r = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
        else:
            r = client.post("/sparql", data={"query": query}, headers={"Accept": JSON})
        assert r.status_code in (400, 403), (query, r.status_code, r.data[:300])


CHAINS = {
    "+": lambda n: "ASK { FILTER(1" + "+1" * n + " > 0) }",
    "*": lambda n: "ASK { FILTER(1" + "*1" * n + " > 0) }",
    "||": lambda n: "ASK { FILTER(false" + "||false" * n + ") }",
    "&&": lambda n: "ASK { FILTER(true" + "&&true" * n + ") }",
    "!": lambda n: "ASK { FILTER(" + "!" * n + "true) }",
    "-": lambda n: "ASK { FILTER(1" + "-1" * n + " < 0) }",
    ",": lambda n: "ASK { <urn:s> <urn:p> 1" + ",1" * n + " }",
    ";": lambda n: "ASK { <urn:s> <urn:p> 1" + ";<urn:p> 1" * n + " }",
    "UNION": lambda n: "ASK { {}" + " UNION {}" * n + " }",
    "MINUS": lambda n: "ASK { <urn:s> ?p ?o" + " MINUS{<urn:s> ?p ?o}" * (n // 3) + " }",
    "BIND": lambda n: "ASK { " + "".join(f"BIND(1 AS ?v{i})" for i in range(n // 3)) + " }",
    "/": lambda n: "ASK { <urn:s> <p:p>" + "/<p:p>" * n + " ?o }",
    "|": lambda n: "ASK { <urn:s> <p:p>" + "|<p:p>" * n + " ?o }",
    "nested +": lambda n: "ASK { FILTER(" + "(1+1+1+1+" * (n // 4) + "1" + ")" * (n // 4) + ">0) }",
}


@pytest.mark.parametrize("op", list(CHAINS))
def test_operator_chains_never_kill_the_worker(client: FlaskClient, op: str) -> None:
    for n in (10, MAX_CHAIN - 10, MAX_CHAIN + 10, 8000, 20000):
        query = CHAINS[op](n)
        if len(query.encode()) > 65_536:
            continue
        r = client.post("/sparql", data={"query": query}, headers={"Accept": JSON})
        assert r.status_code in (200, 400), (op, n, r.status_code, r.data[:200])
        if n > MAX_CHAIN:
            assert r.status_code == 400
            assert re.search("chain|nested", json.loads(r.data)["message"])
        if n <= 10:
            assert r.status_code == 200


def test_relative_iris_resolve_against_the_endpoint(client: FlaskClient) -> None:
    """W3C protocol test: CONSTRUCT with relative IRIs; the base is the endpoint's URL."""
    r = client.get(
        "/sparql",
        query_string={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
        headers={"Accept": "application/n-triples"},
    )
    assert r.status_code == 200, r.data
    assert b"<http://localhost:8080/s> <http://localhost:8080/p>" in r.data
