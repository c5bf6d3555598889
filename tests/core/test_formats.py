"""The one table of formats (``riikg.formats``) and the one content negotiation over it.

Done when adding a format touches one table: the ``n3`` fixture appends an N3 row to
:data:`riikg.formats.TABLE` and every place that offers graph formats offers it too —
entity pages (``Accept``, ``.n3``, ``?format=n3``), ``/sparql`` CONSTRUCT, the Service
Description's result formats, the ontology pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from endpoint.http.negotiate import as_rdf, graph_offers, named, negotiate, rdf_offers
from riikg import formats
from riikg.config import Settings
from riikg.formats import Format, Kind
from riikg.store.oxigraph import OxigraphStore
from tests.core.test_cli import run, source  # noqa: F401  (the CLI fixtures)
from tests.pages.conftest import DATA, load_trig

ENTITY = "http://localhost:8080/id/infrastructure/alfa-lab"
SD = "http://www.w3.org/ns/sparql-service-description#"
N3_ROW = Format(
    "n3", "text/n3", frozenset({Kind.GRAPH}), oxigraph=ox.RdfFormat.N3, rdflib="n3"
)  # fmt: skip


def accept(header: str) -> MIMEAccept:
    return parse_accept_header(header, MIMEAccept)


# ---- the table ------------------------------------------------------------------------------
def test_every_name_of_a_format_finds_it() -> None:
    for fmt in formats.TABLE:
        assert formats.by_word(fmt.key) is fmt or fmt.key in ("json", "txt")
        assert formats.by_media_type(fmt.media_type, next(iter(fmt.kinds))) is fmt
        for alias in fmt.aliases:
            assert formats.by_media_type(alias, next(iter(fmt.kinds))) is not None
        if fmt.oxigraph is not None:
            assert fmt.w3c is not None and fmt.w3c.startswith(formats.W3C_FORMATS)
    # plain "json" is the JSON-LD word (format=json on /sparql CONSTRUCT); the document
    # format JSON is found by its media type or with its kind
    assert formats.by_word("json", Kind.DOCUMENT) is formats.JSON


@pytest.mark.parametrize(
    ("word", "kind", "expected"),
    [
        ("Turtle", None, formats.TURTLE),
        ("text/turtle; charset=utf-8", None, formats.TURTLE),
        ("application/x-turtle", None, formats.TURTLE),
        (".nt", None, formats.NTRIPLES),
        ("text/plain", None, formats.NTRIPLES),
        ("text/plain", Kind.DOCUMENT, formats.TEXT),
        ("xml", None, formats.RDFXML),
        ("xml", Kind.RESULTS, formats.SPARQL_XML),
        ("application/json", Kind.RESULTS, formats.SPARQL_JSON),
        ("json", Kind.GRAPH, formats.JSONLD),
        ("srj", None, formats.SPARQL_JSON),
        ("nope", None, None),
    ],
)
def test_by_word(word: str, kind: Kind | None, expected: Format | None) -> None:
    assert formats.by_word(word, kind) is expected


def test_by_extension_and_kinds() -> None:
    assert formats.by_extension("dump.trig.bz2") is formats.TRIG
    assert formats.by_extension("ontology.owl") is formats.RDFXML
    assert formats.by_extension("README") is None
    assert formats.by_extension("table.csv", Kind.GRAPH) is None
    assert [f.key for f in formats.of_kind(Kind.GRAPH)] == ["ttl", "jsonld", "nt", "rdf"]
    assert formats.of_kind(Kind.DATASET)[-2:] == [formats.NQUADS, formats.TRIG]
    assert formats.RDFXML.content_type == "application/rdf+xml"
    assert formats.TURTLE.content_type == "text/turtle; charset=utf-8"
    with pytest.raises(ValueError, match="not an RDF format"):
        _ = formats.CSV.rdf
    with pytest.raises(ValueError, match="not a SPARQL results format"):
        _ = formats.TURTLE.results


def test_among_narrows_to_the_offers() -> None:
    results = formats.of_kind(Kind.RESULTS)
    assert formats.by_word("xml", among=results) is formats.SPARQL_XML
    assert formats.by_word("ttl", among=results) is None
    assert named("application/json", graph_offers()) is formats.JSON
    assert as_rdf(formats.JSON) is formats.JSONLD


# ---- negotiation edge cases -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", formats.HTML),  # no preference: the first offer
        ("*/*", formats.HTML),
        ("*/*, text/html;q=0", formats.TURTLE),  # q=0 refuses, the most specific range wins
        ("text/html;q=0, */*;q=0.8", formats.TURTLE),
        ("text/*, text/html;q=0", formats.TURTLE),
        ("text/turtle;q=0.5, application/ld+json;q=0.9", formats.JSONLD),
        ("*/*;q=0.1, text/turtle", formats.TURTLE),
        ("text/plain", formats.NTRIPLES),  # an alias named explicitly
        ("application/n-triples;q=0, text/plain", formats.NTRIPLES),  # refused, alias named
        ("application/xml", formats.RDFXML),
        ("Text/Turtle; charset=utf-8", formats.TURTLE),
        ("application/ld+json, text/turtle", formats.TURTLE),  # a tie: server order
        ("application/*", formats.JSONLD),  # own media types beat aliases (xhtml+xml)
        ("image/png", None),
        ("text/turtle;q=0", None),
        ("application/pdf, image/*", None),
    ],
)
def test_negotiate(header: str, expected: Format | None) -> None:
    assert negotiate(accept(header), rdf_offers()) is expected


def test_negotiate_results_offers() -> None:
    results = formats.of_kind(Kind.RESULTS)
    assert negotiate(accept("text/*"), results) is formats.CSV  # not SPARQL XML via text/xml
    assert negotiate(accept("application/json"), results) is formats.SPARQL_JSON
    assert negotiate(accept("text/xml"), results) is formats.SPARQL_XML
    assert negotiate(accept("text/*"), []) is None


# ---- done when: one more row is offered everywhere graphs are -------------------------------
@pytest.fixture()
def n3() -> Iterator[Format]:
    """N3 as one more graph format, for the duration of one test."""
    formats.TABLE.append(N3_ROW)
    try:
        yield N3_ROW
    finally:
        formats.TABLE.remove(N3_ROW)


@pytest.fixture()
def n3_client(n3: Format, settings: Settings) -> Iterator[FlaskClient]:
    """The app over the page-test data, built after the row is added (query workers fork
    on first use and so know it too)."""
    from endpoint import create_app

    store = OxigraphStore.memory(settings.base_iri)
    load_trig(store, DATA / "pages.trig")
    app: Flask = create_app({"TESTING": True}, settings=settings, store=store)
    with app.test_client() as client:
        yield client


def _n3_triples(data: bytes) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N3)]


def test_the_row_is_offered_and_named(n3: Format) -> None:
    assert n3 in rdf_offers() and n3 in graph_offers()
    assert named("n3", rdf_offers()) is n3
    assert negotiate(accept("text/n3"), rdf_offers()) is n3
    assert formats.by_extension("x.n3") is n3


@pytest.mark.parametrize("path", ["/id/infrastructure/alfa-lab", "/vocab/ket"])
def test_entity_pages_serve_the_new_row(n3_client: FlaskClient, path: str) -> None:
    by_accept = n3_client.get(path, headers={"Accept": "text/n3"})
    assert by_accept.status_code == 200, by_accept.data[:300]
    assert by_accept.mimetype == "text/n3"
    assert by_accept.headers["Content-Location"] == f"{path}.n3"
    assert f'<{path}.n3>; rel="alternate"; type="text/n3"' in by_accept.headers["Link"]
    assert _n3_triples(by_accept.data)
    for url in (f"{path}.n3", f"{path}?format=n3"):
        response = n3_client.get(url, headers={"Accept": "text/html"})
        assert response.status_code == 200 and response.mimetype == "text/n3", url
        assert response.data == by_accept.data
    html = n3_client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'href="{path}.n3"' in html  # the "Also as" links


def test_sparql_construct_answers_in_the_new_row(n3_client: FlaskClient) -> None:
    query = f"CONSTRUCT {{ <{ENTITY}> ?p ?o }} WHERE {{ <{ENTITY}> ?p ?o }}"
    for params, headers in (({}, {"Accept": "text/n3"}), ({"format": "n3"}, {})):
        response = n3_client.get(
            "/sparql", query_string={"query": query, **params}, headers=headers
        )
        assert response.status_code == 200, response.data[:300]
        assert response.mimetype == "text/n3"
        triples = _n3_triples(response.data)
        assert triples and all(t.subject == ox.NamedNode(ENTITY) for t in triples)
    select = n3_client.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "text/n3"}
    )
    assert select.status_code == 406  # N3 carries graphs, not results


def test_service_description_lists_and_serves_the_new_row(n3_client: FlaskClient) -> None:
    response = n3_client.get("/sparql", headers={"Accept": "text/n3"})
    assert response.status_code == 200 and response.mimetype == "text/n3"
    store = ox.Store()
    store.load(response.data, format=ox.RdfFormat.N3)
    rows = store.query(f"SELECT ?f {{ ?e <{SD}resultFormat> ?f }}")
    assert isinstance(rows, ox.QuerySolutions)
    listed = {row["f"].value for row in rows}
    assert "http://www.w3.org/ns/formats/N3" in listed
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in listed


@pytest.mark.parametrize("path", ["/ontology", "/ontology/ResearchInfrastructure"])
def test_ontology_pages_serve_the_new_row(n3_client: FlaskClient, path: str) -> None:
    for url, headers in (
        (path, {"Accept": "text/n3"}),
        (f"{path}.n3", {}),
        (f"{path}?format=n3", {"Accept": "text/html"}),
    ):
        response = n3_client.get(url, headers=headers)
        assert response.status_code == 200 and response.mimetype == "text/n3", url
        assert _n3_triples(response.data)
    html = n3_client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'<link rel="alternate" type="text/n3" href="{path}.n3">' in html
    assert f'<a href="{path}.n3">N3</a>' in html


def test_catalogue_links_the_new_row(n3_client: FlaskClient) -> None:
    html = n3_client.get("/catalog", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<link rel="alternate" type="text/n3" href="/catalog.n3">' in html
    response = n3_client.get("/catalog.n3")
    assert response.status_code == 200 and response.mimetype == "text/n3"
    assert _n3_triples(response.data)


def test_without_the_row_n3_is_not_acceptable(n3_client: FlaskClient, n3: Format) -> None:
    formats.TABLE.remove(n3)
    try:
        assert n3_client.get("/id/infrastructure/alfa-lab.n3").status_code == 404
        assert n3_client.get("/ontology", headers={"Accept": "text/n3"}).status_code == 406
    finally:
        formats.TABLE.append(n3)


# ---- the command line -----------------------------------------------------------------------
@pytest.mark.parametrize("fmt", [f.key for f in formats.of_kind(Kind.DATASET)])
def test_cli_dump(run: Callable[..., Result], source: Path, fmt: str) -> None:  # noqa: F811
    """``riikg dump --format`` offers the table's dataset formats, each a parseable document."""
    run("load", str(source), "--loader", "test-turtle")
    result = run("dump", "--format", fmt)
    assert result.exit_code == 0, result.output
    chosen = formats.by_word(fmt, Kind.DATASET)
    assert chosen is not None
    quads = list(ox.parse(result.stdout_bytes, format=chosen.rdf))
    assert len(quads) == 4
    named_graphs = {q.graph_name for q in quads}
    if chosen.is_a(Kind.GRAPH):
        assert named_graphs == {ox.DefaultGraph()}
    else:
        assert named_graphs == {ox.NamedNode("http://localhost:8080/graph/source/labs")}
