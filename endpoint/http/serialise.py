"""RDF representations of a resource: Turtle, N-Triples, RDF/XML (pyoxigraph) and JSON-LD.

JSON-LD documents carry their ``@context`` inline (so no client ever has to fetch it) and
the same context is published at ``/context.jsonld`` for reuse.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from endpoint.http.negotiate import FORMATS, Representation
from riikg.namespaces import PREFIXES

_OX_FORMATS = {
    Representation.TURTLE: ox.RdfFormat.TURTLE,
    Representation.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    Representation.RDFXML: ox.RdfFormat.RDF_XML,
}
RDF_REPRESENTATIONS = (
    Representation.TURTLE,
    Representation.JSONLD,
    Representation.NTRIPLES,
    Representation.RDFXML,
)


def context() -> dict[str, Any]:
    """The JSON-LD context riikg publishes: every prefix of ``riikg.namespaces.PREFIXES``."""
    return {"@context": dict(PREFIXES)}


def media_type(rep: Representation) -> str:
    info = FORMATS[rep]
    charset = "; charset=utf-8" if rep is not Representation.RDFXML else ""
    return info.media_type + charset


def serialize(triples: list[ox.Triple], rep: Representation) -> bytes:
    """Serialise triples in one RDF representation."""
    if rep is Representation.JSONLD:
        return _jsonld(triples)
    fmt = _OX_FORMATS[rep]
    prefixes = dict(PREFIXES) if rep is not Representation.NTRIPLES else None
    kwargs: dict[str, Any] = {"format": fmt}
    if prefixes:
        kwargs["prefixes"] = prefixes
    out = ox.serialize(triples, **kwargs)
    return out if out is not None else b""


def _jsonld(triples: list[ox.Triple]) -> bytes:
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    graph = Graph()
    graph.parse(data=nt.decode("utf-8"), format="nt")
    text = graph.serialize(format="json-ld", context=context()["@context"], auto_compact=True)
    doc = json.loads(text)
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
