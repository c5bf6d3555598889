"""The Service Description served at /sparql without a query."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from flask import Flask

from tests.sparql.conftest import BASE

SD = "http://www.w3.org/ns/sparql-service-description#"
ENDPOINT = ox.NamedNode(f"{BASE}sparql")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def select(g: ox.Store, query: str) -> list[ox.QuerySolution]:
    result = g.query(query)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def graph(data: bytes, fmt: ox.RdfFormat) -> ox.Store:
    store = ox.Store()
    store.load(data, format=fmt)
    return store


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("", ox.RdfFormat.TURTLE),
        ("*/*", ox.RdfFormat.TURTLE),
    ],
)
def test_service_description_formats(sparql_app: Flask, accept: str, fmt: ox.RdfFormat) -> None:
    headers = {"Accept": accept} if accept else {}
    r = sparql_app.test_client().get("/sparql", headers=headers)
    assert r.status_code == 200
    g = graph(r.data, fmt)
    assert g.query(
        f"ASK {{ <{ENDPOINT.value}> a <{SD}Service> ; <{SD}endpoint> <{ENDPOINT.value}> }}"
    )


def test_service_description_content(sparql_app: Flask) -> None:
    r = sparql_app.test_client().get("/sparql", query_string={"format": "ttl"})
    assert r.mimetype == "text/turtle"
    g = graph(r.data, ox.RdfFormat.TURTLE)
    e = ENDPOINT.value
    assert g.query(f"ASK {{ <{e}> <{SD}supportedLanguage> <{SD}SPARQL11Query> }}")
    assert g.query(f"ASK {{ <{e}> <{SD}feature> <{SD}UnionDefaultGraph> }}")
    assert not g.query(f"ASK {{ <{e}> <{SD}feature> <{SD}BasicFederatedQuery> }}")
    formats = {
        row["f"].value.rsplit("/", 1)[1]
        for row in select(g, f"SELECT ?f {{ <{e}> <{SD}resultFormat> ?f }}")
    }
    assert formats >= {
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "RDF_XML",
        "JSON-LD",
    }
    names = {
        row["n"].value
        for row in select(
            g,
            f"SELECT ?n {{ <{e}> <{SD}defaultDataset> ?d . ?d <{SD}defaultGraph> ?dg ; "
            f"<{SD}namedGraph> ?ng . ?ng <{SD}name> ?n }}",
        )
    }
    assert f"{BASE}graph/source/survey" in names and f"{BASE}graph/meta/survey" in names
    comment = select(g, f"SELECT ?c {{ <{e}> <http://www.w3.org/2000/01/rdf-schema#comment> ?c }}")[
        0
    ]
    assert "X-Result-Truncated" in comment["c"].value and "5 rows" in comment["c"].value


def test_service_description_not_acceptable(sparql_app: Flask) -> None:
    client = sparql_app.test_client()
    assert client.get("/sparql", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/sparql", query_string={"format": "csv"}).status_code == 400


def test_browsers_get_the_editor(sparql_app: Flask) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = sparql_app.test_client().get("/sparql", headers={"Accept": browser})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert 'id="yasgui"' in r.get_data(as_text=True)


def test_editor_has_a_strict_script_policy(sparql_app: Flask) -> None:
    r = sparql_app.test_client().get("/sparql", headers={"Accept": "text/html"})
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "connect-src 'self'" in csp
