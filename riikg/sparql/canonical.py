"""The canonical form of a SPARQL query text: the only text the public endpoint checks and runs.

Why canonicalise: a guard that reads the text differently from the engine can be
desynchronised, and whatever follows the point where the two readings part is invisible to
the guard (an escaped quote that ends a string for one and not for the other, a ``\\u0041``
inside an IRI that one reads as an IRI and the other as an IRI-less ``#`` comment...).
:func:`canonicalise` removes every source of disagreement instead of guessing at it:

* no ``\\uXXXX``/``\\UXXXXXXXX`` escape survives: inside strings it becomes the character
  (or an ECHAR such as ``\\"``, ``\\\\``, ``\\n``), inside IRIs the character when IRIREF
  allows it (else the text is refused); outside strings and IRIs it is refused (pyoxigraph
  rejects it, an engine that decodes escapes globally would read something else);
* comments become spaces (``# \\u000A SERVICE...`` hides nothing from an engine that
  decodes escapes everywhere);
* a ``<`` that pyoxigraph reads as a comparison (after an operand, inside an expression) is
  followed by a space, so a longest-match lexer cannot read an IRI there either;
* bare words must be SPARQL keywords and prefixes must not contain ``SERVICE``, ``FROM`` or
  ``NAMED``: pyoxigraph needs no space after a keyword (``SERVICEex:x`` is ``SERVICE ex:x``
  to it). The lexer (:mod:`riikg.sparql.text`) refuses these in its strict reading.
"""

from __future__ import annotations

import re

from riikg.sparql.text import ECHAR, UCHAR, QueryTextError, lex, position

_ESCAPE = re.compile(UCHAR)
_IRI_FORBIDDEN = frozenset('<>"{}|^`\\')


def _decode(match: re.Match[str]) -> str:
    digits = match.group()[2:]
    code = int(digits, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise QueryTextError(f"{match.group()} is not a Unicode code point")
    return chr(code)


_STRING_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", '"': '\\"', "'": "\\'"}


def _canonical_string(text: str) -> str:
    quote = text[0]
    width = 3 if text.startswith(quote * 3) else 1
    body = text[width:-width]
    out: list[str] = []
    i = 0
    for match in re.finditer(f"{ECHAR}|{UCHAR}", body):
        out.append(body[i : match.start()])
        esc = match.group()
        if esc[1] in "uU":
            char = _decode(match)
            out.append(_STRING_ESCAPES.get(char, char))
        else:
            out.append(esc)
        i = match.end()
    out.append(body[i:])
    return text[:width] + "".join(out) + text[-width:]


def _canonical_iri(text: str, where: str) -> str:
    body = _ESCAPE.sub(_decode, text[1:-1])
    for char in body:
        if char in _IRI_FORBIDDEN or ord(char) <= 0x20:
            raise QueryTextError(
                f"the IRI at {where} contains an escaped {char!r}, which IRIs may not contain"
            )
    return "<" + body + ">"


def canonicalise(text: str) -> str:
    r"""The text with every ``\u`` escape resolved, so that any SPARQL engine reads the
    tokens this module reads (see the module's docstring).

    >>> canonicalise(r'ASK { <http://x/\u0041#> ?p "a\u0022b" FILTER(?p<?q) }')
    'ASK { <http://x/A#> ?p "a\\"b" FILTER(?p< ?q) }'
    """
    out: list[str] = []
    last = 0
    for tok in lex(text):
        if tok.kind == "comment":  # an engine that decodes \u000A everywhere ends it early
            new = " " * len(tok.text)
        elif tok.kind == "string" and "\\" in tok.text:
            new = _canonical_string(tok.text)
        elif tok.kind == "iri" and "\\" in tok.text:
            new = _canonical_iri(tok.text, position(text, tok.start))
        elif tok.kind == "op" and tok.text.startswith("<") and tok.text in ("<", "<="):
            after = text[tok.end : tok.end + 1]
            new = tok.text if after in ("", " ", "\t", "\n", "\r") else tok.text + " "
        else:
            continue
        if new != tok.text:
            out.append(text[last : tok.start])
            out.append(new)
            last = tok.end
    out.append(text[last:])
    return "".join(out)
