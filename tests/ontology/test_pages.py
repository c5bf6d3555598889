"""Ontology documentation pages: HTML, every RDF format, 404, 406, Vary, escaping."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from endpoint.ontology import term_names
from riikg.namespaces import RIIKG

FORMATS = [
    ("text/turtle", "ttl", "turtle"),
    ("application/ld+json", "jsonld", "json-ld"),
    ("application/rdf+xml", "rdf", "xml"),
    ("application/n-triples", "nt", "nt"),
]


def _parse(data: bytes, fmt: str) -> Graph:
    return Graph().parse(data=data, format=fmt)


def test_ontology_page_html(docs_client: FlaskClient) -> None:
    r = docs_client.get("/ontology", headers={"Accept": "text/html,application/xhtml+xml;q=0.9"})
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    assert "Accept" in r.headers.get("Vary", "")
    html = r.get_data(as_text=True)
    assert "https://w3id.org/riikg/ontology/" in html
    # classes, properties with domain/range, alignments and vocabularies are all listed
    assert 'href="/ontology/ResearchInfrastructure"' in html
    assert 'href="/ontology/hostedBy"' in html
    assert "epos:Facility" in html and "riikg to target" in html
    assert "cerif:Infrastructure" in html and "eurio:Organisation" in html
    assert "Key Enabling Technologies (KETs)" in html and "KET2018-AMN" in html
    assert 'href="/vocab/access-mode/market-driven"' in html
    for name in term_names():
        assert f"riikg:{name}<" in html, name


@pytest.mark.parametrize(("media", "ext", "fmt"), FORMATS)
def test_ontology_in_every_rdf_format(
    docs_client: FlaskClient, media: str, ext: str, fmt: str
) -> None:
    by_accept = docs_client.get("/ontology", headers={"Accept": media})
    assert by_accept.status_code == 200 and by_accept.mimetype == media
    assert "Accept" in by_accept.headers.get("Vary", "")
    by_ext = docs_client.get(f"/ontology.{ext}")
    assert by_ext.status_code == 200 and by_ext.mimetype == media
    g = _parse(by_ext.data, fmt)
    assert (URIRef("https://w3id.org/riikg/ontology"), RDF.type, OWL.Ontology) in g
    assert (RIIKG.ResearchInfrastructure, RDF.type, OWL.Class) in g
    assert len(g) == len(_parse(by_accept.data, fmt)) > 400
    by_param = docs_client.get(f"/ontology?format={ext}")
    assert by_param.status_code == 200 and by_param.mimetype == media


def test_term_page_html(docs_client: FlaskClient) -> None:
    r = docs_client.get("/ontology/hostedBy", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "Accept" in r.headers.get("Vary", "")
    html = r.get_data(as_text=True)
    assert "riikg:hostedBy" in html and "hosted by" in html
    assert "The organisation that hosts" in html  # definition
    assert 'href="/ontology/ResearchInfrastructure"' in html  # domain
    assert "org:Organization" in html  # range
    assert "RI-hostedBy" in html and "RI-hostedByRecommended" in html  # shapes
    assert "Warning" in html


def test_class_page_shows_hierarchy_alignments_and_shapes(docs_client: FlaskClient) -> None:
    html = docs_client.get("/ontology/Equipment").get_data(as_text=True)
    assert "epos:Equipment" in html and "sub-class of" in html
    assert "PIDINST" in html
    assert "EquipmentShape" in html
    html = docs_client.get("/ontology/partOf").get_data(as_text=True)
    assert 'href="/ontology/hasEquipment"' in html  # inverse
    html = docs_client.get("/ontology/HostOrganisation").get_data(as_text=True)
    assert "org:Organization" in html


@pytest.mark.parametrize(("media", "ext", "fmt"), FORMATS)
def test_term_in_every_rdf_format(docs_client: FlaskClient, media: str, ext: str, fmt: str) -> None:
    by_accept = docs_client.get("/ontology/ResearchInfrastructure", headers={"Accept": media})
    assert by_accept.status_code == 200 and by_accept.mimetype == media
    by_ext = docs_client.get(f"/ontology/ResearchInfrastructure.{ext}")
    assert by_ext.status_code == 200 and by_ext.mimetype == media
    g = _parse(by_ext.data, fmt)
    assert (RIIKG.ResearchInfrastructure, RDF.type, OWL.Class) in g
    assert (RIIKG.ResearchInfrastructure, RDFS.label, None) in g
    # the alignment axioms about the term come with it
    assert list(g.subjects(OWL.annotatedSource, RIIKG.ResearchInfrastructure))
    assert {s for s in g.subjects() if isinstance(s, URIRef)} == {RIIKG.ResearchInfrastructure}


def test_jsonld_is_json(docs_client: FlaskClient) -> None:
    doc = json.loads(docs_client.get("/ontology/ket.jsonld").data)
    assert any(node.get("@id") == str(RIIKG.ket) for node in doc)


@pytest.mark.parametrize(
    "path", ["/ontology/NoSuchTerm", "/ontology/NoSuchTerm.ttl", "/ontology/ket.xyz",
             "/ontology.xyz", "/ontology/dct:title", "/ontology/%3Cscript%3E"],
)  # fmt: skip
def test_unknown_terms_and_extensions_are_404(docs_client: FlaskClient, path: str) -> None:
    r = docs_client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert "<script>" not in r.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/ontology", "/ontology/ket"])
def test_unsupported_media_type_is_406(docs_client: FlaskClient, path: str) -> None:
    r = docs_client.get(path, headers={"Accept": "image/png"})
    assert r.status_code == 406
    r = docs_client.get(path + "?format=csv")
    assert r.status_code == 406


def test_version_iri_and_trailing_slash_lead_to_the_ontology(docs_client: FlaskClient) -> None:
    r = docs_client.get("/ontology/0.1.0")
    assert r.status_code == 303 and r.headers["Location"].endswith("/ontology")
    r = docs_client.get("/ontology/0.1.0.ttl")
    assert r.status_code == 303 and r.headers["Location"].endswith("/ontology.ttl")
    assert docs_client.get("/ontology/").status_code == 301


def test_every_term_has_a_page(docs_client: FlaskClient) -> None:
    for name in term_names():
        r = docs_client.get(f"/ontology/{name}")
        assert r.status_code == 200, name
        assert f"riikg:{name}" in r.get_data(as_text=True)


def test_alignment_rows_are_the_annotated_mappings(docs_client: FlaskClient) -> None:
    """Every row of the alignment table has a direction; reuse axioms are super terms instead."""
    from endpoint.ontology import ontology

    html = docs_client.get("/ontology").get_data(as_text=True)
    table = html.split('<h2 id="alignments">', 1)[1].split('<h2 id="vocabularies">', 1)[0]
    axioms = len(list(ontology().subjects(RDF.type, OWL.Axiom)))
    assert table.count("<tr><td>") == axioms
    assert "<td></td>" not in table  # every row has a direction and a note
    region = docs_client.get("/ontology/region").get_data(as_text=True)
    assert "dct:spatial" in region.split("<h2>", 1)[0]  # listed as super-property
