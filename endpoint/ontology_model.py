"""The page model of the ontology documentation: the ontology and its vocabularies parsed from
the repository files, and what ``/ontology`` and the term pages show (terms, shapes that use
them, alignments, vocabularies). :mod:`endpoint.ontology` serves it.

The ontology is read from ``ontology/riikg.ttl``, ``ontology/alignments.ttl`` and
``ontology/vocab/*.ttl``, the shapes from ``shapes/``, parsed from bytes once per process,
never from the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from flask import request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from endpoint.http.links import href
from endpoint.state import get_settings
from riikg.namespaces import CERIF, EPOS, EURIO, ONTOLOGY, PREFIXES, RIIKG, curie
from riikg.resources import ontology_dir
from riikg.validate import SHAPES_NS, shapes_graph

NAMESPACE = str(RIIKG)
_TERM = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,80}$")
_KINDS = (
    (OWL.Class, "Class"),
    (OWL.ObjectProperty, "Object property"),
    (OWL.DatatypeProperty, "Datatype property"),
    (OWL.AnnotationProperty, "Annotation property"),
    (RDF.Property, "Property"),
)
#: shape parameters shown on term pages
_RULES = (
    SH.targetClass, SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH["class"], SH.node,
    SH.pattern, SH.minInclusive, SH.maxInclusive, SH.uniqueLang,
)  # fmt: skip
_MAPPINGS = {
    RDFS.subClassOf: "sub-class of",
    RDFS.subPropertyOf: "sub-property of",
    OWL.equivalentClass: "equivalent class",
    OWL.equivalentProperty: "equivalent property",
    SKOS.exactMatch: "exact match",
    SKOS.closeMatch: "close match",
    SKOS.broadMatch: "broad match",
    SKOS.narrowMatch: "narrow match",
    SKOS.relatedMatch: "related match",
}


@dataclass(frozen=True)
class Link:
    """Something shown on a page: its text, its IRI, and an ``href`` only if safe."""

    text: str
    iri: str
    href: str | None


@dataclass(frozen=True)
class Alignment:
    source: Link
    relation: str
    target: Link
    direction: str
    comment: str


@dataclass(frozen=True)
class ShapeUse:
    shape: str
    severity: str
    rules: str
    message: str


@dataclass
class Term:
    """A term of the ontology, as shown on its page."""

    name: str
    iri: str
    kind: str
    label: str
    definition: str
    notes: list[str] = field(default_factory=list)
    domain: list[Link] = field(default_factory=list)
    range: list[Link] = field(default_factory=list)
    supers: list[Link] = field(default_factory=list)
    subs: list[Link] = field(default_factory=list)
    inverse: list[Link] = field(default_factory=list)
    value_scheme: list[Link] = field(default_factory=list)
    alignments: list[Alignment] = field(default_factory=list)
    pidinst: list[str] = field(default_factory=list)
    shapes: list[ShapeUse] = field(default_factory=list)


@dataclass(frozen=True)
class Concept:
    code: str
    label: str
    definition: str
    link: Link


@dataclass(frozen=True)
class Vocabulary:
    label: str
    definition: str
    link: Link
    concepts: list[Concept]


def _parse(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        path = ontology_dir() / name
        graph.parse(data=path.read_bytes(), format="turtle", publicID=path.as_uri())
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, replace=True)
    graph.bind("epos", EPOS)
    graph.bind("cerif", CERIF)
    graph.bind("eurio", EURIO)
    return graph


@cache
def ontology() -> Graph:
    """``ontology/riikg.ttl`` and ``ontology/alignments.ttl``, parsed once."""
    return _parse("riikg.ttl", "alignments.ttl")


@cache
def vocabularies() -> Graph:
    """The SKOS vocabularies, parsed once."""
    names = sorted(
        p.relative_to(ontology_dir()).as_posix() for p in ontology_dir().glob("vocab/*.ttl")
    )
    return _parse(*names)


def text_of(graph: Graph, node: Node, *preds: URIRef) -> str:
    for pred in preds:
        values = list(graph.objects(node, pred))
        for value in values:
            if isinstance(value, Literal) and value.language in ("en", None):
                return str(value)
        if values:
            return str(values[0])
    return ""


@cache
def _prefixes() -> dict[str, str]:
    """Every prefix the ontology graph binds (riikg's and its own), for :func:`curie`."""
    return {prefix: str(ns) for prefix, ns in ontology().namespaces()}


def _link(node: Node, text: str = "") -> Link:
    iri = str(node)
    settings = get_settings()
    label = text or (text_of(ontology(), node, RDFS.label) if iri.startswith(NAMESPACE) else "")
    shown = label or curie(iri, _prefixes())
    return Link(shown, iri, href(iri, settings.base_iri, request.script_root))


def term_names() -> list[str]:
    """Local names of the terms declared in ``ontology/riikg.ttl``."""
    names = {
        str(s)[len(NAMESPACE) :]
        for s in ontology().subjects(RDFS.isDefinedBy, ONTOLOGY)
        if isinstance(s, URIRef) and str(s).startswith(NAMESPACE)
    }
    return sorted(names, key=str.lower)


def _shape_uses(iri: URIRef, is_class: bool) -> list[ShapeUse]:
    sg = shapes_graph()
    uses: list[ShapeUse] = []
    shapes: set[Node] = set()
    if is_class:
        shapes |= set(sg.subjects(SH.targetClass, iri)) | set(sg.subjects(SH["class"], iri))
    else:
        shapes |= set(sg.subjects(SH.path, iri))
        shapes |= {s for b in sg.subjects(SH.inversePath, iri) for s in sg.subjects(SH.path, b)}
        shapes |= set(sg.subjects(SH.targetSubjectsOf, iri))
    for shape in shapes:
        named = shape
        if isinstance(shape, BNode):
            named = next(
                (o for o in sg.subjects(SH.property, shape) if isinstance(o, URIRef)), shape
            )
        if not isinstance(named, URIRef) or not str(named).startswith(SHAPES_NS):
            continue
        rules = []
        for pred in _RULES:
            for value in sg.objects(shape, pred):
                shown = curie(str(value), _prefixes()) if isinstance(value, URIRef) else str(value)
                rules.append(f"{curie(str(pred), _prefixes())} {shown}")
        severity = sg.value(shape, SH.severity)
        uses.append(
            ShapeUse(
                shape=str(named)[len(SHAPES_NS) :],
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                rules=", ".join(sorted(rules)),
                message=text_of(sg, shape, SH.message)
                if (shape, RDF.type, SH.PropertyShape) in sg or isinstance(shape, BNode)
                else text_of(sg, shape, RDFS.label),
            )
        )
    return sorted(uses, key=lambda u: (u.shape, u.rules))


def describe_term(name: str) -> Term | None:
    """The page model of one term, or None if the ontology does not declare it."""
    if not _TERM.match(name) or name not in term_names():
        return None
    g = ontology()
    iri = RIIKG[name]
    kind = next((label for cls, label in _KINDS if (iri, RDF.type, cls) in g), "Term")
    sup = RDFS.subClassOf if kind == "Class" else RDFS.subPropertyOf
    term = Term(
        name=name,
        iri=str(iri),
        kind=kind,
        label=text_of(g, iri, RDFS.label),
        definition=text_of(g, iri, SKOS.definition, RDFS.comment),
        notes=[str(n) for p in (SKOS.scopeNote, RDFS.comment) for n in g.objects(iri, p)],
        domain=[_link(o) for o in g.objects(iri, RDFS.domain)],
        range=[_link(o) for o in g.objects(iri, RDFS.range)],
        supers=[_link(o) for o in g.objects(iri, sup) if _axiom(iri, sup, o) is None],
        subs=[_link(s) for s in g.subjects(sup, iri)],
        inverse=[_link(o) for o in g.objects(iri, OWL.inverseOf)]
        + [_link(s) for s in g.subjects(OWL.inverseOf, iri)],
        value_scheme=[_link(o) for o in g.objects(iri, RIIKG.valueScheme)],
        pidinst=[str(o) for o in g.objects(iri, RIIKG.pidinstProperty)],
        shapes=_shape_uses(iri, kind == "Class"),
    )
    for pred, relation in _MAPPINGS.items():
        for target in g.objects(iri, pred):
            axiom = _axiom(iri, pred, target)
            if axiom is None:  # a reuse axiom of riikg.ttl (shown as super term), not an alignment
                continue
            term.alignments.append(
                Alignment(
                    source=_link(iri),
                    relation=relation,
                    target=_link(target),
                    direction=text_of(g, axiom, RIIKG.mappingDirection),
                    comment=text_of(g, axiom, RDFS.comment),
                )
            )
    return term


def alignment_list() -> list[Alignment]:
    """Every annotated mapping of ``alignments.ttl`` (terms and vocabulary concepts)."""
    g = ontology()
    rows = []
    for axiom in g.subjects(RDF.type, OWL.Axiom):
        source = g.value(axiom, OWL.annotatedSource)
        pred = g.value(axiom, OWL.annotatedProperty)
        target = g.value(axiom, OWL.annotatedTarget)
        if source is None or target is None or not isinstance(pred, URIRef):
            continue
        if pred not in _MAPPINGS:
            continue
        rows.append(
            Alignment(
                source=_link(source, curie(str(source), _prefixes())),
                relation=_MAPPINGS[pred],
                target=_link(target),
                direction=text_of(g, axiom, RIIKG.mappingDirection),
                comment=text_of(g, axiom, RDFS.comment),
            )
        )
    return sorted(rows, key=lambda a: (a.source.iri, a.target.iri))


def _axiom(source: Node, pred: Node, target: Node) -> Node | None:
    g = ontology()
    for axiom in g.subjects(OWL.annotatedSource, source):
        if (axiom, OWL.annotatedProperty, pred) in g and (axiom, OWL.annotatedTarget, target) in g:
            return axiom
    return None


def term_graph(name: str) -> Graph:
    """The RDF description of a term: its triples and the axioms that annotate its mappings."""
    g = ontology()
    iri = RIIKG[name]
    out = Graph(namespace_manager=g.namespace_manager)
    for p, o in g.predicate_objects(iri):
        out.add((iri, p, o))
    for axiom in g.subjects(OWL.annotatedSource, iri):
        for p, o in g.predicate_objects(axiom):
            out.add((axiom, p, o))
    return out


def vocabulary_list() -> list[Vocabulary]:
    """Every SKOS vocabulary with its concepts (code order)."""
    g = vocabularies()
    out = []
    for scheme in sorted(g.subjects(RDF.type, SKOS.ConceptScheme), key=str):
        concepts = [
            Concept(
                code=text_of(g, c, SKOS.notation),
                label=text_of(g, c, SKOS.prefLabel),
                definition=text_of(g, c, SKOS.definition),
                link=_link(c),
            )
            for c in g.subjects(SKOS.inScheme, scheme)
        ]
        out.append(
            Vocabulary(
                label=text_of(g, scheme, SKOS.prefLabel),
                definition=text_of(g, scheme, SKOS.definition),
                link=_link(scheme, text_of(g, scheme, SKOS.prefLabel)),
                concepts=sorted(concepts, key=lambda c: c.code),
            )
        )
    return out
