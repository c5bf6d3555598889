"""RDF representations of a resource: every graph format of :mod:`riikg.formats` (pyoxigraph),
JSON-LD compacted with riikg's context (rdflib).

JSON-LD documents carry their ``@context`` inline (so no client ever has to fetch it) and
the same context is published at ``/context.jsonld`` for reuse.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from riikg import formats
from riikg.formats import Format
from riikg.namespaces import PREFIXES


def context() -> dict[str, Any]:
    """The JSON-LD context riikg publishes: every prefix of ``riikg.namespaces.PREFIXES``."""
    return {"@context": dict(PREFIXES)}


def serialize(triples: list[ox.Triple], fmt: Format) -> bytes:
    """Serialise triples in one graph format (prefixes where the format has them)."""
    if fmt is formats.JSONLD:
        return _jsonld(triples)
    return ox.serialize(triples, format=fmt.rdf, prefixes=dict(PREFIXES)) or b""


def _jsonld(triples: list[ox.Triple]) -> bytes:
    nt = ox.serialize(triples, format=formats.NTRIPLES.rdf) or b""
    graph = Graph()
    graph.parse(data=nt.decode("utf-8"), format=formats.NTRIPLES.rdflib_name)
    text = graph.serialize(
        format=formats.JSONLD.rdflib_name, context=context()["@context"], auto_compact=True
    )
    doc = json.loads(text)
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
