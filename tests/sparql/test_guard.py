"""The pre-parse guard: tokenizer-aware depth scan, SERVICE, updates, dataset, LIMIT cap."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from endpoint.sparql.guard import analyse, cap_limit, check_services
from riikg.sparql.text import QueryForm, QueryTextError, tokenize


def depth(text: str) -> int:
    return tokenize(text)[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ASK {}", 1),
        ('ASK { FILTER("{{{{((((" != "x") }', 2),
        ("ASK { FILTER('''{{{\n(((''' != \"\"\"}}}\"\"\") }", 2),
        ("ASK { # {{{{{{ ((((( \n }", 1),
        ("ASK { <http://x/(((> ?p ?o }", 1),
        ('ASK { ?s ?p "a\\"{{{" }', 1),
        ("ASK { [ ?p [ ?q ( 1 2 ) ] ] }", 4),
        ("ASK { FILTER(?a < ?b && ?c > (1)) }", 3),
    ],
)
def test_depth_ignores_brackets_in_strings_iris_comments(text: str, expected: int) -> None:
    assert depth(text) == expected


def test_depth_cap_stops_early() -> None:
    hostile = "ASK " + "{" * 3000 + "}" * 3000
    with pytest.raises(QueryTextError, match="too deeply nested"):
        analyse(hostile, max_depth=128)
    assert analyse("ASK " + "{" * 128 + "}" * 128, max_depth=128).max_depth == 128


@pytest.mark.parametrize(
    "text",
    [
        "ASK " + "\\u007B" * 200 + "\\u007D" * 200,
        "\\u0049NSERT DATA { <a:b> <a:c> <a:d> }",
        "SELECT * { SERVIC\\u0045 <http://127.0.0.1:9/> { ?s ?p ?o } }",
        'SELECT (b\\u0069f:http_get("x") AS ?x) {}',
        "ASK { ?s ?p ?o } \\",
    ],
)
def test_escapes_outside_strings_and_iris_are_refused(text: str) -> None:
    """pyoxigraph decodes \\u only inside strings and IRIs, other engines everywhere: refuse."""
    with pytest.raises(QueryTextError, match="backslash|not a SPARQL keyword") as info:
        analyse(text, max_depth=128)
    assert info.value.status == 400


def test_unterminated_string_is_refused() -> None:
    with pytest.raises(QueryTextError, match="unterminated string"):
        analyse('SELECT * { ?s ?p "abc }', max_depth=128)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * {}", QueryForm.SELECT),
        ("  # comment\nPREFIX ex: <http://e/> BASE <http://b/> ask {}", QueryForm.ASK),
        ("CONSTRUCT WHERE { ?s ?p ?o }", QueryForm.CONSTRUCT),
        ("DESCRIBE <http://e/x>", QueryForm.DESCRIBE),
        ("INSERT DATA { <a:b> <a:c> <a:d> }", QueryForm.UPDATE),
        ("PREFIX ex: <http://e/> DELETE WHERE { ?s ?p ?o }", QueryForm.UPDATE),
        ("LOAD <http://example.org/x>", QueryForm.UPDATE),
        ("drop all", QueryForm.UPDATE),
        ("CLEAR DEFAULT", QueryForm.UPDATE),
        ("WITH <g:1> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", QueryForm.UPDATE),
        ("PREFIX ex: <http://e/> { }", QueryForm.UNKNOWN),
    ],
)
def test_query_form(text: str, form: QueryForm) -> None:
    assert analyse(text, max_depth=128).form is form


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "PREFIX x: <http://127.0.0.1:9/> SELECT * { service x:sparql { ?s ?p ?o } }",
        "SELECT * { { SELECT * { SERVICE <http://127.0.0.1:9/> {} } } }",
        "ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
        "SELECT * { SERVICE <http://127.0.0.1:\\u0039/> { ?s ?p ?o } }",
        "SELECT * { SERVICE<http://127.0.0.1:9/>{ ?s ?p ?o } }",
    ],
)
def test_service_refused_unless_allowed(text: str) -> None:
    analysis = analyse(text, max_depth=128)
    with pytest.raises(QueryTextError) as info:
        check_services(analysis, ())
    assert info.value.status == 403
    check_services(analysis, ("http://127.0.0.1:9/", "http://127.0.0.1:9/sparql"))


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { VALUES ?e { <http://127.0.0.1:9/> } SERVICE ?e { ?s ?p ?o } }",
        "SELECT * { BIND(<http://127.0.0.1:9/> AS ?e) SERVICE SILENT ?e { ?s ?p ?o } }",
    ],
)
def test_service_with_variable_always_refused(text: str) -> None:
    with pytest.raises(QueryTextError) as info:
        analyse(text, max_depth=128)
    assert info.value.status == 403


def test_service_word_in_strings_and_names_is_not_service() -> None:
    text = 'PREFIX ex: <http://e/> SELECT * { ?s ex:service "SERVICE <http://x/>" } # SERVICE ?x'
    assert analyse(text, max_depth=128).services == []


def test_dataset_clauses_are_lifted() -> None:
    text = (
        "PREFIX g: <http://localhost:8080/graph/>\n"
        "SELECT * FROM g:source\\/a FROM NAMED <http://localhost:8080/graph/meta/a> "
        "WHERE { ?s ?p ?o }"
    )
    analysis = analyse(text, max_depth=128)
    assert analysis.default_graphs == ["http://localhost:8080/graph/source/a"]
    assert analysis.named_graphs == ["http://localhost:8080/graph/meta/a"]
    assert "FROM" not in analysis.text
    assert len(analysis.text) == len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * {}", "SELECT * {}\nLIMIT 11\n"),
        ("SELECT * {} # no newline", "SELECT * {} # no newline\nLIMIT 11\n"),
        ("SELECT * {} LIMIT 3", "SELECT * {} LIMIT 3"),
        ("SELECT * {} OFFSET 2 LIMIT 3000", "SELECT * {} OFFSET 2 LIMIT 11"),
        ("SELECT * {} limit 3000 offset 5", "SELECT * {} limit 11 offset 5"),
        ("SELECT * {} VALUES ?x { 1 }", "SELECT * {} LIMIT 11\nVALUES ?x { 1 }"),
        (
            "SELECT * { { SELECT * {} LIMIT 99 } } ORDER BY ?x",
            "SELECT * { { SELECT * {} LIMIT 99 } } ORDER BY ?x\nLIMIT 11\n",
        ),
        (
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }\nLIMIT 11\n",
        ),
    ],
)
def test_cap_limit(text: str, expected: str) -> None:
    assert cap_limit(text, tokenize(text)[0], 11) == expected


@pytest.mark.parametrize(
    "text",
    [
        'SELECT (bif:http_get("http://127.0.0.1:9/") AS ?x) {}',
        "SELECT (SQL:foo(1) AS ?x) {}",
        "SELECT (<http://www.openlinksw.com/schemas/sql#x>(1) AS ?x) {}",
        'PREFIX b: <http://www.openlinksw.com/schemas/bif#> SELECT (b:http_get("x") AS ?x) {}',
        'define get:soft "replace" SELECT * {}',
    ],
)
def test_server_extensions_refused(text: str) -> None:
    with pytest.raises(QueryTextError) as info:
        analyse(text, max_depth=128)
    assert info.value.status == 403


ALPHABET = "{}()[]<>\"'#\\u007BSERVICE LOAD ?x:a.\n\t;0123456789"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=300))
def test_guard_never_fails_unexpectedly(text: str) -> None:
    """Any text either passes the guard or is refused with a QueryTextError, never a crash."""
    try:
        analysis = analyse(text, max_depth=8)
    except QueryTextError as exc:
        assert exc.status in (400, 403)
        return
    assert analysis.max_depth <= 8
    assert "\\u" not in analysis.text.replace("\\\\", "")
    cap_limit(analysis.text, analysis.tokens, 11)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=400), st.sampled_from(["{", "(", "["]))
def test_depth_is_exact(n: int, opener: str) -> None:
    closer = {"{": "}", "(": ")", "[": "]"}[opener]
    text = "ASK " + opener * n + closer * n
    if n > 128:
        with pytest.raises(QueryTextError):
            analyse(text, max_depth=128)
    else:
        assert analyse(text, max_depth=128).max_depth == n
