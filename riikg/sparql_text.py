"""A SPARQL tokenizer and the query form: what both the public endpoint's guard
(``endpoint/sparql_guard.py``) and the remote store's query rewriting need.

Tokens skip whitespace and comments; strings, IRIs, variables, names (keywords and prefixed
names), numbers and brackets each come whole, so text inside a string, an IRI or a comment
is never mistaken for syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class QueryTextError(Exception):
    """The text cannot be accepted; ``status`` is the HTTP status a server should answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class QueryForm(StrEnum):
    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"
    UPDATE = "UPDATE"
    UNKNOWN = "UNKNOWN"


UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
FORMS = {f.value: f for f in (QueryForm.SELECT, QueryForm.ASK, QueryForm.CONSTRUCT)}
FORMS["DESCRIBE"] = QueryForm.DESCRIBE

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               | '''(?:[^'\\]|\\.|'(?!''))*'''
               | "(?:[^"\\\n\r]|\\.)*"
               | '(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
    | (?P<name>(?:[^\W\d]|_)[\w\-.\u00B7]*(?::[^\s{}()\[\]<>"',;#]*)?|:[^\s{}()\[\]<>"',;#]*)
    | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int
    depth: int  # nesting depth of brackets *before* this token

    @property
    def keyword(self) -> str:
        """The upper-cased text of a name (``select`` -> ``SELECT``), else ``""``."""
        return self.text.upper() if self.kind == "name" else ""


def tokenize(text: str, max_depth: int | None = None) -> tuple[list[Token], int]:
    """Split SPARQL text into tokens; return them and the deepest bracket nesting.

    Stops with :class:`QueryTextError` as soon as the depth passes ``max_depth``, so a
    hostile query costs no more than its first few hundred brackets.

    >>> tokens, depth = tokenize('ASK { FILTER("{{{" = <urn:x>) } # {{{')
    >>> depth
    2
    """
    tokens: list[Token] = []
    depth = deepest = 0
    pos = 0
    length = len(text)
    while pos < length:
        match = _TOKEN.match(text, pos)
        if match is None:  # pragma: no cover - the pattern matches any character
            break
        kind = match.lastgroup or "other"
        end = match.end()
        if kind == "other" and text[pos] in "\"'":
            raise QueryTextError(f"unterminated string starting at character {pos + 1}")
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, match.group(), pos, end, depth))
        if kind == "open":
            depth += 1
            if depth > deepest:
                deepest = depth
                if max_depth is not None and depth > max_depth:
                    raise QueryTextError(
                        f"query too deeply nested: more than {max_depth} levels of brackets"
                    )
        elif kind == "close":
            depth = max(0, depth - 1)
        pos = end
    return tokens, deepest


def query_form(tokens: list[Token], prefixes: dict[str, str] | None = None) -> QueryForm:
    """The query form: the first keyword after the prologue (PREFIXes go to ``prefixes``).

    >>> query_form(tokenize("PREFIX ex: <http://x/> construct { ?s ?p ?o } {}")[0])
    <QueryForm.CONSTRUCT: 'CONSTRUCT'>
    """
    i = 0
    while i < len(tokens):
        kw = tokens[i].keyword
        if kw == "PREFIX" and i + 2 < len(tokens):
            if tokens[i + 2].kind == "iri" and prefixes is not None:
                prefixes[tokens[i + 1].text.rstrip(":")] = tokens[i + 2].text[1:-1]
            i += 3
        elif kw == "BASE":
            i += 2
        elif kw in FORMS:
            return FORMS[kw]
        elif kw in UPDATE_KEYWORDS:
            return QueryForm.UPDATE
        else:
            return QueryForm.UNKNOWN
    return QueryForm.UNKNOWN
