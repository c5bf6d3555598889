"""Blueprint: documentation of the riikg ontology, one page per term, with content negotiation.

``/ontology`` describes the whole ontology (classes, properties, alignments, vocabularies);
``/ontology/{Term}`` describes one term. Both serve HTML and every graph format of
:mod:`riikg.formats` (Turtle, JSON-LD, N-Triples, RDF/XML) by ``Accept`` (``Vary: Accept``),
by extension (``.ttl .jsonld .nt .rdf``) or by ``?format=``. Term IRIs
``https://w3id.org/riikg/ontology/{Term}`` resolve here once the w3id redirect is set up
(docs/ontology.md).

This module holds the routes and the choice of representation; what the pages show (the
ontology parsed from the repository files, never from the store) is
:mod:`endpoint.ontology_model`.
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, Flask, Response, abort, redirect, render_template, request, url_for
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from endpoint.http.negotiate import alternates, choose, named, offered, rdf_offers
from endpoint.ontology_model import (
    NAMESPACE,
    alignment_list,
    describe_term,
    ontology,
    term_graph,
    term_names,
    text_of,
    vocabulary_list,
)
from riikg import formats
from riikg.formats import Format, Kind
from riikg.namespaces import ONTOLOGY, VOCAB

__all__ = ["bp", "init_app", "ontology", "term_names"]

bp = Blueprint("ontology_docs", __name__)


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
            title=text_of(g, ONTOLOGY, RDFS.label),
            full_title=text_of(g, ONTOLOGY, DCTERMS.title),
            definition=text_of(g, ONTOLOGY, SKOS.definition),
            comment=text_of(g, ONTOLOGY, RDFS.comment),
            namespace=NAMESPACE,
            version_iri=str(g.value(ONTOLOGY, OWL.versionIRI) or ""),
            version=text_of(g, ONTOLOGY, OWL.versionInfo),
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
            namespace=NAMESPACE,
            formats=_rdf_links(f"/ontology/{term.name}"),
        )
        return _vary(Response(body, mimetype="text/html"), ext)
    return _vary(_rdf(term.name, rep), ext)


@cache
def _documents() -> frozenset[str]:
    """Local names under the namespace that name ontologies or their versions, not terms."""
    g = ontology()
    nodes = set(g.subjects(RDF.type, OWL.Ontology)) | set(g.objects(None, OWL.versionIRI))
    return frozenset(str(n)[len(NAMESPACE) :] for n in nodes if str(n).startswith(NAMESPACE))


@bp.get("/ontology/")
def ontology_slash() -> Response:
    return redirect(url_for("ontology_docs.ontology_page"), 301)  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
