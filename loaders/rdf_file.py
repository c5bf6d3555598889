"""RDF files in every standard syntax, parsed safely from bytes with pyoxigraph.

* The syntax comes from the extension (those of ``riikg.formats``: ``.ttl .turtle .nt .nq
  .trig .rdf .owl .xml .jsonld .json-ld``) or the source option ``format`` (``turtle``,
  ``n-triples``, ``n-quads``, ``trig``, ``rdf/xml``, ``json-ld``).
* Relative IRIs resolve against the store's base IRI, so ``<id/infrastructure/x>`` in a
  file becomes ``{base}id/infrastructure/x``.
* N-Quads and TriG: the graph names are dropped and **every triple goes into the source's
  one named graph** (a source is one graph; its provenance describes the whole file).
* RDF/XML: any ``<!DOCTYPE`` or ``<!ENTITY`` is refused before a parser sees the bytes
  (billion laughs, XXE).
* JSON-LD: ``@context`` may be an inline object or the bundled context
  (``https://w3id.org/riikg/context.jsonld`` or ``riikg-context.jsonld``); any other
  reference is refused, never fetched.
* Errors say ``file:line:column: expected well-formed …`` and never quote the input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from loaders.tables import location_at, parse_json, read_bytes
from loaders.values import show
from riikg import formats
from riikg.errors import LoadError, Location
from riikg.formats import Format, Kind
from riikg.namespaces import JSONLD_CONTEXT
from riikg.resources import data_dir
from riikg.sources import Source, SourceGraph

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
#: context references that mean the bundled context
LOCAL_CONTEXTS = (JSONLD_CONTEXT, "riikg-context.jsonld", "./riikg-context.jsonld")


def syntax_name(fmt: Format) -> str:
    """How errors and the ``format`` option name a syntax: ``turtle``, ``rdf/xml``, ``json-ld``…"""
    return fmt.rdf.name.lower()


def extensions() -> list[str]:
    """The file extensions of RDF files, sorted (``.jsonld``, ``.owl``, ``.ttl``…)."""
    return sorted(f".{e}" for f in formats.of_kind(Kind.DATASET) for e in (f.key, *f.extensions))


def syntax_of(path: Path, option: str | None = None) -> Format:
    """The RDF syntax of a file, from the ``format`` option or the extension.

    Only the last extension counts: a compressed file (``x.ttl.gz``) is not an RDF file.
    """
    syntaxes = formats.of_kind(Kind.DATASET)
    if option:
        found = next((f for f in syntaxes if syntax_name(f) == option.lower()), None)
        if found is None:
            known = ", ".join(syntax_name(f) for f in syntaxes)
            raise LoadError(str(path), f"format option: one of {known}")
        return found
    fmt = formats.by_extension(path.suffix, Kind.DATASET)
    if fmt is None:
        raise LoadError(str(path), f"an RDF file extension ({', '.join(extensions())})")
    return fmt


@lru_cache(maxsize=1)
def bundled_context() -> Any:
    """The ``@context`` value of ``data/templates/riikg-context.jsonld``."""
    doc = json.loads((data_dir() / "templates" / "riikg-context.jsonld").read_text("utf-8"))
    return doc["@context"]


def _pointer(path: Iterable[str | int]) -> str:
    return "/" + "/".join(str(p) for p in path)


def _resolve_contexts(node: Any, name: str, path: tuple[str | int, ...] = ()) -> Any:
    """Replace references to the bundled context; refuse any other context reference."""
    if isinstance(node, list):
        return [_resolve_contexts(v, name, (*path, i)) for i, v in enumerate(node)]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        where = path + (key,)
        if key == "@context":
            out[key] = _context_value(value, name, where)
        elif key == "@import":
            raise LoadError(
                Location(name, column_name=_pointer(where)),
                "no @import in a JSON-LD context (remote contexts are never fetched)",
            )
        else:
            out[key] = _resolve_contexts(value, name, where)
    return out


def _context_value(value: Any, name: str, path: tuple[str | int, ...]) -> Any:
    if isinstance(value, str):
        if value in LOCAL_CONTEXTS:
            return bundled_context()
        raise LoadError(
            Location(name, column_name=_pointer(path)),
            f"an inline @context or the bundled one ({JSONLD_CONTEXT}); remote contexts "
            f"are never fetched (got {show(value)})",
        )
    if isinstance(value, list):
        return [_context_value(v, name, (*path, i)) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return _resolve_contexts(value, name, path)
    return value


def prepare_jsonld(data: bytes, name: str) -> bytes:
    """JSON-LD bytes with the bundled context inlined; refuses remote contexts."""
    doc = parse_json(data, name)
    try:
        resolved = _resolve_contexts(doc, name)
        return json.dumps(resolved).encode("utf-8")
    except RecursionError:
        raise LoadError(name, "JSON-LD nested less deeply (too many levels)") from None


def check_xml(data: bytes, name: str) -> None:
    """Refuse DTDs and entity declarations before any XML parser sees the bytes."""
    match = _DTD.search(data)
    if match:
        raise LoadError(
            location_at(name, data, match.start()),
            "RDF/XML without <!DOCTYPE or <!ENTITY declarations (DTDs are not allowed)",
        )


def parse_rdf(data: bytes, syntax: Format, name: str, base_iri: str) -> list[ox.Quad]:
    """Parse bytes to pyoxigraph quads with located, content-free errors."""
    if syntax is formats.RDFXML:
        check_xml(data, name)
    if syntax is formats.JSONLD:
        data = prepare_jsonld(data, name)
    what = syntax_name(syntax)
    try:
        return list(ox.parse(data, format=syntax.rdf, base_iri=base_iri))
    except SyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        column = exc.offset if line and isinstance(exc.offset, int) else None
        hint = " (the file ends too early)" if "end of file" in str(exc).lower() else ""
        raise LoadError(
            Location(name, line=line, column=column), f"well-formed {what}{hint}"
        ) from None
    except RecursionError:
        raise LoadError(name, f"{what} nested less deeply") from None
    except (ValueError, OSError) as exc:
        raise LoadError(name, f"well-formed {what} ({type(exc).__name__})") from None


def to_rdflib(term: Any) -> Any:
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # rdflib writes simple literals untyped
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise LoadError("rdf", "no RDF-star quoted triples")


def add_quads(graph: SourceGraph, quads: Iterable[ox.Quad], name: str) -> None:
    """Add the triples of ``quads`` (graph names dropped) and locate each subject in ``name``.

    IRIs are kept as they are (``javascript:`` included: the shapes refuse such homepages and
    the web layer links only http(s) IRIs).
    """
    where = Location(name)
    located: set[Any] = set()
    for q in quads:
        s = to_rdflib(q.subject)
        graph.add((s, to_rdflib(q.predicate), to_rdflib(q.object)))
        if isinstance(s, URIRef) and s not in located:
            located.add(s)
            graph.locate(s, None, where)


def load_rdf_file(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Loader ``rdf_file``: every file of the source, in any RDF syntax, into one graph."""
    option = source.options.get("format")
    for path in source.files:
        syntax = syntax_of(path, str(option) if option else None)
        quads = parse_rdf(read_bytes(path), syntax, path.name, base_iri)
        add_quads(graph, quads, path.name)
    return graph
