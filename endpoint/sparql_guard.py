"""Checks on public SPARQL text before any engine sees it, and the rewrites the endpoint needs.

Everything here works on a token stream (strings, IRIs, comments and ``\\u`` escapes
handled), never on raw substrings:

* nesting depth of ``{ ( [`` is capped (pyoxigraph segfaults on ~3,000 levels, SECURITY F1);
* updates are recognised so they can be refused with a clear message (the worker only ever
  calls ``Store.query``, which cannot run an update anyway);
* ``SERVICE`` is refused unless its endpoint is on the allow-list (``SERVICE ?var`` always);
* ``FROM`` / ``FROM NAMED`` clauses are lifted out of the text so the dataset is passed to the
  store explicitly (and checked against the store's graphs);
* the top-level ``LIMIT`` is lowered (or added) to ``max_rows + 1`` so the engine stops early
  and the endpoint can tell whether the answer was truncated.

SPARQL 1.1 says ``\\uXXXX`` escapes may appear anywhere in the text (w3c-cg/sparql-dev#77);
pyoxigraph only decodes them inside strings and IRIs, other engines may decode them
everywhere. So the checks run on the text as sent *and* on its decoded form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from riikg.sparql_text import (
    QueryForm,
    QueryTextError,
    Token,
    query_form,
    tokenize,
)

#: the guard's refusals (``status`` is the HTTP status to answer)
GuardError = QueryTextError


#: Virtuoso's SQL built-ins reachable from SPARQL (``bif:http_get`` makes the server fetch a
#: URL, observed on a test Virtuoso) and its ``DEFINE`` pragmas (the Sponger fetches ``FROM``
#: IRIs with ``define get:soft``; SECURITY A9): refused whatever the backend.
SERVER_EXTENSION_NAMESPACES = (
    "http://www.openlinksw.com/schemas/bif#",
    "http://www.openlinksw.com/schemas/sql#",
)
SERVER_EXTENSION_PREFIXES = frozenset({"bif", "sql"})

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass
class Analysis:
    """What the guard learnt about a query."""

    form: QueryForm
    max_depth: int
    prefixes: dict[str, str] = field(default_factory=dict)
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    #: the query text with the dataset clauses blanked out (same length as the input)
    text: str = ""
    tokens: list[Token] = field(default_factory=list)

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def decode_escapes(text: str) -> str:
    r"""Apply SPARQL's ``\u``/``\U`` code point escapes everywhere (SPARQL 1.1, 19.2).

    >>> decode_escapes(r"ASK \u007B\u007D")
    'ASK {}'
    """

    def repl(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _ESCAPE.sub(repl, text)


def _resolve(token: Token, prefixes: dict[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "name" and ":" in token.text:
        prefix, _, local = token.text.partition(":")
        ns = prefixes.get(prefix)
        return None if ns is None else ns + local.rstrip(".")
    return None


def analyse(text: str, *, max_depth: int) -> Analysis:
    """Tokenise, find the query form, the prologue, dataset clauses and SERVICE endpoints.

    Raises:
        GuardError: too deeply nested, unterminated string, SERVICE with a variable.
    """
    tokens, deepest = tokenize(text, max_depth)
    decoded = decode_escapes(text)
    if decoded != text:  # what an engine that decodes escapes everywhere would see
        decoded_tokens, _ = tokenize(decoded, max_depth)
    else:
        decoded_tokens = tokens
    prefixes: dict[str, str] = {}
    form = query_form(tokens, prefixes)
    if decoded_tokens is not tokens and query_form(decoded_tokens) is QueryForm.UPDATE:
        form = QueryForm.UPDATE
    for stream in (tokens, decoded_tokens):
        _refuse_server_extensions(stream, prefixes)
    analysis = Analysis(form=form, max_depth=deepest, prefixes=prefixes, tokens=tokens)
    analysis.services = _services(tokens, prefixes) + _services(decoded_tokens, prefixes)
    analysis.text = _lift_dataset(text, tokens, prefixes, analysis)
    return analysis


def _refuse_server_extensions(tokens: list[Token], prefixes: dict[str, str]) -> None:
    for tok in tokens:
        if tok.keyword == "DEFINE":
            raise GuardError("DEFINE pragmas are not allowed on this endpoint", 403)
        iri = _resolve(tok, prefixes) or ""
        prefix = tok.text.partition(":")[0].lower() if tok.kind == "name" else ""
        if prefix in SERVER_EXTENSION_PREFIXES or iri.startswith(SERVER_EXTENSION_NAMESPACES):
            raise GuardError(
                f"{tok.text[:60]}: server built-in functions (bif:, sql:) are not allowed on "
                "this endpoint",
                403,
            )


def position(text: str, offset: int) -> str:
    """``line:column`` (1-based) of a character offset, as parsers report positions.

    >>> position("ab" + chr(10) + "c", 4)
    '2:2'
    """
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def _services(tokens: list[Token], prefixes: dict[str, str]) -> list[str]:
    found: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.keyword != "SERVICE":
            continue
        j = i + 1
        if j < len(tokens) and tokens[j].keyword == "SILENT":
            j += 1
        if j >= len(tokens):
            continue
        target = tokens[j]
        if target.kind == "var":
            raise GuardError(
                "SERVICE with a variable endpoint is not allowed: this endpoint makes no "
                "outbound requests",
                403,
            )
        iri = _resolve(target, prefixes)
        found.append(iri if iri is not None else target.text)
    return found


def _lift_dataset(text: str, tokens: list[Token], prefixes: dict[str, str], out: Analysis) -> str:
    """Record ``FROM``/``FROM NAMED`` graphs and blank them out of the text."""
    chars = list(text)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.keyword == "FROM" and tok.depth == 0:
            j = i + 1
            named = j < len(tokens) and tokens[j].keyword == "NAMED"
            if named:
                j += 1
            if j < len(tokens):
                iri = _resolve(tokens[j], prefixes)
                if iri is None:
                    raise GuardError(f"FROM needs an IRI, got {tokens[j].text[:80]!r}")
                (out.named_graphs if named else out.default_graphs).append(iri)
                for k in range(tok.start, tokens[j].end):
                    chars[k] = " " if chars[k] not in "\r\n" else chars[k]
                i = j + 1
                continue
        i += 1
    return "".join(chars)


def check_services(analysis: Analysis, allowlist: tuple[str, ...]) -> None:
    """Refuse SERVICE calls to endpoints outside ``allowlist`` (403)."""
    for endpoint in analysis.services:
        if endpoint not in allowlist:
            raise GuardError(
                f"SERVICE <{endpoint[:200]}> is not allowed: this endpoint makes no outbound "
                "requests (federation is limited to RIIKG_SERVICE_ALLOWLIST)",
                403,
            )


def top_limit(tokens: list[Token]) -> int | None:
    """The value of the top-level ``LIMIT``, if any.

    >>> q = "SELECT * { { SELECT * {} LIMIT 5 } } LIMIT 20"
    >>> top_limit(tokenize(q)[0])
    20
    """
    for i, tok in enumerate(tokens):
        if tok.depth == 0 and tok.keyword == "LIMIT" and i + 1 < len(tokens):
            if tokens[i + 1].kind == "number":
                return int(float(tokens[i + 1].text))
    return None


def cap_limit(text: str, tokens: list[Token], cap: int) -> str:
    """Make the top-level ``LIMIT`` at most ``cap`` (adding one if there is none).

    The tokens must be those of ``text`` (positions are reused). The solution modifiers
    come before a top-level ``VALUES`` clause, so a new ``LIMIT`` is inserted there.

    >>> q = "SELECT * { ?s ?p ?o }"
    >>> cap_limit(q, tokenize(q)[0], 11)
    'SELECT * { ?s ?p ?o }\\nLIMIT 11\\n'
    >>> q = "SELECT * { { SELECT * {} LIMIT 5 } } LIMIT 500 VALUES ?x { 1 }"
    >>> cap_limit(q, tokenize(q)[0], 11)
    'SELECT * { { SELECT * {} LIMIT 5 } } LIMIT 11 VALUES ?x { 1 }'
    """
    values_at: int | None = None
    for i, tok in enumerate(tokens):
        if tok.depth != 0:
            continue
        if tok.keyword == "LIMIT" and i + 1 < len(tokens) and tokens[i + 1].kind == "number":
            num = tokens[i + 1]
            if int(float(num.text)) <= cap:
                return text
            return text[: num.start] + str(cap) + text[num.end :]
        if tok.keyword == "VALUES" and values_at is None:
            values_at = tok.start
    if values_at is not None:
        return text[:values_at] + f"LIMIT {cap}\n" + text[values_at:]
    return text + f"\nLIMIT {cap}\n"


#: built-in functions whose value changes from one evaluation to the next (SPARQL 1.1, 17.4)
VOLATILE_FUNCTIONS = frozenset({"NOW", "RAND", "UUID", "STRUUID", "BNODE"})


def is_volatile(tokens: list[Token]) -> bool:
    """Whether the query calls a function whose answer changes between runs (not cacheable).

    >>> is_volatile(tokenize("SELECT (NOW() AS ?t) {}")[0])
    True
    >>> is_volatile(tokenize("SELECT ?now { ?now <http://x/p> 'rand()' }")[0])
    False
    """
    for i, tok in enumerate(tokens[:-1]):
        if tok.keyword in VOLATILE_FUNCTIONS and tokens[i + 1].text == "(":
            return True
    return False
