"""A SPARQL lexer that follows the SPARQL 1.1 grammar's terminals, and the query form: what
both the public endpoint's guard (``endpoint/sparql/guard.py``) and the remote store's query
rewriting need. The canonical form of a query text, built on this lexer, is
:mod:`riikg.sparql.canonical`.

Tokens skip whitespace and comments; strings, IRIs, variables, names (keywords and prefixed
names), numbers and brackets each come whole, so text inside a string, an IRI or a comment
is never mistaken for syntax. In strict mode (the guard's reading) the lexer also refuses
what the canonical form cannot keep: a backslash outside strings, IRIs and names, bare words
that are not SPARQL keywords, and prefixes containing ``SERVICE``, ``FROM`` or ``NAMED``
(pyoxigraph needs no space after a keyword: ``SERVICEex:x`` is ``SERVICE ex:x`` to it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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

#: every bare word of SPARQL 1.1 Query and Update, plus what pyoxigraph adds (SPARQL 1.2,
#: LATERAL, ADJUST) and Virtuoso's DEFINE (recognised so that it can be refused)
KEYWORDS = frozenset(
    """
    BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED GROUP BY
    HAVING ORDER ASC DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS
    UNION FILTER A TRUE FALSE NOT IN EXISTS LATERAL VERSION
    LOAD INTO CLEAR DROP CREATE ADD MOVE COPY TO INSERT DATA DELETE WITH USING DEFAULT ALL
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN
    UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY
    HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE
    IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE
    COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR
    TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR HASLANG HASLANGDIR STRLANGDIR ADJUST
    DEFINE
    """.split()
)
#: words a prefix may not contain: pyoxigraph may read them as keywords glued to a name
GLUED_KEYWORDS = ("SERVICE", "FROM", "NAMED")

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
#: a code point escape and a string escape (ECHAR), as the grammar's terminals spell them
UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
ECHAR = r"\\[tbnrf\\\"']"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)


def _string(quote: str) -> str:
    q = re.escape(quote)
    long = f"{q * 3}(?:(?:{q}{{1,2}})?(?:[^{q}\\\\]|{ECHAR}|{UCHAR}))*{q * 3}"
    short = f"{q}(?:[^{q}\\\\\\n\\r]|{ECHAR}|{UCHAR})*{q}"
    return f"{long}|{short}"


_TERMINALS: list[tuple[str, str]] = [
    ("ws", r"[ \t\r\n]+"),
    ("comment", r"\#[^\r\n]*"),
    ("string", _string('"') + "|" + _string("'")),
    ("var", f"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"),
    ("bnode", f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("name", f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),  # PNAME_NS / PNAME_LN
    ("name", r"[A-Za-z][A-Za-z0-9_]*"),  # a keyword
    (
        "number",
        r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+"
        r"|[0-9]*\.[0-9]+|[0-9]+",
    ),
    ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    ("open", r"[{(\[]"),
    ("close", r"[})\]]"),
    ("op", r"&&|\|\||!=|<=|>=|\^\^|>>|<<"),
]
_LEX = re.compile("|".join(f"(?P<{kind}{i}>{rx})" for i, (kind, rx) in enumerate(_TERMINALS)))
_IRIREF = re.compile(f'<(?:[^<>"{{}}|^`\\\\\\x00-\\x20]|{UCHAR})*>')

#: tokens after which pyoxigraph reads ``<`` as a comparison inside an expression
_OPERAND_KINDS = frozenset({"var", "string", "number", "iri", "bnode", "langtag"})
#: bare words after which ``(`` opens a collection or a VALUES list, not an expression
_NOT_CALLS = frozenset({"A", "VALUES", "UNDEF"})


@dataclass(frozen=True)
class Token:
    kind: str  # iri string var bnode name number langtag open close op
    text: str
    start: int
    end: int
    depth: int  # nesting depth of brackets *before* this token

    @property
    def keyword(self) -> str:
        """The upper-cased text of a bare word (``select`` -> ``SELECT``), else ``""``."""
        return self.text.upper() if self.kind == "name" and ":" not in self.text else ""


@dataclass
class _Level:
    bracket: str  # "" for the top level
    expression: bool  # inside an expression: ``<`` after an operand is a comparison
    clause: str = ""  # "select" (projection) or "modifier" (GROUP/ORDER BY, HAVING)


def _ends_operand(tok: Token | None) -> bool:
    if tok is None:
        return False
    if tok.kind in _OPERAND_KINDS or tok.text in (")", "]", ">>"):
        return True
    if tok.kind == "name":
        return ":" in tok.text or tok.keyword in ("TRUE", "FALSE")
    return False


def lex(text: str, strict: bool = True) -> Iterator[Token]:
    """Tokens of ``text`` (depth 0; see :func:`tokenize`), escapes left as they are.

    Raises:
        QueryTextError: unterminated string; when ``strict``, also a backslash outside
            strings, IRIs and names, an unknown bare word, a prefix containing a keyword.
    """
    levels = [_Level("", False)]
    prev: Token | None = None
    before: Token | None = None
    pos = 0
    length = len(text)
    while pos < length:
        char = text[pos]
        level = levels[-1]
        kind = ""
        end = pos
        if char == "<":
            if level.expression and _ends_operand(prev):
                kind, end = "op", pos + (2 if text.startswith("<=", pos) else 1)
            else:
                iri = _IRIREF.match(text, pos)
                if iri is not None:
                    kind, end = "iri", iri.end()
        if not kind:
            match = _LEX.match(text, pos)
            if match is not None:
                kind = (match.lastgroup or "op").rstrip("0123456789")
                end = match.end()
            elif char in "\"'":
                raise QueryTextError(f"unterminated string starting at {position(text, pos)}")
            elif char == "\\" and strict:
                raise QueryTextError(
                    f"a backslash at {position(text, pos)} is outside any string, IRI or prefixed "
                    "name: code point escapes (\\u, \\U) are only accepted inside strings and IRIs"
                )
            else:
                kind, end = "op", pos + 1
        if kind == "ws":
            pos = end
            continue
        tok = Token(kind, text[pos:end], pos, end, 0)
        if kind == "comment":  # yielded so that canonicalise() can blank it; not a token
            yield tok
            pos = end
            continue
        if kind == "name":
            if strict:
                _check_name(tok, text)
            if not level.expression:
                kw = tok.keyword
                if kw == "SELECT":
                    level.clause = "select"
                elif kw in ("GROUP", "ORDER", "HAVING"):
                    level.clause = "modifier"
                elif kw in ("WHERE", "VALUES", "LIMIT", "OFFSET", "FROM"):
                    level.clause = ""
        elif kind == "open":
            if char == "(":
                levels.append(_Level("(", _opens_expression(level, prev, before)))
            else:
                level.clause = ""
                levels.append(_Level(char, False))
        elif kind == "close" and len(levels) > 1:
            levels.pop()
        yield tok
        before, prev = prev, tok
        pos = end


def _opens_expression(level: _Level, prev: Token | None, before: Token | None) -> bool:
    """Whether a ``(`` after ``prev`` (and ``before``) opens an expression (or argument list)."""
    if prev is not None and prev.text == "<<":  # an RDF 1.2 triple term <<( s p o )>>
        return False
    if level.expression or level.clause in ("select", "modifier"):
        return True
    if prev is None:
        return False
    if prev.keyword:
        return prev.keyword not in _NOT_CALLS
    if prev.kind == "iri" or (prev.kind == "name" and ":" in prev.text):
        return before is not None and before.keyword == "FILTER"  # FILTER <f>(...)
    return False


def _check_name(tok: Token, text: str) -> None:
    if ":" not in tok.text:
        if tok.text.upper() not in KEYWORDS:
            raise QueryTextError(
                f"query syntax error at {position(text, tok.start)}: {tok.text[:40]!r} is not a "
                "SPARQL keyword "
                "(keywords must be separated by spaces)"
            )
        return
    prefix = tok.text.partition(":")[0].upper()
    for word in GLUED_KEYWORDS:
        if word in prefix:
            raise QueryTextError(
                f"prefix {prefix.lower()[:40]!r}: at {position(text, tok.start)} contains "
                f"{word}; write a space after {word} (prefix names may not contain it)"
            )


def position(text: str, offset: int) -> str:
    """``line:column`` (1-based) of a character offset, as parsers report positions.

    >>> position("ab" + chr(10) + "c", 4)
    '2:2'
    """
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


#: stack cost of one construct, in bytes of pyoxigraph's parser stack, measured with
#: separators and operators a parser recurses on: binary and unary operators, path
#: operators, object / predicate / argument lists (``?s ?p 1,1,1...`` overflows too)
OPERATORS = frozenset("+ - * / | ^ ! && || = != < <= > >= , ;".split())
#: cost of one link of a chain, relative to a ``+``: pyoxigraph overflows an 8 MiB stack at
#: about 6,900 ``+``, 8,200 ``/`` ``,`` ``;``, 9,300 ``&&`` ``||`` ``!``, 6,600 UNION, but
#: 2,600 MINUS or BIND (``python -m bench.parser_depth``); a property path of n steps takes
#: time in n^3 to evaluate (250 steps: 0.5 s, 1,000: 50 s), so ``/ | ^`` cost 4
CHAIN_COST = (
    dict.fromkeys(OPERATORS, 1)
    | dict.fromkeys(("/", "|", "^"), 4)
    | {"UNION": 1}
    | dict.fromkeys(("MINUS", "BIND", "OPTIONAL", "LATERAL", "GRAPH", "SERVICE"), 3)
)


def tokenize(
    text: str,
    max_depth: int | None = None,
    max_chain: int | None = None,
    *,
    strict: bool = False,
) -> tuple[list[Token], int]:
    """Split SPARQL text into tokens; return them and the deepest bracket nesting.

    Stops with :class:`QueryTextError` as soon as the depth passes ``max_depth`` or the cost
    of the chains along the current nesting path passes ``max_chain`` (a parser recurses once
    per bracket and once per link of a chain: ``1+1+...+1``, ``?s ?p 1,1,...``, ``{} UNION
    {} UNION...`` are as deep as ``((...))``; see :data:`CHAIN_COST`), so a hostile query
    costs no more than its first few thousand tokens. ``strict`` refuses what
    :func:`canonicalise` refuses (the guard's reading); otherwise unknown words and stray
    backslashes are mere tokens (the remote store's rewriting of riikg's own queries).

    >>> tokens, depth = tokenize('ASK { FILTER("{{{" = <urn:x>) } # {{{')
    >>> depth
    2
    """
    tokens: list[Token] = []
    depth = deepest = 0
    chains = [0]  # cost of the chain links seen at each open bracket level
    chain = 0
    for tok in lex(text, strict):
        if tok.kind == "comment":
            continue
        tokens.append(tok if depth == 0 else Token(tok.kind, tok.text, tok.start, tok.end, depth))
        if tok.kind == "open":
            depth += 1
            chains.append(0)
            if depth > deepest:
                deepest = depth
                if max_depth is not None and depth > max_depth:
                    raise QueryTextError(
                        f"query too deeply nested: more than {max_depth} levels of brackets"
                    )
        elif tok.kind == "close":
            if depth > 0:
                depth -= 1
                chain -= chains.pop()
        elif (cost := CHAIN_COST.get(tok.keyword or tok.text, 0)) and tok.kind != "string":
            chains[-1] += cost
            chain += cost
            if max_chain is not None and chain > max_chain:
                raise QueryTextError(
                    f"query too long a chain: its operators and separators (+ - * / | ^ ! && "
                    "|| = < > , ;, 4 for / | ^) and its UNION, MINUS, BIND, OPTIONAL, GRAPH, "
                    f"SERVICE (3 each) cost more than {max_chain} along one nesting path; "
                    "split it up"
                )
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
