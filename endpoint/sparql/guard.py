"""Checks on public SPARQL text before any engine sees it, and the rewrites the endpoint needs.

The text is first made canonical (:func:`riikg.sparql.canonical.canonicalise`): no ``\\u``
escape survives, so any engine (pyoxigraph, or one that decodes escapes everywhere) reads the
tokens the guard reads; only the canonical text is checked and executed. Everything here
then works on its token stream (strings, IRIs and comments handled), never on raw substrings:

* nesting depth of ``{ ( [`` and the length of operator chains are capped (pyoxigraph's
  parser recurses on both and overflows the stack of the worker, see ``bench/parser_depth``);
* updates are recognised so they can be refused with a clear message (the worker only ever
  calls ``Store.query``, which cannot run an update anyway);
* ``SERVICE`` is refused unless its endpoint is on the allow-list (``SERVICE ?var`` always);
* ``FROM`` / ``FROM NAMED`` clauses are lifted out of the text so the dataset is passed to the
  store explicitly (and checked against the store's graphs);
* the top-level ``LIMIT`` is lowered (or added) to ``max_rows + 1`` so the engine stops early
  and the endpoint can tell whether the answer was truncated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from riikg.sparql.canonical import canonicalise
from riikg.sparql.text import QueryForm, QueryTextError, Token, query_form, tokenize

#: operators allowed along one nesting path. pyoxigraph 0.5's parser overflows an 8 MiB
#: stack at about 6,900 operators in a ``+`` or ``*`` chain (9,300 for ``||``, ``&&``,
#: ``!``) and at about 2,200 nested ``{``, 3,400 ``[``, 4,700 ``(`` (``python -m
#: bench.parser_depth``): 1,000 operators plus the default 128 brackets stay under a quarter
#: of the stack
MAX_CHAIN = 1000

#: Virtuoso's SQL built-ins reachable from SPARQL (``bif:http_get`` makes the server fetch a
#: URL, observed on a test Virtuoso) and its ``DEFINE`` pragmas (the Sponger fetches ``FROM``
#: IRIs with ``define get:soft``): refused whatever the backend.
SERVER_EXTENSION_NAMESPACES = (
    "http://www.openlinksw.com/schemas/bif#",
    "http://www.openlinksw.com/schemas/sql#",
)
SERVER_EXTENSION_PREFIXES = frozenset({"bif", "sql"})

#: ``\-``, ``\.``... in the local part of a prefixed name stand for the character itself
_LOCAL_ESCAPE = re.compile(r"\\(.)")


@dataclass
class Analysis:
    """What the guard learnt about a query."""

    form: QueryForm
    max_depth: int
    prefixes: dict[str, str] = field(default_factory=dict)
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    #: the canonical query text with the dataset clauses blanked out
    text: str = ""
    tokens: list[Token] = field(default_factory=list)

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def _resolve(token: Token, prefixes: dict[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "name" and ":" in token.text:
        prefix, _, local = token.text.partition(":")
        ns = prefixes.get(prefix)
        return None if ns is None else ns + _LOCAL_ESCAPE.sub(r"\1", local)
    return None


def analyse(text: str, *, max_depth: int, max_chain: int = MAX_CHAIN) -> Analysis:
    """Canonicalise, tokenise, find the query form, the prologue, dataset clauses and
    SERVICE endpoints.

    ``Analysis.text`` is the canonical text with the dataset clauses blanked out: the only
    text that may be executed.

    Raises:
        QueryTextError: a code point escape outside strings and IRIs, too deeply nested, too long
            an operator chain, unterminated string, SERVICE with a variable.
    """
    canonical = canonicalise(text)
    tokens, deepest = tokenize(canonical, max_depth, max_chain, strict=True)
    prefixes: dict[str, str] = {}
    form = query_form(tokens, prefixes)
    _refuse_server_extensions(tokens, prefixes)
    analysis = Analysis(form=form, max_depth=deepest, prefixes=prefixes, tokens=tokens)
    analysis.services = _services(tokens, prefixes)
    analysis.text = _lift_dataset(canonical, tokens, prefixes, analysis)
    return analysis


def _refuse_server_extensions(tokens: list[Token], prefixes: dict[str, str]) -> None:
    for tok in tokens:
        if tok.keyword == "DEFINE":
            raise QueryTextError("DEFINE pragmas are not allowed on this endpoint", 403)
        iri = _resolve(tok, prefixes) or ""
        prefix = tok.text.partition(":")[0].lower() if tok.kind == "name" else ""
        if prefix in SERVER_EXTENSION_PREFIXES or iri.startswith(SERVER_EXTENSION_NAMESPACES):
            raise QueryTextError(
                f"{tok.text[:60]}: server built-in functions (bif:, sql:) are not allowed on "
                "this endpoint",
                403,
            )


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
            raise QueryTextError(
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
                    raise QueryTextError(f"FROM needs an IRI, got {tokens[j].text[:80]!r}")
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
            raise QueryTextError(
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
