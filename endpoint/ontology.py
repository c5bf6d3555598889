"""Blueprint: documentation of the riikg ontology, one page per term, with content negotiation.

``/ontology`` describes the whole ontology (classes, properties, alignments, vocabularies);
``/ontology/{Term}`` describes one term. Both serve HTML and every graph format of
:mod:`riikg.formats` (Turtle, JSON-LD, N-Triples, RDF/XML) by ``Accept`` (``Vary: Accept``),
by extension (``.ttl .jsonld .nt .rdf``) or by ``?format=``. Term IRIs
``https://w3id.org/riikg/ontology/{Term}`` resolve here once the w3id redirect is set up
(docs/ontology.md).

The ontology is read from the repository files (``ontology/riikg.ttl``,
``ontology/alignments.ttl``, ``ontology/vocab/*.ttl``) and the shapes from ``shapes/``,
parsed from bytes once per process, never from the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from flask import Blueprint, Flask, Response, abort, redirect, render_template, request, url_for
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from endpoint.http.links import href
from endpoint.http.negotiate import alternates, choose, named, offered, rdf_offers
from endpoint.state import get_settings
from riikg import formats
from riikg.formats import Format, Kind
from riikg.namespaces import PREFIXES, RIIKG, VOCAB, curie
from riikg.resources import ontology_dir
from riikg.validate import SHAPES_NS, shapes_graph

bp = Blueprint("ontology_docs", __name__)

ONTOLOGY_IRI = URIRef("https://w3id.org/riikg/ontology")
ALIGNMENTS_IRI = URIRef("https://w3id.org/riikg/ontology/alignments")
_NS = str(RIIKG)
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
    graph.bind("epos", "https://www.epos-eu.org/epos-dcat-ap#")
    graph.bind("cerif", "https://w3id.org/cerif2/")
    graph.bind("eurio", "http://data.europa.eu/s66#")
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


def _text(graph: Graph, node: Node, *preds: URIRef) -> str:
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
    label = text or (_text(ontology(), node, RDFS.label) if iri.startswith(_NS) else "")
    shown = label or curie(iri, _prefixes())
    return Link(shown, iri, href(iri, settings.base_iri, request.script_root))


def term_names() -> list[str]:
    """Local names of the terms declared in ``ontology/riikg.ttl``."""
    names = {
        str(s)[len(_NS) :]
        for s in ontology().subjects(RDFS.isDefinedBy, ONTOLOGY_IRI)
        if isinstance(s, URIRef) and str(s).startswith(_NS)
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
                message=_text(sg, shape, SH.message)
                if (shape, RDF.type, SH.PropertyShape) in sg or isinstance(shape, BNode)
                else _text(sg, shape, RDFS.label),
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
        label=_text(g, iri, RDFS.label),
        definition=_text(g, iri, SKOS.definition, RDFS.comment),
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
                    direction=_text(g, axiom, RIIKG.mappingDirection),
                    comment=_text(g, axiom, RDFS.comment),
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
                direction=_text(g, axiom, RIIKG.mappingDirection),
                comment=_text(g, axiom, RDFS.comment),
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
                code=_text(g, c, SKOS.notation),
                label=_text(g, c, SKOS.prefLabel),
                definition=_text(g, c, SKOS.definition),
                link=_link(c),
            )
            for c in g.subjects(SKOS.inScheme, scheme)
        ]
        out.append(
            Vocabulary(
                label=_text(g, scheme, SKOS.prefLabel),
                definition=_text(g, scheme, SKOS.definition),
                link=_link(scheme, _text(g, scheme, SKOS.prefLabel)),
                concepts=sorted(concepts, key=lambda c: c.code),
            )
        )
    return out


@cache
def _serialised(key: str, rep: Format) -> bytes:
    graph = ontology() if key == "" else term_graph(key)
    data = graph.serialize(format=rep.rdflib_name, encoding="utf-8")
    return data


def _choose(ext: str | None) -> Format:
    """The representation asked for by extension, ``?format=`` or ``Accept`` (else 406/404)."""
    offers = rdf_offers()
    wanted = ext or request.args.get("format")
    chosen = choose(wanted, request.accept_mimetypes, offers)
    if chosen is None:
        if ext:
            abort(404, "no such representation of the ontology")
        if wanted:
            abort(406, "unsupported format; use " + ", ".join(f.key for f in offers))
        abort(406, f"the ontology is available as {offered(offers)}")
    return chosen


def _rdf(key: str, rep: Format) -> Response:
    return Response(_serialised(key, rep), mimetype=rep.media_type)


def _rdf_links(path: str) -> list[tuple[str, Format]]:
    """``(URL, format)`` of the RDF documents of ``/ontology`` or of one term's page."""
    return alternates(request.script_root, path, formats.of_kind(Kind.GRAPH))


def _vary(response: Response, ext: str | None) -> Response:
    if not ext:
        response.vary.add("Accept")
    return response


@bp.get("/ontology")
@bp.get("/ontology.<ext>")
def ontology_page(ext: str | None = None) -> Response:
    rep = _choose(ext)
    if rep is formats.HTML:
        g = ontology()
        terms = [t for t in (describe_term(n) for n in term_names()) if t is not None]
        body = render_template(
            "ontology/ontology.html",
            title=_text(g, ONTOLOGY_IRI, RDFS.label),
            full_title=_text(g, ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/title")),
            definition=_text(g, ONTOLOGY_IRI, SKOS.definition),
            comment=_text(g, ONTOLOGY_IRI, RDFS.comment),
            namespace=_NS,
            version_iri=str(g.value(ONTOLOGY_IRI, OWL.versionIRI) or ""),
            version=_text(g, ONTOLOGY_IRI, OWL.versionInfo),
            classes=[t for t in terms if t.kind == "Class"],
            properties=[t for t in terms if t.kind != "Class" and "Annotation" not in t.kind],
            annotations=[t for t in terms if "Annotation" in t.kind],
            alignments=alignment_list(),
            vocabularies=vocabulary_list(),
            vocab_root=VOCAB,
            formats=_rdf_links("/ontology"),
        )
        return _vary(Response(body, mimetype="text/html"), ext)
    return _vary(_rdf("", rep), ext)


@bp.get("/ontology/<path:name>")
def term_page(name: str) -> Response:
    stem, dot, suffix = name.rpartition(".")
    ext = suffix if dot and named(suffix, rdf_offers()) is not None else None
    term_name = stem if ext else name
    if term_name in _documents():
        # the version IRIs and the alignments ontology are described by /ontology
        return redirect(url_for("ontology_docs.ontology_page", ext=ext), 303)  # type: ignore[return-value]
    term = describe_term(term_name)
    if term is None:
        abort(404, "the riikg ontology has no such term")
    rep = _choose(ext)
    if rep is formats.HTML:
        body = render_template(
            "ontology/term.html",
            term=term,
            namespace=_NS,
            formats=_rdf_links(f"/ontology/{term.name}"),
        )
        return _vary(Response(body, mimetype="text/html"), ext)
    return _vary(_rdf(term.name, rep), ext)


@cache
def _documents() -> frozenset[str]:
    """Local names under the namespace that name ontologies or their versions, not terms."""
    g = ontology()
    nodes = set(g.subjects(RDF.type, OWL.Ontology)) | set(g.objects(None, OWL.versionIRI))
    return frozenset(str(n)[len(_NS) :] for n in nodes if str(n).startswith(_NS))


@bp.get("/ontology/")
def ontology_slash() -> Response:
    return redirect(url_for("ontology_docs.ontology_page"), 301)  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
