"""Canonical N-Triples for the dumps: sorted distinct lines with stable blank node labels,
the files made of them (Turtle, deterministic gzip) and their VoID statistics.

Blank nodes get canonical labels (RDFC-1.0 via pyoxigraph), lines are sorted and gzip is
written with mtime 0 and no file name, so unchanged data gives byte-identical files
(``endpoint.catalog.dumps`` publishes them).
"""

from __future__ import annotations

import gzip
import io
import itertools
from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import RDF

from riikg.namespaces import MERIL, NUTS_CODE, PREFIXES, RIIKG, WIKIDATA
from riikg.store import RdfFormat, Store

RDF_TYPE = str(RDF.type)
#: link targets counted for VoID linksets: name -> namespace
LINK_TARGETS = {"nuts": NUTS_CODE, "wikidata": str(WIKIDATA), "meril": MERIL}
EXAMPLE_CLASS = str(RIIKG.ResearchInfrastructure)
MAX_EXAMPLES = 3


@dataclass
class GraphStats:
    """VoID statistics of a set of triples."""

    triples: int = 0
    entities: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)
    links: dict[str, dict[str, int]] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)


# ---- canonical serialisation -------------------------------------------------------------
def graph_ntriples(store: Store, graph: str) -> bytes:
    """One named graph as N-Triples (the store's own serialiser)."""
    return store.dump(graph, RdfFormat.NTRIPLES)


def canonical_lines(data: bytes, label: str = "", graph: str | None = None) -> list[str]:
    """Distinct, sorted N-Triples lines of one graph (N-Quads lines when ``graph`` is given).

    Without blank nodes the store's lines are used as they are (fast path). Otherwise the
    graph gets RDFC-1.0 canonical blank node labels (``_:c14nN``); a ``label`` prefixes them
    (``_:{label}-c14nN``) so that graphs merged into one file never share a blank node.
    Each graph is canonicalised on its own, so an unchanged source keeps its labels even in
    the whole-graph files.
    """
    text = data.decode("utf-8")
    if "_:" in text:
        dataset = ox.Dataset(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        text = (ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b"").decode("utf-8")
        if label:
            text = "\n".join(_relabel(line, label) for line in text.split("\n") if line)
    # only LF ends a line: str.splitlines() would also cut at U+0085, U+2028, FS/GS/RS...,
    # which N-Triples leaves unescaped inside literals
    lines = text.split("\n")
    if graph:
        suffix = f" <{graph}> ."
        return sorted({line[:-2] + suffix for line in lines if line})
    unique = set(lines)
    unique.discard("")
    return sorted(unique)


def merge_sorted(runs: list[list[str]]) -> list[str]:
    """Distinct lines of several sorted lists, sorted (Timsort merges the runs)."""
    if len(runs) == 1:
        return runs[0]
    return list(dict.fromkeys(sorted(itertools.chain.from_iterable(runs))))


def _relabel(line: str, label: str) -> str:
    """Prefix the canonical blank node labels of one line (subject and object positions)."""
    s, p, o = line.split(" ", 2)
    if s.startswith("_:c14n"):
        s = f"_:{label}-{s[2:]}"
    if o.startswith("_:c14n"):
        o = f"_:{label}-{o[2:]}"
    return f"{s} {p} {o}"


def joined(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def turtle(ntriples: bytes) -> bytes:
    """Turtle in the order of the (sorted) N-Triples, with the project's prefixes."""
    parsed = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    out = ox.serialize(parsed, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return out or b""


def gzipped(data: bytes) -> bytes:
    """gzip with no file name and mtime 0: same input, same bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as gz:
        gz.write(data)
    return buf.getvalue()


# ---- statistics -----------------------------------------------------------------------------
def graph_stats(lines: list[str], base: str) -> GraphStats:
    """VoID figures of distinct N-Triples lines (subjects and predicates never hold spaces)."""
    space = f"<{base}id/"
    rdf_type = f"<{RDF_TYPE}>"
    parts = [line[:-2].split(" ", 2) for line in lines]
    subjects = {p[0] for p in parts}
    entities = {s for s in subjects if s.startswith(space)}
    properties = Counter(p[1] for p in parts)
    members: dict[str, set[str]] = {}
    for s, _, o in (p for p in parts if p[1] == rdf_type and p[2].startswith("<")):
        members.setdefault(o[1:-1], set()).add(s)
    iri_objects = [p for p in parts if p[2].startswith("<")]
    links: dict[str, dict[str, int]] = {}
    for name, ns in LINK_TARGETS.items():
        counted = Counter(p[1][1:-1] for p in iri_objects if p[2].startswith("<" + ns))
        links[name] = dict(sorted(counted.items()))
    examples = sorted(v[1:-1] for v in members.get(EXAMPLE_CLASS, set()) if v.startswith(space))
    return GraphStats(
        triples=len(lines),
        entities=len(entities),
        distinct_subjects=len(subjects),
        distinct_objects=len({p[2] for p in parts}),
        classes={c: len(m) for c, m in sorted(members.items())},
        properties={p[1:-1]: n for p, n in sorted(properties.items())},
        links=links,
        examples=(examples or sorted(e[1:-1] for e in entities))[:MAX_EXAMPLES],
    )
