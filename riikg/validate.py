"""Thin wrapper over ``pyshacl.validate`` with reports people can act on.

Shapes and the ontology come only from the repository (``shapes/``, ``ontology/``), parsed
from bytes; ``owl:imports`` are never followed and no URL is fetched (docs/security.md A6, A7).

What the shapes see (the data graph handed to pyshacl):

* the source graph itself;
* ``context``: reference triples the source points to, fetched from the store by the
  pipeline (NUTS regions and their parents, RIS3 strategies and the regions they cover);
* the descriptions of the vocabulary concepts (``ontology/vocab/*.ttl``) that the source or
  the context references, so "the KET must be in the KET scheme" is checked without a store;
* the ``rdfs:subClassOf`` / ``rdfs:subPropertyOf`` axioms of ``ontology/riikg.ttl``, so that
  ``sh:targetClass`` and ``sh:class`` see subclasses (a ``riikg:HostOrganisation`` is an
  ``org:Organization``, a ``riikg:RIS3Priority`` a ``skos:Concept``).

pyshacl's own ``ont_graph`` is not used: it copies only OWL/RDFS declarations into the data
graph ("inoculation"), so SKOS concepts passed that way are invisible to the shapes.
Everything added is proportional to what the source references, so validation cost follows
the size of the source, not of the store or of the vocabularies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from riikg.namespaces import RIIKG, curie
from riikg.resources import ontology_dir, shapes_dir
from riikg.sources import SourceGraph

#: prefix of the shapes' IRIs (``shapes/*.shapes.ttl``)
SHAPES_NS = "https://w3id.org/riikg/shapes/"
_VALUE_CHARS = 80
#: vocabulary links followed when collecting referenced concepts (collections, hierarchies)
_FOLLOW = (SKOS.member, SKOS.broader)


def _parse_files(paths: list[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(data=path.read_bytes(), format="turtle", publicID=path.as_uri())
    return graph


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """All shapes in ``shapes/`` (parsed once per process)."""
    return _parse_files(sorted(shapes_dir().rglob("*.ttl")))


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The ontology, its alignments and the vocabularies in ``ontology/`` (parsed once)."""
    return _parse_files(sorted(ontology_dir().rglob("*.ttl")))


@lru_cache(maxsize=1)
def vocabulary_graph() -> Graph:
    """The controlled vocabularies (``ontology/vocab/*.ttl``), parsed once."""
    return _parse_files(sorted((ontology_dir() / "vocab").glob("*.ttl")))


@lru_cache(maxsize=1)
def _hierarchy() -> tuple[tuple[Node, Node, Node], ...]:
    """Sub-class and sub-property axioms of riikg terms (from ``ontology/riikg.ttl``)."""
    onto = _parse_files([ontology_dir() / "riikg.ttl"])
    out = []
    for pred in (RDFS.subClassOf, RDFS.subPropertyOf):
        for s, o in onto.subject_objects(pred):
            if isinstance(s, URIRef) and str(s).startswith(str(RIIKG)):
                out.append((s, pred, o))
    return tuple(out)


def reference_graph(data: Graph, context: Graph | None = None) -> Graph:
    """Vocabulary descriptions and class axioms the shapes need next to ``data``.

    Only the vocabulary concepts that ``data`` (or ``context``) references are included.
    """
    vocab = vocabulary_graph()
    out = Graph()
    for triple in _hierarchy():
        out.add(triple)
    seen: set[URIRef] = set()
    todo: list[URIRef] = []
    for graph in (data, context) if context is not None else (data,):
        for o in graph.objects():
            if isinstance(o, URIRef) and o not in seen:
                seen.add(o)
                todo.append(o)
    while todo:  # vocabulary IRIs that described vocabulary IRIs point to (collections)
        node = todo.pop()
        for p, v in vocab.predicate_objects(node):
            out.add((node, p, v))
            if isinstance(v, URIRef) and v not in seen and p in _FOLLOW:
                seen.add(v)
                todo.append(v)
    return out


@dataclass(frozen=True)
class Finding:
    """One validation result, flattened.

    Attributes:
        severity: ``"Violation"``, ``"Warning"`` or ``"Info"``.
        focus: the entity the result is about (IRI or blank node id).
        path: the property (full IRI), if the result is about one.
        message: what is expected.
        shape: the shape that produced it (IRI), if named.
        value: the offending value, if any.
        location: ``file:row:column`` (or line) of the entity or value in the input.
    """

    severity: str
    focus: str
    path: str | None
    message: str
    shape: str | None
    value: str | None
    location: str | None

    @property
    def path_label(self) -> str | None:
        """The path as a prefixed name (``skos:prefLabel``), for people."""
        if not self.path:
            return None
        inverse = self.path.startswith("^")
        text = " / ".join(curie(p) for p in self.path.lstrip("^").split(" / "))
        return f"^{text}" if inverse else text

    @property
    def shape_label(self) -> str | None:
        """The shape's local name (``RI-prefLabel``)."""
        if self.shape and self.shape.startswith(SHAPES_NS):
            return self.shape[len(SHAPES_NS) :]
        return self.shape

    def describe(self) -> str:
        """One line: location, severity, path, value, message and shape."""
        parts = [f"{self.location}: " if self.location else "", self.severity]
        if self.path_label:
            parts.append(f" [{self.path_label}]")
        if self.value is not None:
            parts.append(f" value {_clip(self.value)!r}")
        parts.append(f": {self.message}")
        if self.shape_label:
            parts.append(f" (shape {self.shape_label})")
        return "".join(parts)


def _clip(text: str) -> str:
    return text if len(text) <= _VALUE_CHARS else text[:_VALUE_CHARS] + "…"


@dataclass
class Outcome:
    """What validation found. ``conforms`` is False only when there are violations."""

    conforms: bool
    report: Graph
    findings: list[Finding] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "Violation"]

    def by_shape(self) -> dict[str, int]:
        """Number of findings per shape (local name), most frequent first."""
        counts: dict[str, int] = defaultdict(int)
        for f in self.findings:
            counts[f.shape_label or "(unnamed shape)"] += 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def summary(self, limit: int = 50) -> str:
        """Findings grouped by entity, violations first, each line led by its source location."""
        by_focus: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            by_focus[f.focus].append(f)
        lines = [f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"]
        shown = 0
        order = sorted(
            by_focus.items(),
            key=lambda kv: (not any(f.severity == "Violation" for f in kv[1]), kv[0]),
        )
        for focus, items in order:
            lines.append(f"  {focus}")
            for f in sorted(items, key=lambda x: (x.severity != "Violation", x.path or "")):
                lines.append(f"    {f.describe()}")
                shown += 1
                if shown >= limit:
                    lines.append(f"    … {len(self.findings) - shown} more")
                    return "\n".join(lines)
        return "\n".join(lines)


def validate(data: Graph, *, context: Graph | None = None) -> Outcome:
    """Validate ``data`` (plus read-only ``context`` such as referenced reference data).

    Args:
        data: the source graph; a :class:`SourceGraph` lets findings carry file:row:column.
        context: triples the data points to (NUTS regions, strategies) that the shapes need
            to see; they are validated as part of the data graph but are already in the store.

    Returns:
        The outcome; violations make ``conforms`` False, warnings do not.
    """
    target = Graph()
    for triple in data:
        target.add(triple)
    if context is not None:
        for triple in context:
            target.add(triple)
    for triple in reference_graph(data, context):
        target.add(triple)
    _, report, _ = pyshacl.validate(
        target,
        shacl_graph=shapes_graph(),
        ont_graph=None,
        inference="none",
        advanced=True,
        allow_warnings=True,
        do_owl_imports=False,
        js=False,
        inplace=True,
    )
    findings = _findings(report, data)
    conforms = not any(f.severity == "Violation" for f in findings)
    return Outcome(conforms=conforms, report=report, findings=findings)


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, Literal):
        return str(node) + (f"@{node.language}" if node.language else "")
    return str(node)


def _path_text(report: Graph, path: Node | None) -> str | None:
    """A result path as text: an IRI, ``^IRI`` for an inverse path, ``a / b`` for a sequence."""
    if isinstance(path, URIRef):
        return str(path)
    if path is None:
        return None
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        inner = _path_text(report, inverse)
        return f"^{inner}" if inner else None
    if report.value(path, RDF.first) is not None:
        parts = [_path_text(report, p) for p in Collection(report, path)]
        return " / ".join(p for p in parts if p) or None
    return None


def _named_shape(shape: Node | None) -> Node | None:
    """A blank property shape is reported by the named shape that holds it."""
    if shape is None or isinstance(shape, URIRef):
        return shape
    for owner in shapes_graph().subjects(SH.property, shape):
        if isinstance(owner, URIRef):
            return owner
    return shape


def _findings(report: Graph, data: Graph) -> list[Finding]:
    out: list[Finding] = []
    for result in list(report.subjects(RDF.type, SH.ValidationResult)):
        severity = report.value(result, SH.resultSeverity)
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        if value == focus:
            value = None  # node-level results repeat the focus node as value
        location = None
        if isinstance(data, SourceGraph) and isinstance(focus, URIRef):
            loc = data.location_of(focus, path if isinstance(path, URIRef) else None)
            location = str(loc) if loc else None
        if location:
            report.add((result, RIIKG.sourceLocation, Literal(location)))
        shape = _named_shape(report.value(result, SH.sourceShape))
        out.append(
            Finding(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=str(focus),
                path=_path_text(report, path),
                message=str(report.value(result, SH.resultMessage) or "constraint not met"),
                shape=str(shape) if isinstance(shape, URIRef) else None,
                value=_text(value),
                location=location,
            )
        )
    out.sort(key=lambda f: (f.severity != "Violation", f.focus, f.path or "", f.value or ""))
    return out
