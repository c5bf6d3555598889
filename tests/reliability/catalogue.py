# ruff: noqa: E501 - one case per line reads as a table; wrapping would hide the catalogue
"""Catalogue of hostile and broken inputs, each with the answer riikg must give.

IDs follow docs/security.md (A1-A10, B1-B4, C1-C11, D1-D3, E1-E10, F-1..F-7, G1-G6, H1-H6);
``X*`` marks additions that docs/security.md does not list. ``{L}`` in a case is replaced by the
URL of the test's loopback listener, so any outbound request is seen.

Two kinds of case:

* :class:`HttpCase`: one request to a running riikg server; the answer's status must be in
  ``expect``, its body must match ``message`` (case-insensitive regex) and must not contain
  any ``forbid`` string (plus the global :data:`NEVER_IN_BODY`).
* :class:`FileCase`: a file given to ``riikg load``; the exit code must be in ``exit``
  (2 = input error, 1 = refused by validation), the output must match ``message``.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

ENTITY = "/id/infrastructure/reliability-lab-1"
XSS_ENTITY = "/id/infrastructure/reliability-lab-xss"
NEVER_IN_BODY = ("Traceback (most recent call last)", "root:x:0:0", "/work/main/")

SERVICE_MSG = r"service"
NESTING_MSG = r"nest|deep|depth"
SIZE_MSG = r"large|long|size|bytes|limit"
UPDATE_MSG = r"update|read-only|read only|not allowed|refused|forbidden|method"
TIMEOUT_MSG = r"time|deadline"
TRAVERSAL = ("root:x:0:0", "[project]", "[build-system]")


@dataclass(frozen=True)
class HttpCase:
    """One hostile HTTP request and the answer it must get."""

    id: str
    area: str  # sparql, pages, dumps, static, http, search
    what: str
    method: str
    path: str
    expect: frozenset[int]
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    message: str | None = None
    forbid: tuple[str, ...] = ()
    header_checks: tuple[tuple[str, str], ...] = ()  # (header, regex) the answer must match
    no_foreign_location: bool = True
    ssrf: bool = False  # also run in-process under the audit hook
    slow: bool = False  # expected to hit the query deadline

    def resolve(self, listener: str) -> HttpCase:
        """The case with ``{L}`` replaced by the listener URL (percent-encoded in paths)."""
        body = self.body
        if body:  # raw, or inside a urlencoded form
            body = body.replace(b"{L}", listener.encode())
            body = body.replace(b"%7BL%7D", quote(listener, safe="").encode())
        path = self.path.replace("%7BL%7D", quote(listener, safe="")).replace("{L}", listener)
        return HttpCase(**{**self.__dict__, "path": path, "body": body})


def s(*codes: int) -> frozenset[int]:
    return frozenset(codes)


def get_query(query: str, **extra: str) -> str:
    return "/sparql?" + urlencode({"query": query, **extra})


def form(**fields: str) -> bytes:
    return urlencode(fields).encode()


FORM = (("Content-Type", "application/x-www-form-urlencoded"),)
HTML = (("Accept", "text/html"),)


def sparql_get(
    cid: str,
    what: str,
    query: str,
    expect: frozenset[int],
    message: str | None = None,
    **kw: object,
) -> HttpCase:
    return HttpCase(cid, "sparql", what, "GET", get_query(query), expect, message=message, **kw)  # type: ignore[arg-type]


def sparql_post(
    cid: str,
    what: str,
    query: str,
    expect: frozenset[int],
    message: str | None = None,
    **kw: object,
) -> HttpCase:
    return HttpCase(
        cid,
        "sparql",
        what,
        "POST",
        "/sparql",
        expect,
        body=form(query=query),
        headers=FORM,
        message=message,
        **kw,  # type: ignore[arg-type]
    )


REFUSED = s(400, 403)
UPDATE_REFUSED = s(400, 403, 405)
NOT_FOUND = s(400, 404)
DEADLINE = s(503, 504)
BIG = 3000
HUGE = 10_000
CARTESIAN7 = " . ".join(f"?a{i} ?b{i} ?c{i}" for i in range(7))

#: text that once made the guard's tokenizer disagree with the engine about where a string,
#: IRI or comment ends (the engine decodes ``\\u`` escapes inside IRIs and strings)
DESYNC_PREFIXES: list[tuple[str, str, str]] = [
    ("iri-hash", "an escaped character before # in an IRI", "?s <urn:a\\u0041#b> ?o ."),
    ("string-quote", "an escaped quote in a string", 'FILTER("a\\u0022" != "")'),
    (
        "string-single-quote",
        "an escaped apostrophe in a single-quoted string",
        "FILTER('a\\u0027' != '')",
    ),
    ("string-backslash", "an escaped backslash at the end of a string", 'FILTER("a\\u005C" != "")'),
    (
        "long-string",
        "an escaped quote in a long string",
        'FILTER("""a\\u0022\\u0022\\u0022""" != "")',
    ),
    ("iri-gt", "an escaped > in an IRI", "?s <urn:a\\u003E#b> ?o ."),
    ("comment-in-string", "a # inside a string", 'FILTER("a # b" != "")'),
    ("iri-escaped-hash", "an escaped # in an IRI", "?s <urn:p> <urn:o\\u0023> ."),
]

#: (name, operator, terms, query): chains that recurse in the parser without any bracket
OPERATOR_CHAINS: list[tuple[str, str, int, str]] = [
    ("plus", "+", 8000, "ASK { FILTER(" + "+".join(["1"] * 8000) + " > 0) }"),
    ("times", "*", 8000, "ASK { FILTER(" + "*".join(["1"] * 8000) + " > 0) }"),
    ("or", "||", 6000, "ASK { FILTER(" + " || ".join(["true"] * 6000) + ") }"),
    ("and", "&&", 6000, "ASK { FILTER(" + " && ".join(["true"] * 6000) + ") }"),
    ("not", "!", 10000, "ASK { FILTER(" + "!" * 10000 + "true) }"),
    ("minus", "-", 10000, "ASK { FILTER(" + "-" * 10000 + "1 < 0) }"),
    ("path-seq", "/", 8000, "ASK { ?s " + "/".join(["<urn:p>"] * 8000) + " ?o }"),
    ("path-alt", "|", 8000, "ASK { ?s " + "|".join(["<urn:p>"] * 8000) + " ?o }"),
    ("path-inverse", "^", 10000, "ASK { ?s " + "^" * 10000 + "<urn:p> ?o }"),
]

FUTURE = (("If-Modified-Since", "Sun, 01 Jan 2090 00:00:00 GMT"),)


# fmt: off
HTTP_CASES: list[HttpCase] = [
    # ---- A. outbound requests --------------------------------------------------------------
    sparql_get("A1-service", "SERVICE to a URL", "SELECT * WHERE { SERVICE <{L}sparql> { ?s ?p ?o } }", REFUSED, SERVICE_MSG, ssrf=True),
    sparql_get("A1-service-silent", "SERVICE SILENT", "SELECT * WHERE { SERVICE SILENT <{L}> { ?s ?p ?o } }", REFUSED, SERVICE_MSG, ssrf=True),
    sparql_get("A1-service-values", "SERVICE ?var bound by VALUES", "SELECT * WHERE { VALUES ?e { <{L}> } SERVICE ?e { ?s ?p ?o } }", REFUSED, SERVICE_MSG, ssrf=True),
    sparql_get("A1-service-bind", "SERVICE ?var bound by BIND", "SELECT * WHERE { BIND(<{L}> AS ?e) SERVICE ?e { ?s ?p ?o } }", REFUSED, SERVICE_MSG, ssrf=True),
    sparql_get("A1-service-exists", "SERVICE inside FILTER EXISTS", "ASK { FILTER EXISTS { SERVICE <{L}> { ?s ?p ?o } } }", REFUSED, SERVICE_MSG, ssrf=True),
    sparql_get("A1-service-subquery", "SERVICE inside a subquery", "SELECT * { { SELECT * { SERVICE <{L}> { ?s ?p ?o } } } }", REFUSED, SERVICE_MSG, ssrf=True),
    sparql_get("A1-service-escaped", "SERVICE keyword spelt with a \\u escape", "SELECT * WHERE { SERV\\u0049CE <{L}> { ?s ?p ?o } }", s(400, 403), ssrf=True),
    sparql_get("A1-service-lower", "lower-case service", "select * where { service <{L}> { ?s ?p ?o } }", REFUSED, SERVICE_MSG, ssrf=True),
    sparql_post("A1-service-post", "SERVICE sent by POST", "SELECT * WHERE { SERVICE <{L}> { ?s ?p ?o } }", REFUSED, SERVICE_MSG, ssrf=True),
    sparql_get("A2-load-as-query", "LOAD sent as a query", "LOAD <{L}x.ttl>", UPDATE_REFUSED, UPDATE_MSG, ssrf=True),
    HttpCase("A2-load-update", "sparql", "LOAD as update= (form)", "POST", "/sparql", UPDATE_REFUSED, body=form(update="LOAD <{L}x.ttl>"), headers=FORM, message=UPDATE_MSG, ssrf=True),
    HttpCase("A2-load-file", "sparql", "LOAD <file:///etc/passwd>", "POST", "/sparql", UPDATE_REFUSED, body=form(update="LOAD <file:///etc/passwd>"), headers=FORM, ssrf=True),
    HttpCase("A2-load-direct", "sparql", "LOAD as application/sparql-update", "POST", "/sparql", s(400, 403, 405, 415), body=b"LOAD <{L}x.ttl>", headers=(("Content-Type", "application/sparql-update"),), ssrf=True),
    sparql_get("A3-from-url", "FROM <url> is a graph name, never fetched", "SELECT * FROM <{L}data.ttl> WHERE { ?s ?p ?o } LIMIT 1", s(200, 400), ssrf=True),
    sparql_get("A3-from-named-file", "FROM NAMED <file:///etc/passwd>", "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }", s(200, 400), forbid=TRAVERSAL, ssrf=True),
    HttpCase("A3-default-graph-uri", "sparql", "default-graph-uri naming a URL", "GET", get_query("SELECT * WHERE { ?s ?p ?o } LIMIT 1", **{"default-graph-uri": "{L}g"}), s(200, 400), ssrf=True),
    # ---- C. resource exhaustion ------------------------------------------------------------
    sparql_post("C1-braces-3000", "3,000 nested { }", "ASK " + "{" * BIG + "}" * BIG, s(400), NESTING_MSG),
    sparql_post("C1-braces-10000", "10,000 nested { }", "ASK " + "{" * HUGE + "}" * HUGE, s(400), NESTING_MSG),
    sparql_get("C1-braces-3000-get", "3,000 nested { } in a 6 KB GET", "ASK " + "{" * BIG + "}" * BIG, s(400, 414)),
    sparql_post("C1-parens-3000", "3,000 nested ( ) in FILTER", "ASK { FILTER(" + "(" * BIG + "1" + ")" * BIG + ") }", s(400), NESTING_MSG),
    sparql_post("C1-parens-10000", "10,000 nested ( ) in FILTER", "ASK { FILTER(" + "(" * HUGE + "1" + ")" * HUGE + ") }", s(400), NESTING_MSG),
    sparql_post("C1-path-3000", "3,000 nested property-path groups", "ASK { ?s " + "(" * BIG + "<urn:p>" + ")*" * BIG + " ?o }", s(400), NESTING_MSG),
    sparql_post("C1-bnodes-3000", "3,000 nested blank-node property lists", "ASK { ?s <urn:p> " + "[ <urn:p> " * BIG + "<urn:o>" + " ]" * BIG + " }", s(400), NESTING_MSG),
    sparql_post("C1-collections-3000", "3,000 nested RDF collections", "ASK { ?s <urn:p> " + "( " * BIG + "1" + " )" * BIG + " }", s(400), NESTING_MSG),
    sparql_post("C1-subselect-1000", "1,000 nested sub-SELECTs", "SELECT * " + "{ SELECT * " * 1000 + "{ ?s ?p ?o }" + " }" * 1000, s(400), NESTING_MSG),
    sparql_post("C2-query-70kb", "query text over 64 KB", "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70_000, s(413), SIZE_MSG),
    HttpCase("C2-url-100kb", "http", "a 100 KB request line", "GET", get_query("ASK {} #" + "x" * 100_000), s(400, 413, 414, 431)),
    HttpCase("C2-body-5mb", "http", "a 5 MB form body", "POST", "/sparql", s(413), body=b"query=" + b"x" * (5 << 20), headers=FORM),
    sparql_get("C3-cartesian", "7-way cartesian product (deadline)", f"SELECT (COUNT(*) AS ?n) WHERE {{ {CARTESIAN7} }}", DEADLINE, TIMEOUT_MSG, slow=True),
    sparql_get("C4-path-closure", "(p|^p)* with both ends open", "SELECT (COUNT(*) AS ?n) WHERE { ?x (<urn:p>|^<urn:p>)* ?y }", s(200, 503, 504)),
    sparql_get("C4-any-path-join", "negated-property-set closures joined", "SELECT (COUNT(*) AS ?n) WHERE { ?x (!<urn:x>|^!<urn:x>)* ?y . ?y (!<urn:x>|^!<urn:x>)* ?z . ?z (!<urn:x>|^!<urn:x>)* ?w . ?a ?b ?c . ?d ?e ?f }", s(200, 503, 504), slow=True),
    sparql_get("C5-redos", "REGEX with catastrophic backtracking", 'SELECT ?x WHERE { BIND("' + "a" * 40 + '!" AS ?x) FILTER REGEX(?x, "^(a+)+$") }', s(200)),
    sparql_post("C5-huge-regex", "a 50 KB regular expression", 'SELECT ?x WHERE { BIND("ab" AS ?x) FILTER REGEX(?x, "' + "(a|b)" * 10_000 + '") }', s(200, 400, 413, 503, 504)),
    sparql_get("C6-row-cap", "result over the row cap is flagged", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", s(200), header_checks=(("x-result-truncated", r"(?i)true"),)),
    sparql_get("C7-order-by", "ORDER BY over millions of rows", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o } ORDER BY ?o ?a", s(200, 503, 504), slow=True),
    sparql_post("X-unions-2000", "2,000 UNION branches", "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 2000) + " } LIMIT 1", s(200, 400, 413, 503, 504)),
    sparql_post("X-prefixes-2000", "2,000 PREFIX declarations", "".join(f"PREFIX p{i}: <urn:p{i}#>\n" for i in range(2000)) + "ASK {}", s(200, 400, 413)),
    sparql_post("X-long-iri", "a 60 KB IRI", "ASK { <urn:" + "i" * 60_000 + "> ?p ?o }", s(200, 400, 413)),
    # ---- D. injection ----------------------------------------------------------------------
    HttpCase("D1-id-injection", "pages", "SPARQL in an entity path", "GET", "/id/foo>%20?p%20?o%20}%20;%20DROP%20ALL%20;%20%23", NOT_FOUND),
    HttpCase("D1-id-encoded", "pages", "percent-encoded > in an entity path", "GET", "/id/infrastructure/x%3E%20%3Fp%20%3Fo%20%7D", NOT_FOUND),
    HttpCase("D1-id-quote", "pages", "a quote in an entity path", "GET", "/id/infrastructure/x%22onmouseover%3D%22alert(1)", NOT_FOUND, headers=HTML, forbid=('"onmouseover="',)),
    HttpCase("D2-search-quotes", "search", "quotes, backslashes, \\u0022 in a search", "GET", "/search?" + urlencode({"q": '"\\\n\\u0022"""x'}), s(200, 400)),
    HttpCase("D2-search-sparql", "search", "SPARQL in a search", "GET", "/search?" + urlencode({"q": '" } ; DROP ALL ; #'}), s(200, 400)),
    HttpCase("X-search-huge", "search", "a 20 KB search string", "GET", "/search?" + urlencode({"q": "a" * 20_000}), s(200, 400, 413, 414)),
    # ---- E. protocol -----------------------------------------------------------------------
    HttpCase("E1-put", "sparql", "PUT /sparql", "PUT", get_query("ASK {}"), s(405)),
    HttpCase("E2-two-queries", "sparql", "two query= parameters", "GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", s(400)),
    HttpCase("E2-query-and-update", "sparql", "query= and update= together", "POST", "/sparql", s(400, 403, 405), body=form(query="ASK {}", update="DROP ALL"), headers=FORM),
    HttpCase("E3-text-plain", "sparql", "POST text/plain", "POST", "/sparql", s(400, 415), body=b"ASK {}", headers=(("Content-Type", "text/plain"),)),
    HttpCase("E3-no-type", "sparql", "POST without a content type", "POST", "/sparql", s(400, 415), body=b"ASK {}"),
    HttpCase("E4-non-utf8-form", "sparql", "invalid UTF-8 in a form query", "POST", "/sparql", s(400), body=b"query=ASK%20%7B%FF%FE%7D", headers=FORM),
    HttpCase("E4-non-utf8-direct", "sparql", "invalid UTF-8 in a direct query", "POST", "/sparql", s(400), body=b"ASK { \xff\xfe }", headers=(("Content-Type", "application/sparql-query"),)),
    HttpCase("E5-syntax-xss", "sparql", "syntax error that carries <script>", "GET", get_query("SELECT <script>alert('e5')</script>"), s(400), headers=(("Accept", "text/html, application/sparql-results+json;q=0.9"),), forbid=("<script>alert('e5')",)),
    HttpCase("E6-insert", "sparql", "INSERT DATA as update=", "POST", "/sparql", UPDATE_REFUSED, body=form(update="INSERT DATA { <urn:a> <urn:b> <urn:c> }"), headers=FORM, message=UPDATE_MSG),
    sparql_get("E6-drop-as-query", "DROP ALL as a query", "DROP ALL", UPDATE_REFUSED, UPDATE_MSG),
    sparql_get("E6-clear-as-query", "CLEAR ALL as a query", "CLEAR ALL", UPDATE_REFUSED, UPDATE_MSG),
    HttpCase("E6-delete-direct", "sparql", "DELETE WHERE as application/sparql-update", "POST", "/sparql", s(400, 403, 405, 415), body=b"DELETE WHERE { ?s ?p ?o }", headers=(("Content-Type", "application/sparql-update"),)),
    HttpCase("E7-unknown-accept", "sparql", "Accept: image/png", "GET", get_query("ASK {}"), s(200, 406), headers=(("Accept", "image/png"),)),
    HttpCase("E7-page-unknown-accept", "pages", "entity page, Accept: image/png", "GET", ENTITY, s(200, 406), headers=(("Accept", "image/png"),)),
    HttpCase("E9-id-url", "pages", "/id/http://evil.example/", "GET", "/id/http://evil.example/", NOT_FOUND),
    HttpCase("E9-id-traversal", "pages", "/id/..%2F..%2Fetc%2Fpasswd", "GET", "/id/..%2F..%2Fetc%2Fpasswd", NOT_FOUND, forbid=TRAVERSAL),
    HttpCase("E9-host-header", "pages", "Host header injection on a 303/Location", "GET", ENTITY, s(200, 303, 406), headers=(("Host", "evil.example"), ("Accept", "text/turtle"))),
    HttpCase("E9-double-slash", "http", "//evil.example/ as a path", "GET", "//evil.example/%2e%2e", s(301, 302, 303, 308, 400, 404)),
    HttpCase("E9-backslash", "http", "/\\evil.example as a path", "GET", "/%5Cevil.example", s(301, 302, 303, 308, 400, 404)),
    # ---- F. output encoding ----------------------------------------------------------------
    HttpCase("F1-script-literal", "pages", "<script> and onerror literals on a page", "GET", XSS_ENTITY, s(200), headers=HTML, forbid=("<script>alert('xss-label')", "<img src=x onerror"), header_checks=(("content-security-policy", r"default-src"),)),
    HttpCase("F2-javascript-iri", "pages", "javascript: IRI never becomes a link", "GET", XSS_ENTITY, s(200), headers=HTML, forbid=('href="javascript:', "href='javascript:")),
    sparql_get("F5-csv-formula", "=HYPERLINK stays spec-exact in CSV", "SELECT ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?l }", s(200), headers=(("Accept", "text/csv"),), header_checks=(("content-type", r"text/csv"),)),
    HttpCase("F7-jsonp", "sparql", "callback= never gives JSON-P", "GET", get_query("ASK {}", callback="alert"), s(200, 400), header_checks=(("content-type", r"^(?!.*javascript)"),)),
    # ---- path traversal in static and dump URLs ----------------------------------------------
    HttpCase("X-static-dotdot", "static", "/static/../../etc/passwd", "GET", "/static/../../etc/passwd", NOT_FOUND, forbid=TRAVERSAL),
    HttpCase("X-static-enc", "static", "/static/..%2f..%2fetc/passwd", "GET", "/static/..%2f..%2f..%2f..%2fetc/passwd", NOT_FOUND, forbid=TRAVERSAL),
    HttpCase("X-static-dots-enc", "static", "/static/%2e%2e/%2e%2e/etc/passwd", "GET", "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", NOT_FOUND, forbid=TRAVERSAL),
    HttpCase("X-static-pyproject", "static", "/static/vendor/..%2f..%2f..%2fpyproject.toml", "GET", "/static/..%2f..%2fpyproject.toml", NOT_FOUND, forbid=TRAVERSAL),
    HttpCase("X-dumps-enc", "dumps", "/dumps/..%2f..%2fetc", "GET", "/dumps/..%2f..%2fetc", NOT_FOUND, forbid=TRAVERSAL),
    HttpCase("X-dumps-dotdot", "dumps", "/dumps/../../etc/passwd", "GET", "/dumps/../../etc/passwd", NOT_FOUND, forbid=TRAVERSAL),
    HttpCase("X-dumps-dots-enc", "dumps", "/dumps/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "GET", "/dumps/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", NOT_FOUND, forbid=TRAVERSAL),
    HttpCase("X-dumps-source", "dumps", "/dumps/source/..%2f..%2fpyproject.toml", "GET", "/dumps/source/..%2f..%2f..%2fpyproject.toml", NOT_FOUND, forbid=TRAVERSAL),
    HttpCase("X-vocab-traversal", "pages", "/vocab/..%2f..%2fpyproject.toml", "GET", "/vocab/..%2f..%2f..%2fpyproject.toml", NOT_FOUND, forbid=TRAVERSAL),
    HttpCase("X-region-traversal", "pages", "/region/..%2f..%2fetc", "GET", "/region/..%2f..%2fetc%2fpasswd", NOT_FOUND, forbid=TRAVERSAL),
    # ---- oversized headers, malformed queries ----------------------------------------------
    HttpCase("X-header-100kb", "http", "one 100 KB header", "GET", "/health", s(400, 431), headers=(("X-Big", "x" * 100_000),), no_foreign_location=False),
    HttpCase("X-headers-300", "http", "300 headers", "GET", "/health", s(200, 400, 431), headers=tuple((f"X-H{i}", "v") for i in range(300))),
    sparql_get("X-empty-query", "empty query=", "", s(400)),
    sparql_get("X-nul-byte", "NUL byte in the query", "ASK { \x00 }", s(400)),
    sparql_get("X-garbage", "not SPARQL at all", "%%%%%%% }}}} ((((", s(400)),
    HttpCase("X-bad-percent", "sparql", "broken percent-encoding", "GET", "/sparql?query=%ZZ%", s(400)),
    sparql_get("X-truncated", "a query cut in the middle", "SELECT ?s WHERE { ?s ?p", s(400)),
    HttpCase("X-bad-timeout", "sparql", "timeout=-1 / huge", "GET", get_query("ASK {}", timeout="99999999"), s(200, 400)),
    # ---- A1/A3/C1 behind a desynchronising escape: the guard must read what the engine reads --
    *[
        sparql_post(f"A1-desync-{name}", f"SERVICE after {what}", f"SELECT * WHERE {{ {prefix}\n SERVICE <{{L}}sparql> {{ ?s ?p ?o }} }}", REFUSED, ssrf=True)
        for name, what, prefix in DESYNC_PREFIXES
    ],
    *[
        sparql_post(f"A3-desync-{name}", f"FROM an unknown graph after {what}", f"SELECT * FROM <urn:riikg:no-such-graph> WHERE {{ {prefix}\n ?s ?p ?o }}", s(400), ssrf=True)
        for name, what, prefix in DESYNC_PREFIXES[:3]
    ],
    *[
        sparql_post(f"C1-desync-{name}", f"5,000 nested braces after {what}", "ASK { " + prefix + "\n" + "{" * 5000 + "}" * 5000 + " }", s(400))
        for name, what, prefix in DESYNC_PREFIXES[:3]
    ],
    # ---- C1 without brackets: long operator and path chains recurse in the parser too ---------
    *[
        sparql_post(f"C1-chain-{name}", f"{n:,} terms joined by {op}", query, s(400, 200))
        for name, op, n, query in OPERATOR_CHAINS
    ],
    # ---- E4: invalid UTF-8 in any query parameter ----------------------------------------------
    HttpCase("E4-get-ff-fe", "sparql", "%FF%FE in a GET query", "GET", "/sparql?query=ASK%20%7B%FF%FE%7D", s(400)),
    HttpCase("E4-get-surrogate", "sparql", "an encoded lone surrogate in a GET query", "GET", "/sparql?query=ASK%20%7B%22%ED%A0%80%22%7D", s(400)),
    HttpCase("E4-search-ff", "search", "%FF in a search", "GET", "/search?q=%FFabc", s(400)),
    HttpCase("E4-facet-overlong", "pages", "overlong UTF-8 in a facet", "GET", "/infrastructures?ket=%C0%AF", s(400)),
    HttpCase("E4-oai-token", "oai", "%FF in an OAI resumption token", "GET", "/oai?verb=ListRecords&resumptionToken=%FF%FE", s(200, 400), message=r"badResumptionToken|badArgument|utf-?8"),
    # ---- E11: preconditions only when the answer would be 2xx ----------------------------------
    HttpCase("E11-ims-unknown-entity", "pages", "If-Modified-Since in the future, unknown entity", "GET", "/id/infrastructure/no-such-thing", s(404), headers=FUTURE),
    HttpCase("E11-ims-unknown-dump", "dumps", "If-Modified-Since in the future, unknown dump", "GET", "/dumps/source/no-such-source.nt.gz", s(404), headers=FUTURE),
    HttpCase("E11-ims-syntax-error", "sparql", "If-Modified-Since in the future, syntax error", "GET", get_query("SELECT WHERE"), s(400), headers=FUTURE),
    HttpCase("E11-ims-service", "sparql", "If-Modified-Since in the future, SERVICE", "GET", get_query("SELECT * { SERVICE <{L}> { ?s ?p ?o } }"), s(403), headers=FUTURE, ssrf=True),
    HttpCase("E11-inm-star-unknown", "pages", "If-None-Match: * on an unknown entity", "GET", "/id/infrastructure/no-such-thing", s(404), headers=(("If-None-Match", "*"),)),
    HttpCase("E11-if-match-dump", "dumps", "If-Match that fails on a dump: 412 without the dump", "GET", "/dumps/riikg.nt.gz", s(412), headers=(("If-Match", '"not-the-etag"'),), header_checks=(("content-length", r"^\d{1,4}$"),)),
    # ---- X: relative IRIs resolve against the endpoint; a token that is not one -------------
    sparql_get("X-relative-iri", "relative IRIs in CONSTRUCT (W3C protocol test)", "CONSTRUCT { <s> <p> 1 } WHERE {}", s(200)),
    HttpCase("X-oai-forged-garbage", "oai", "OAI token that is not a token", "GET", "/oai?" + urlencode({"verb": "ListIdentifiers", "resumptionToken": "<script>x</script>"}), s(200), message=r"badResumptionToken", forbid=("<script>x",)),
]
# fmt: on


def http_case(case_id: str) -> HttpCase:
    return next(c for c in HTTP_CASES if c.id == case_id)


# ---- files given to ``riikg load`` ---------------------------------------------------------
@dataclass(frozen=True)
class FileCase:
    """A hostile or broken file and what ``riikg load`` must do with it."""

    id: str
    what: str
    name: str
    content: Callable[[str], bytes]  # listener URL -> bytes
    exit: frozenset[int] = field(default_factory=lambda: frozenset({2}))
    message: str | None = None
    forbid: tuple[str, ...] = TRAVERSAL
    subprocess: bool = False  # crash-prone: run in a child process with a memory limit
    manifest: bool = False  # the file is a sources manifest (riikg load --manifest)
    extra: tuple[tuple[str, bytes], ...] = ()  # other files, relative to the case's directory
    args: tuple[str, ...] = ()  # more options for ``riikg load``
    max_seconds: float | None = None  # must be refused this fast (in-process cases only)


def laughs(levels: int) -> bytes:
    ents = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, levels + 1)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(ents) + "\n]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:s="http://www.w3.org/2004/02/skos/core#">\n'
        f'<rdf:Description rdf:about="http://example.org/x"><s:prefLabel>&l{levels};'
        "</s:prefLabel></rdf:Description>\n</rdf:RDF>\n"
    ).encode()


def xxe(system: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "' + system + '">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:s="http://www.w3.org/2004/02/skos/core#">\n'
        '<rdf:Description rdf:about="http://example.org/x"><s:prefLabel>&x;</s:prefLabel>'
        "</rdf:Description>\n</rdf:RDF>\n"
    ).encode()


def quadratic() -> bytes:
    big = "a" * 100_000
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY a "' + big + '">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:s="http://www.w3.org/2004/02/skos/core#">\n'
        '<rdf:Description rdf:about="http://example.org/x"><s:prefLabel>'
        + "&a;" * 10_000
        + "</s:prefLabel></rdf:Description>\n</rdf:RDF>\n"
    ).encode()


def jsonld(context: object) -> bytes:
    return json.dumps(
        {
            "@context": context,
            "@id": "http://localhost:8080/id/infrastructure/jsonld-ctx",
            "@type": "https://w3id.org/riikg/ontology/ResearchInfrastructure",
        }
    ).encode()


def deep_jsonld(levels: int) -> bytes:
    return (
        '{"@id": "http://example.org/x", "http://example.org/p": ' * levels + '"v"' + "}" * levels
    ).encode()


def deep_turtle(levels: int) -> bytes:
    return (
        b"<http://example.org/x> <http://example.org/p> "
        + b"[ <http://example.org/p> " * levels
        + b'"v"'
        + b" ]" * levels
        + b" .\n"
    )


TTL_HEAD = (
    "@prefix riikg: <https://w3id.org/riikg/ontology/> .\n"
    "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    "@prefix dct: <http://purl.org/dc/terms/> .\n"
    "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
)


def ttl(body: str) -> bytes:
    return (TTL_HEAD + body).encode()


OUTSIDE_TTL = ttl(
    "<http://localhost:8080/id/infrastructure/outside> a riikg:ResearchInfrastructure ; "
    'skos:prefLabel "Outside the data root"@en ; dct:source <https://example.org/outside> .\n'
)


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    first = True
    for title, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = title
        for row in rows:
            ws.append(row)
        first = False
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bomb() -> bytes:
    """A .xlsx whose sheet XML inflates from ~200 KB to 200 MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/worksheets/sheet1.xml", b"<x>" + b" " * (200 << 20) + b"</x>")
    return buf.getvalue()


def gzip_bomb() -> bytes:
    return gzip.compress(b"\n" * (300 << 20))


SURVEY_HEAD = "name@en,types,host,host_type,host_country,region,status,source_url\n"


def survey_row(name: str) -> bytes:
    """A survey CSV with one fictional infrastructure called ``name``."""
    return (
        SURVEY_HEAD
        + f'"{name}",laboratory,Example University,university,IT,ITH55,operational,https://lab.example.org/\n'
    ).encode()


def padded_xlsx(dimension: str, last_cell: str, *, shared_strings: int = 0) -> bytes:
    """A tiny .xlsx whose sheet declares ``dimension`` and holds one cell at ``last_cell``
    (a padding bomb: a reader that trusts the dimension materialises every empty row)."""
    row = "".join(ch for ch in last_cell if ch.isdigit())
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>'
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>name@en</t></is></c></row>'
        f'<row r="{row}"><c r="{last_cell}" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    strings = "".join(f"<si><t>s{i}</t></si>" for i in range(shared_strings))
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="infrastructures" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{shared_strings}" uniqueCount="{shared_strings}">{strings}</sst>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()


def export_json(infrastructure: str) -> bytes:
    """A riikg JSON export with one infrastructure given as raw JSON text."""
    return ('{"format": "riikg-export/1", "infrastructures": [' + infrastructure + "]}").encode()


CONTROL_CHARACTERS = {
    "nul": "\x00",
    "soh": "\x01",
    "esc": "\x1b",
    "vt": "\x0b",
    "ff": "\x0c",
    "fffe": "\ufffe",
}


# fmt: off
FILE_CASES: list[FileCase] = [
    FileCase("B1-laughs-rdfxml", "billion laughs, 9 levels (RDF/XML)", "laughs.rdf", lambda _: laughs(9), message=r"doctype|entit|dtd", subprocess=True),
    FileCase("B1-laughs-trix", "billion laughs in TriX", "laughs.trix", lambda _: laughs(9).replace(b"rdf:RDF", b"TriX"), message=r"doctype|entit|dtd|extension|format", subprocess=True),
    FileCase("B2-xxe-file", "XXE reading /etc/passwd", "xxe.rdf", lambda _: xxe("file:///etc/passwd"), message=r"doctype|entit|dtd"),
    FileCase("B2-xxe-http", "XXE fetching a URL", "xxe-http.rdf", lambda url: xxe(url + "x.dtd"), message=r"doctype|entit|dtd"),
    FileCase("B3-quadratic", "quadratic blowup (one 100 KB entity x 10,000)", "quadratic.rdf", lambda _: quadratic(), message=r"doctype|entit|dtd", subprocess=True),
    FileCase("A4-jsonld-remote-context", "JSON-LD @context on a URL", "remote.jsonld", lambda url: jsonld(url + "ctx.jsonld"), message=r"context"),
    FileCase("A4-jsonld-metadata-context", "JSON-LD @context at the cloud metadata address", "meta.jsonld", lambda _: jsonld("http://169.254.169.254/latest/meta-data/"), message=r"context"),
    FileCase("A4-jsonld-file-context", "JSON-LD @context file:///etc/passwd", "file.jsonld", lambda _: jsonld("file:///etc/passwd"), message=r"context"),
    FileCase("A4-jsonld-nested-context", "JSON-LD remote context inside a context array", "nested.jsonld", lambda url: jsonld([{"s": "http://schema.org/"}, url + "c2"]), message=r"context"),
    FileCase("C9-jsonld-deep", "JSON-LD nested 100,000 levels", "deep.jsonld", lambda _: deep_jsonld(100_000), exit=frozenset({1, 2}), subprocess=True),
    FileCase("C10-turtle-deep", "Turtle [ ] nested 100,000 levels", "deep.ttl", lambda _: deep_turtle(100_000), exit=frozenset({0, 1, 2}), subprocess=True),
    FileCase("A6-owl-imports", "owl:imports of a URL in a loaded file is never followed", "imports.ttl", lambda url: ttl("<http://localhost:8080/id/infrastructure/imp> a riikg:ResearchInfrastructure ; skos:prefLabel \"Imports\"@en ; dct:source <https://example.org/imp> ; <http://www.w3.org/2002/07/owl#imports> <" + url + "onto.ttl> .\n"), exit=frozenset({0, 1, 2})),
    FileCase("G3-invalid-iri", "IRI with a space and a quote", "bad-iri.ttl", lambda _: ttl('<http://x/a b"c> a riikg:ResearchInfrastructure .\n'), message=r"bad-iri\.ttl"),
    FileCase("X-invalid-langtag", "invalid language tag", "bad-lang.ttl", lambda _: ttl('<http://localhost:8080/id/infrastructure/l> a riikg:ResearchInfrastructure ; skos:prefLabel "x"@123456789-- .\n'), message=r"bad-lang\.ttl"),
    FileCase("X-javascript-homepage", "javascript: homepage is refused", "js-home.ttl", lambda _: ttl('<http://localhost:8080/id/infrastructure/js> a riikg:ResearchInfrastructure ; skos:prefLabel "JS"@en ; dct:source <https://example.org/js> ; foaf:homepage <javascript:alert(1)> .\n'), exit=frozenset({1, 2}), message=r"homepage|http"),
    FileCase("E4-non-utf8-turtle", "Latin-1 bytes in Turtle", "latin1.ttl", lambda _: TTL_HEAD.encode() + b'<http://x/a> skos:prefLabel "M\xfcnchen"@de .\n', message=r"latin1\.ttl|utf-?8|encoding|decode"),
    FileCase("E4-non-utf8-csv", "Latin-1 bytes in a survey CSV", "latin1.csv", lambda _: "name,nuts3_code\nM\xfcnchen Lab,DE212\n".encode("latin-1"), message=r"latin1\.csv|utf-?8|encoding|decode"),
    FileCase("G2-csv-wrong-columns", "survey CSV with unknown columns only", "wrong-columns.csv", lambda _: b"foo,bar,baz\n1,2,3\n", message=r"column|header|expected"),
    FileCase("G2-csv-empty", "empty CSV", "empty.csv", lambda _: b"", message=r"empty.csv"),
    FileCase("G2-csv-huge-field", "CSV with one 20 MB field", "huge-field.csv", lambda _: b"name,nuts3_code\n" + b"a" * (20 << 20) + b",ITH55\n", message=r"huge-field\.csv"),
    FileCase("G2-csv-bom-crlf", "BOM, CRLF inside quoted cells, missing required column", "bom.csv", lambda _: b'\xef\xbb\xbfname,comment\r\n"Lab\r\nwith newline","x"\r\n', message=r"bom\.csv"),
    FileCase("G2-xlsx-missing-sheet", "workbook without the expected sheets", "nosheet.xlsx", lambda _: xlsx({"Random": [["a", "b"], [1, 2]]}), message=r"nosheet\.xlsx|sheet"),
    FileCase("G2-xlsx-wrong-columns", "workbook whose sheet has wrong columns", "wrongcols.xlsx", lambda _: xlsx({"infrastructures": [["x", "y"], [1, 2]]}), message=r"wrongcols\.xlsx|column"),
    FileCase("G2-xlsx-not-zip", "a .xlsx that is not a workbook", "garbage.xlsx", lambda _: b"this is not a zip file\x00\x01", message=r"garbage\.xlsx"),
    FileCase("G4-xlsx-zip-bomb", "a .xlsx whose sheet inflates to 200 MB", "bomb.xlsx", lambda _: zip_bomb(), message=r"bomb\.xlsx", subprocess=True),
    FileCase("G4-gzip-bomb", "a .nt.gz that inflates to 300 MB", "bomb.nt.gz", lambda _: gzip_bomb(), exit=frozenset({0, 1, 2}), subprocess=True),
    FileCase("X-json-not-json", "a .json export that is not JSON", "broken.json", lambda _: b'{"infrastructures": [', message=r"broken\.json"),
    FileCase("G1-manifest-traversal", "manifest naming ../outside.ttl (a valid file outside its root)", "manifest/traversal.toml", lambda _: b'[[source]]\nid = "evil"\nloader = "rdf_file"\nfiles = ["../outside.ttl"]\n', message=r"outside|not allowed|root|traversal", manifest=True, extra=(("outside.ttl", OUTSIDE_TTL),)),
    FileCase("G1-manifest-passwd", "manifest naming ../../../../etc/passwd", "traversal.toml", lambda _: b'[[source]]\nid = "evil"\nloader = "rdf_file"\nfiles = ["../../../../../../etc/passwd"]\n', message=r"passwd|outside|not allowed|root|path", manifest=True),
    FileCase("G1-manifest-absolute", "manifest naming an absolute path", "absolute.toml", lambda _: b'[[source]]\nid = "evil"\nloader = "rdf_file"\nfiles = ["/etc/passwd"]\n', message=r"passwd|outside|not allowed|absolute|path", manifest=True),
    FileCase("G1-manifest-url", "manifest naming a file:// URL", "url.toml", lambda _: b'[[source]]\nid = "evil"\nloader = "rdf_file"\nfiles = ["file:///etc/passwd"]\n', message=r"passwd|file|path", manifest=True),
    # ---- F-8: characters XML 1.0 forbids are refused at load, with the place --------------------
    *[
        FileCase(f"F8-control-{name}-csv", f"survey name holding {name.upper()}", f"ctl-{name}.csv", lambda _, ch=ch: survey_row(f"Lab{ch}name"), message=rf"ctl-{name}\.csv:2")
        for name, ch in CONTROL_CHARACTERS.items()
    ],
    FileCase("F8-control-json", "JSON export name holding ESC (escaped as \\u001b)", "ctl.json", lambda _: export_json('{"name": {"en": "Lab\\u001bname"}}'), message=r"ctl\.json"),
    FileCase("F8-control-ntriples", "N-Triples literal holding \\u0000", "ctl.nt", lambda _: b'<http://localhost:8080/id/infrastructure/ctl> <http://www.w3.org/2004/02/skos/core#prefLabel> "a\\u0000b"@en .\n', message=r"ctl\.nt"),
    # ---- G4: spreadsheet padding bombs refused in milliseconds ------------------------------
    FileCase("G4-xlsx-dimension-bomb", "sheet declaring A1:SR1048576 with one cell in the last row", "pad.xlsx", lambda _: padded_xlsx("A1:SR1048576", "A1048576"), message=r"pad\.xlsx", max_seconds=1.0),
    FileCase("G4-xlsx-last-row", "one cell at row 1,048,576 without a dimension hint", "lastrow.xlsx", lambda _: padded_xlsx("A1", "B1048576"), message=r"lastrow\.xlsx", max_seconds=1.0),
    FileCase("G4-xlsx-last-column", "one cell in column XFD", "lastcol.xlsx", lambda _: padded_xlsx("A1:XFD2", "XFD2"), message=r"lastcol\.xlsx", max_seconds=1.0),
    FileCase("G4-xlsx-shared-strings", "a shared-strings table of 2 million entries", "sst.xlsx", lambda _: padded_xlsx("A1:A2", "A2", shared_strings=2_000_000), message=r"sst\.xlsx", subprocess=True),
    # ---- G1: source ids that would escape the store's folders ------------------------------
    *[
        FileCase(f"G1-id-{name}", f"riikg load --id {source_id!r}", f"id-{name}.ttl", lambda _: OUTSIDE_TTL, message=r"id", args=("--id", source_id))
        for name, source_id in (("dotdot", "../../x"), ("slash", "a/b"), ("absolute", "/tmp/x"), ("empty", ""), ("nul", "a\x00b"), ("long", "x" * 300))
    ],
    # ---- C9: numbers and nesting that break the JSON reader ---------------------------------
    FileCase("C9-json-5000-digits", "a 5,000-digit number in a JSON export", "digits.json", lambda _: export_json('{"name": {"en": "Lab"}, "lat": ' + "9" * 5000 + "}"), message=r"digits\.json"),
    FileCase("C9-jsonld-5000-digits", "a 5,000-digit number in JSON-LD", "digits.jsonld", lambda _: b'{"@id": "http://localhost:8080/id/infrastructure/n", "http://example.org/p": ' + b"9" * 5000 + b"}", message=r"digits\.jsonld"),
    FileCase("C9-json-deep", "a JSON export nested 100,000 levels", "deep.json", lambda _: export_json("[" * 100_000 + "]" * 100_000), message=r"deep\.json", subprocess=True),
    FileCase("C9-json-float-overflow", "1e999999 as a coordinate", "inf.json", lambda _: export_json('{"name": {"en": "Lab"}, "lat": 1e999999}'), exit=frozenset({1, 2}), message=r"inf\.json"),
]
# fmt: on
