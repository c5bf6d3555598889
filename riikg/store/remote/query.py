"""Queries for a remote server: bindings written into the text, the dataset as protocol
fields, and the server's answers read back with pyoxigraph (never trusted blindly).

Bindings become a ``VALUES`` block injected as the first element of the outermost WHERE
group, with each term in its (escaped) N-Triples form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from riikg import formats
from riikg.sparql.text import QueryForm, QueryTextError, tokenize
from riikg.sparql.text import query_form as sparql_query_form
from riikg.store.base import QueryFailed, Term, is_rdf

READ_FORMS = (QueryForm.SELECT, QueryForm.ASK, QueryForm.CONSTRUCT, QueryForm.DESCRIBE)
_XML_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


# ---- the text -----------------------------------------------------------------------------
def _tokens(query: str) -> Iterable[tuple[int, str]]:
    """The braces and bare words of ``query`` (outside strings, IRIs and comments), with
    their offsets: all the rewriting needs."""
    try:
        tokens = tokenize(query)[0]
    except QueryTextError as exc:
        raise QueryFailed(f"cannot read the query: {exc}") from exc
    for tok in tokens:
        if tok.text in ("{", "}") or (tok.kind == "name" and ":" not in tok.text):
            yield tok.start, tok.text


def query_form(query: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` (None when none is found)."""
    try:
        form = sparql_query_form(tokenize(query)[0])
    except QueryTextError:
        return None
    return form.value if form in READ_FORMS else None


def _term_text(name: str, term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        raise QueryFailed(f"binding ?{name}: blank nodes cannot be bound in a remote query")
    if not isinstance(term, ox.NamedNode | ox.Literal):
        raise QueryFailed(f"binding ?{name}: {type(term).__name__} is not an RDF term")
    return str(term)


def inject_values(query: str, bindings: Mapping[str, Term]) -> str:
    """Return ``query`` with ``VALUES (?a ?b) { (t1 t2) }`` first in its outermost WHERE group.

    >>> inject_values("SELECT * WHERE { ?s ?p ?o }", {"s": ox.NamedNode("http://x/a")})
    'SELECT * WHERE { VALUES (?s) { (<http://x/a>) } ?s ?p ?o }'
    """
    if not bindings:
        return query
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise QueryFailed(f"binding name {name!r} is not a SPARQL variable name")
    values = (
        "VALUES ("
        + " ".join(f"?{k}" for k in bindings)
        + ") { ("
        + " ".join(_term_text(k, v) for k, v in bindings.items())
        + ") }"
    )
    form = None
    depth = 0
    template: tuple[int, int] | None = None
    short_construct = False
    where_pos = 0
    for pos, tok in _tokens(query):
        if form is None:
            upper = tok.upper()
            if upper in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}:
                form = upper
            continue
        if form == "CONSTRUCT" and template is None and depth == 0:
            if tok.upper() == "WHERE" and not short_construct:
                short_construct = True
                where_pos = pos
                continue
            if tok == "{" and not short_construct:
                template = (pos, -1)
                depth = 1
                continue
            if tok == "{" and short_construct:
                # CONSTRUCT WHERE { T }  ==  CONSTRUCT { T } WHERE { T }
                end = _matching_brace(query, pos)
                body = query[pos + 1 : end]
                return (
                    query[:where_pos] + f"{{{body}}} WHERE {{ {values} {body}}}" + query[end + 1 :]
                )
        if tok == "{":
            if depth == 0 and (form != "CONSTRUCT" or template is not None):
                rest = query[pos + 1 :]
                return query[: pos + 1] + " " + values + ("" if rest[:1].isspace() else " ") + rest
            depth += 1
        elif tok == "}":
            depth -= 1
    raise QueryFailed("cannot bind variables: no WHERE group found in the query")


def _matching_brace(query: str, open_pos: int) -> int:
    depth = 0
    for pos, tok in _tokens(query[open_pos:]):
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth == 0:
                return open_pos + pos
    raise QueryFailed("unbalanced braces in the query")


def iri(value: str) -> str:
    """The IRI, validated (pyoxigraph refuses characters that would break out of ``<>``)."""
    return ox.NamedNode(value).value


def string(value: str) -> str:
    """``value`` as a SPARQL string literal, escaped."""
    return str(ox.Literal(value))


def dataset_fields(
    base: str, default_graphs: Sequence[str], named_graphs: Sequence[str]
) -> list[tuple[str, str]]:
    """The protocol fields that give a query its dataset on every server."""
    # an empty list would mean "the server's default"; name a graph that never exists
    empty = f"{base}graph/none"
    fields = [("default-graph-uri", g) for g in (default_graphs or [empty])]
    fields += [("named-graph-uri", g) for g in (named_graphs or [empty])]
    return fields


# ---- the answers --------------------------------------------------------------------------
def answer_format(media: str, wanted: formats.Format, mismatch: str = "") -> formats.Format:
    """The format of an answer the server labelled ``media`` when ``wanted`` was asked for;
    an ambiguous media type (``text/plain``, XML) is read as the kind that was asked for.

    Raises:
        QueryFailed: the server answered the other kind (``mismatch``, or a message naming
            both), or a media type riikg cannot read.
    """
    rdf = is_rdf(wanted)
    kinds = (formats.Kind.GRAPH, formats.Kind.DATASET, formats.Kind.RESULTS)
    for kind in kinds if rdf else kinds[::-1]:
        fmt = formats.by_media_type(media, kind)
        if fmt is None or fmt.oxigraph is None:
            continue
        if is_rdf(fmt) != rdf:
            answered = "CONSTRUCT/DESCRIBE" if is_rdf(fmt) else "SELECT/ASK"
            raise QueryFailed(mismatch or f"{wanted.media_type} cannot carry {answered} results")
        return fmt
    raise QueryFailed(f"the server answered {media or 'no media type'} to the query")


def parse_results(body: bytes, fmt: formats.Format) -> Any:
    """SELECT / ASK results (``QuerySolutions`` or ``QueryBoolean``) from the server's answer."""
    if fmt is formats.SPARQL_XML and _XML_DTD.search(body[:4096]):
        raise QueryFailed("the server answered XML with a DTD; refused")
    try:
        return ox.parse_query_results(body, format=fmt.results)
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryFailed(f"cannot read the server's {fmt.media_type} answer: {exc}") from exc


def parse_triples(body: bytes, fmt: formats.Format) -> list[ox.Triple]:
    """The triples of a CONSTRUCT / DESCRIBE answer."""
    if fmt is formats.RDFXML and _XML_DTD.search(body[:4096]):
        raise QueryFailed("the server answered RDF/XML with a DTD; refused")
    try:
        return [q.triple for q in ox.parse(body, format=fmt.rdf)]
    except (SyntaxError, ValueError, OSError) as exc:
        raise QueryFailed(f"cannot read the server's {fmt.media_type} answer: {exc}") from exc
