"""Content negotiation matrix for entities, regions, KET concepts and ontology terms."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph

CHROMIUM = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: rdflib ``Graph().parse(url)`` without a format: every registered parser media type
RDFLIB_DEFAULT = (
    "application/rdf+xml, text/n3, text/turtle, application/n-triples, "
    "application/ld+json, application/n-quads, application/trix, application/trig"
)
RDFLIB_TURTLE = "text/turtle, application/x-turtle, */*;q=0.1"
RDFLIB_JSONLD = "application/ld+json, application/json;q=0.9, */*;q=0.1"
#: SPARQLWrapper's Accept for CONSTRUCT/DESCRIBE with its default (XML) and other formats
SPARQLWRAPPER_DEFAULT = "application/rdf+xml"
SPARQLWRAPPER_TURTLE = "application/turtle,text/turtle"
SPARQLWRAPPER_JSONLD = "application/ld+json,application/x-json+ld"

HTML, TTL, JSONLD, NT, RDFXML = (
    "text/html",
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
)

MATRIX = [
    ("chromium", CHROMIUM, HTML),
    ("firefox", FIREFOX, HTML),
    ("safari", SAFARI, HTML),
    ("curl", "*/*", HTML),
    ("no-accept", None, HTML),
    ("rdflib-default", RDFLIB_DEFAULT, TTL),
    ("rdflib-turtle", RDFLIB_TURTLE, TTL),
    ("rdflib-jsonld", RDFLIB_JSONLD, JSONLD),
    ("sparqlwrapper-default", SPARQLWRAPPER_DEFAULT, RDFXML),
    ("sparqlwrapper-turtle", SPARQLWRAPPER_TURTLE, TTL),
    ("sparqlwrapper-jsonld", SPARQLWRAPPER_JSONLD, JSONLD),
    ("n-triples", "application/n-triples", NT),
    ("text-plain-is-ntriples", "text/plain", NT),
    ("q-values", "text/turtle;q=0.5, application/ld+json;q=0.9", JSONLD),
    ("wildcard-low", "*/*;q=0.1, text/turtle", TTL),
    ("html-refused", "text/html;q=0, */*", TTL),
    ("html-refused-after", "*/*, text/html;q=0", TTL),
    ("text-range", "text/*", HTML),
    ("text-range-no-html", "text/*, text/html;q=0", TTL),
    ("params-ignored", "text/turtle; charset=utf-8", TTL),
    ("case-insensitive", "Text/Turtle", TTL),
]
NOT_ACCEPTABLE = ["image/png", "text/turtle;q=0", "application/pdf, image/*", "application/xyz"]

ENTITY = "/id/infrastructure/alfa-lab"
REGION = "/region/ITH5"
KET = "/vocab/ket/KET2018-AM"
SCHEME = "/vocab/ket"
ONTOLOGY = "/ontology/ResearchInfrastructure"
OURS = [ENTITY, REGION, KET, SCHEME]


def _ontology_available(client: FlaskClient) -> None:
    if client.get(ONTOLOGY, headers={"Accept": "text/turtle"}).status_code == 404:
        pytest.skip("/ontology/<Term> is not served yet (ontology engineer's route)")


@pytest.mark.parametrize("path", [*OURS, ONTOLOGY])
@pytest.mark.parametrize(("client_name", "accept", "expected"), MATRIX)
def test_matrix(
    pclient: FlaskClient, path: str, client_name: str, accept: str | None, expected: str
) -> None:
    if path == ONTOLOGY:
        _ontology_available(pclient)
    headers = {"Accept": accept} if accept is not None else {}
    response = pclient.get(path, headers=headers)
    assert response.status_code == 200, (client_name, response.data[:300])
    assert response.mimetype == expected, client_name
    assert "Accept" in response.headers.get("Vary", "")


@pytest.mark.parametrize("path", [*OURS, ONTOLOGY])
@pytest.mark.parametrize("accept", NOT_ACCEPTABLE)
def test_not_acceptable(pclient: FlaskClient, path: str, accept: str) -> None:
    if path == ONTOLOGY:
        _ontology_available(pclient)
    assert pclient.get(path, headers={"Accept": accept}).status_code == 406


@pytest.mark.parametrize("path", OURS)
def test_headers_and_alternates(pclient: FlaskClient, path: str) -> None:
    response = pclient.get(path, headers={"Accept": "text/turtle"})
    assert response.headers["Content-Location"] == f"{path}.ttl"
    link = response.headers["Link"]
    for ext, media in (("ttl", TTL), ("jsonld", JSONLD), ("nt", NT), ("rdf", RDFXML)):
        assert f'<{path}.{ext}>; rel="alternate"; type="{media}"' in link
    html = pclient.get(path, headers={"Accept": FIREFOX})
    assert html.headers["Content-Location"] == f"{path}.html"


@pytest.mark.parametrize("path", OURS)
@pytest.mark.parametrize(
    ("ext", "media"),
    [("ttl", TTL), ("jsonld", JSONLD), ("nt", NT), ("rdf", RDFXML), ("html", HTML)],
)
def test_extension_urls_override_accept(
    pclient: FlaskClient, path: str, ext: str, media: str
) -> None:
    response = pclient.get(f"{path}.{ext}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == media
    by_param = pclient.get(f"{path}?format={ext}", headers={"Accept": "image/png"})
    assert by_param.mimetype == media


@pytest.mark.parametrize("path", OURS)
def test_head(pclient: FlaskClient, path: str) -> None:
    get = pclient.get(path, headers={"Accept": "text/turtle"})
    head = pclient.head(path, headers={"Accept": "text/turtle"})
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["Content-Location"] == get.headers["Content-Location"]
    assert pclient.head("/id/infrastructure/nope").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/id/infrastructure/does-not-exist",
        "/id/infrastructure/does-not-exist.ttl",
        "/region/ZZ9",
        "/region/not-a-code",
        "/vocab/ket/KET1999-X",
        "/vocab/nothing",
        "/id/infrastructure/alfa-lab.exe",
    ],
)
def test_unknown_is_404(pclient: FlaskClient, path: str) -> None:
    for accept in ("text/html", "text/turtle"):
        assert pclient.get(path, headers={"Accept": accept}).status_code == 404


def test_injection_in_path_is_404(pclient: FlaskClient) -> None:
    """docs/security.md D1/E9: no query text from the path, no redirect built from it."""
    for path in (
        "/id/infrastructure/foo%3E%20%3Fp%20%3Fo%20%7D%20%3B%20DROP%20ALL%20%3B%20%23",
        "/id/infrastructure/..%2F..%2Fetc",
        "/region/IT%3E",
    ):
        response = pclient.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 404
        assert "Location" not in response.headers


def test_rdf_bodies_parse_and_describe_the_resource(pclient: FlaskClient) -> None:
    iri = "http://localhost:8080/id/infrastructure/alfa-lab"
    for ext, fmt in (("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml"), ("jsonld", "json-ld")):
        body = pclient.get(f"{ENTITY}.{ext}").data.decode("utf-8")
        graph = Graph()
        graph.parse(data=body, format=fmt)
        labels = {str(o) for o in graph.objects(predicate=None) if str(o) == "Alfa Laboratory"}
        assert labels, ext
        assert any(str(s) == iri for s in graph.subjects()), ext
    # incoming statements are part of the description
    nt = pclient.get(f"{ENTITY}.nt").data
    triples = list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    assert any(t.object == ox.NamedNode(iri) for t in triples)


def test_jsonld_context_is_inline_and_published(pclient: FlaskClient) -> None:
    doc = json.loads(pclient.get(f"{ENTITY}.jsonld").data)
    published = pclient.get("/context.jsonld")
    assert published.status_code == 200
    assert published.mimetype == "application/ld+json"
    assert doc["@context"] == json.loads(published.data)["@context"]
    assert doc["@context"]["riikg"] == "https://w3id.org/riikg/ontology/"


def test_plain_json_gets_jsonld(pclient: FlaskClient) -> None:
    response = pclient.get(ENTITY, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "@context" in json.loads(response.data)
