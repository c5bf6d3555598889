"""Entity pages, browsing views, search and benchmarking on the small page dataset."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

from flask import Flask
from flask.testing import FlaskClient

from endpoint.http.links import iri_of_path, local_path
from riikg.config import Settings
from riikg.store.oxigraph import OxigraphStore
from tests.pages.conftest import app_with

BASE = "http://localhost:8080/"


def html(client: FlaskClient, path: str, **headers: str) -> str:
    response = client.get(path, headers={"Accept": "text/html", **headers})
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    text: str = response.get_data(as_text=True)
    return text


def h1(page: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert found is not None
    return found.group(1).strip()


def test_label_language_fallback(pclient: FlaskClient) -> None:
    assert h1(html(pclient, "/id/infrastructure/alfa-lab")) == "Alfa Laboratory"
    assert h1(html(pclient, "/id/infrastructure/alfa-lab?lang=it")) == "Laboratorio Alfa"
    it = html(pclient, "/id/infrastructure/alfa-lab", **{"Accept-Language": "it-IT,it;q=0.9"})
    assert h1(it) == "Laboratorio Alfa"
    assert '<h1 lang="it">' in it
    # only Dutch: any label beats none
    assert h1(html(pclient, "/id/organisation/tue")) == "Technische Universiteit Voorbeeld"
    # English requested, Italian only: the Italian label, never the IRI
    assert h1(html(pclient, "/id/infrastructure/motorvehicle-lab")) == (
        "Laboratorio Veicoli a Motore"
    )


def test_properties_show_labels_not_iris(pclient: FlaskClient) -> None:
    page = html(pclient, "/id/infrastructure/alfa-lab")
    assert '<a href="/ontology/hostedBy">hosted by</a>' in page  # ontology label
    assert '<a href="/ontology/locality">riikg:locality</a>' in page  # prefixed fallback
    assert '<a href="/id/organisation/exuni">Example University</a>' in page
    assert '<a href="/region/ITH55">Bologna (ITH55)</a>' in page
    assert '<a href="/vocab/ket/KET2018-NANO">Nanotechnology</a>' in page
    assert "INNO INFRA SHARE survey" in page
    assert 'href="http://creativecommons.org/licenses/by/4.0/"' in page
    assert 'data-lat="44.49"' in page and 'data-lon="11.35"' in page


def test_incoming_links_grouped_with_counts(pclient: FlaskClient) -> None:
    page = html(pclient, "/vocab/ket/KET2018-AM")
    assert re.search(r"key enabling technology</a> <span class=\"count\">\(3\)</span>", page)
    assert re.search(r"related KET</a> <span class=\"count\">\(1\)</span>", page)
    assert "Browse the 3 infrastructures linked to Advanced manufacturing" in page


def test_incoming_paging(settings: Settings) -> None:
    many = "\n".join(
        f"<http://localhost:8080/id/infrastructure/t{i:02d}> a riikg:ResearchInfrastructure ;"
        f' skos:prefLabel "Test lab {i:02d}"@en ; riikg:ket ket:KET2018-AI .'
        for i in range(45)
    )
    app: Flask = app_with(
        settings,
        "@prefix riikg: <https://w3id.org/riikg/ontology/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix ket: <https://w3id.org/riikg/vocab/ket/> .\n"
        f"<http://localhost:8080/graph/source/many> {{ {many} }}",
    )
    client = app.test_client()
    first = html(client, "/vocab/ket/KET2018-AI")
    assert "(46)" in first  # 45 test labs + the Big Data Lab
    assert "Test lab 00" in first and "Test lab 25" not in first
    assert "Page 1 of 3" in first
    nxt = re.search(r'<a rel="next" href="\?([^"#]+)#in-1"', first)
    assert nxt is not None
    params = nxt.group(1).replace("&amp;", "&")
    assert parse_qs(params) == {"page": ["2"], "in": ["riikg:ket"]}
    second = html(client, f"/vocab/ket/KET2018-AI?{params}")
    assert "Test lab 25" in second and "Test lab 00" not in second
    assert "Page 2 of 3" in second


def test_sparql_link_carries_the_query(pclient: FlaskClient, pages_store: OxigraphStore) -> None:
    page = html(pclient, "/id/infrastructure/alfa-lab")
    link = re.search(r'href="(/sparql\?query=[^"]+)"', page)
    assert link is not None
    query = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)["query"][0]
    assert "VALUES ?s { <http://localhost:8080/id/infrastructure/alfa-lab> }" in query
    rows = pages_store.select(query)
    assert any(r["o"].value == "Alfa Laboratory" for r in rows)


def test_schema_org_json_ld(pclient: FlaskClient) -> None:
    page = html(pclient, "/id/infrastructure/alfa-lab")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block is not None
    doc = json.loads(block.group(1))
    assert doc["@context"] == "https://schema.org"
    assert "Place" in doc["@type"]
    assert doc["name"] == "Alfa Laboratory"
    assert doc["geo"]["latitude"] == 44.49
    assert doc["parentOrganization"][0]["name"] == "Example University"


def test_region_page(pclient: FlaskClient) -> None:
    page = html(pclient, "/region/ITH5")
    assert h1(page) == "Emilia-Romagna (ITH5)"
    assert "<strong>3</strong> infrastructures" in page
    assert 'owl:sameAs <a href="http://data.europa.eu/nuts/code/ITH5"' in page
    assert "owl:sameAs" not in html(pclient, "/vocab/ket")
    turtle = pclient.get("/region/ITH5.nt").data.decode()
    assert (
        "<http://localhost:8080/region/ITH5> <http://www.w3.org/2002/07/owl#sameAs> "
        "<http://data.europa.eu/nuts/code/ITH5> ." in turtle
    )
    # priorities with and without matching local infrastructure
    assert re.search(r'class="match"><td><a [^>]+>Advanced mechatronics', page)
    nl = html(pclient, "/region/NL41")
    assert re.search(r'class="gap"><td><a [^>]+>Photonics', nl)
    assert 'href="/region/NL414"' in nl
    assert "/geo/nuts/3.geojson?country=NL" in nl


def test_local_paths_round_trip() -> None:
    for iri in (
        f"{BASE}id/infrastructure/alfa-lab",
        "http://data.europa.eu/nuts/code/ITH5",
        "https://w3id.org/riikg/vocab/ket/KET2018-AM",
        "https://w3id.org/riikg/vocab/ket",
    ):
        path = local_path(iri, BASE)
        assert path is not None
        assert iri_of_path(path, BASE) == iri


def test_home_figures(pclient: FlaskClient) -> None:
    data = json.loads(pclient.get("/index.json").data)
    assert data["figures"] == {
        "infrastructures": 5,
        "organisations": 3,
        "regions": 3,
        "kets": 3,
        "priorities": 4,
        "strategies": 2,
        "sources": 4,
    }
    page = html(pclient, "/")
    assert "<strong>5</strong> infrastructures" in page
    assert "Accept-Language" in pclient.get("/index.json").headers["Vary"]
    assert 'id="map"' in page and "/static/vendor/leaflet/leaflet.js" in page
    assert "tile" not in page.split('id="map"')[1].split(">")[0].replace('data-tiles=""', "")


def test_region_tree_counts(pclient: FlaskClient) -> None:
    rows = {r["code"]: r for r in json.loads(pclient.get("/regions.json").data)}
    assert rows["IT"]["infrastructures"] == 3
    assert rows["ITH5"]["infrastructures"] == 3
    assert rows["ITH55"]["direct"] == 2
    assert rows["NL"]["infrastructures"] == 2
    page = html(pclient, "/regions")
    assert 'href="/region/ITH55"' in page


def test_search(pclient: FlaskClient) -> None:
    def labels(q: str) -> list[str]:
        data = json.loads(pclient.get(f"/search.json?q={q}").data)
        return [r["label"] for r in data["results"]]

    assert "Example University" in labels("universita")  # accent-insensitive
    assert labels("UNIVERSITÀ") == labels("universita")  # case-insensitive
    assert labels("nanol") == ["NanoLab Beta"]  # prefix
    # names rank above descriptions; the exact code "NANO" ranks above a prefix
    assert labels("nano")[:2] == ["Nanotechnology", "NanoLab Beta"]
    assert "Laboratorio Veicoli a Motore" in labels("citta modena")  # description, Italian
    hits = labels("modena")
    assert hits.index("Modena (ITH54)") < hits.index("Laboratorio Veicoli a Motore")
    assert labels("zzzznothing") == []
    assert labels('"%5C%0A') == []  # quotes, backslash, newline: no error, no match
    kinds = json.loads(pclient.get("/search.json?q=bologna").data)["kinds"]
    assert kinds == {"Infrastructure": 1, "Region": 1}
    assert json.loads(pclient.get("/search.json?q=esempio").data)["kinds"] == {"Organisation": 1}
    only = json.loads(
        pclient.get("/search.json?q=bologna&type=https://w3id.org/riikg/ontology/NUTSRegion").data
    )
    assert [r["label"] for r in only["results"]] == ["Bologna (ITH55)"]
    alfa = json.loads(pclient.get("/search.json?q=alfa&lang=it").data)["results"][0]
    assert alfa["description"] == "Laboratorio per la microscopia e le nanotecnologie."
    page = html(pclient, "/search?q=bologna")
    assert 'id="total"' in page and 'href="/region/ITH55"' in page


def test_compare(pclient: FlaskClient) -> None:
    data = json.loads(pclient.get("/compare.json?region=ITH5&region=NL41").data)
    tables = {t["name"]: t for t in data["tables"]}
    assert tables["summary"]["rows"] == [
        ["Emilia-Romagna (ITH5)", 3, 2, 2, 0],
        ["Noord-Brabant (NL41)", 2, 2, 1, 1],
    ]
    kets = {r[0]: r[1:] for r in tables["ket"]["rows"]}
    assert kets == {
        "Advanced manufacturing": [2, 1],
        "Artificial intelligence": [1, 0],
        "Nanotechnology": [1, 1],
    }
    access = {r[0]: r[1:] for r in tables["access"]["rows"]}
    assert access["Market-driven"] == [1, 1]
    page = html(pclient, "/compare?region=ITH5&region=NL41")
    assert page.count("<svg") == 2
    assert 'href="/compare.csv?region=ITH5&amp;region=NL41&amp;table=ket"' in page
    csv_response = pclient.get("/compare.csv?region=ITH5&region=NL41&table=ket")
    assert csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    assert csv_response.data.decode().splitlines()[0] == "KET,ITH5,NL41"
    # strategies of sub-regions count for the country
    countries = json.loads(pclient.get("/compare.json?region=IT&region=NL").data)
    summary = {t["name"]: t for t in countries["tables"]}["summary"]["rows"]
    assert [row[2] for row in summary] == [2, 2]
    assert pclient.get("/compare?region=XX99").status_code == 404
    assert pclient.get("/compare").status_code == 200


def test_browse_pages(pclient: FlaskClient) -> None:
    orgs = html(pclient, "/organisations")
    assert 'href="/infrastructures?host=exuni"' in orgs
    ris3 = html(pclient, "/ris3")
    assert "Brainport RIS3 2021-2027" in ris3
    access = html(pclient, "/vocab/access-mode/market-driven")
    assert 'href="/infrastructures?access=market-driven"' in access
    org = html(pclient, "/id/organisation/exuni")
    assert "Browse the 2 infrastructures" in org
    prio = html(pclient, "/id/ris3-priority/ith5-2021-2027--advanced-mechatronics")
    assert 'href="/infrastructures?priority=ith5-2021-2027--advanced-mechatronics"' in prio


def test_outlines(pclient: FlaskClient) -> None:
    data = json.loads(pclient.get("/geo/nuts/2.geojson?country=IT").data)
    assert [f["properties"]["NUTS_ID"] for f in data["features"]] == ["ITH5"]
    assert pclient.get("/geo/nuts/7.geojson").status_code == 404
    assert pclient.get("/geo/nuts/0.geojson?country=%3Cx%3E").status_code == 400


def test_errors_are_pages(pclient: FlaskClient) -> None:
    response = pclient.get("/id/infrastructure/none", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "<h1>404 Not Found</h1>" in response.data.decode()


def test_survey_template_download(pclient: FlaskClient) -> None:
    page = html(pclient, "/")
    names = re.findall(r'href="/downloads/templates/([^"]+)"', page)
    assert names, "the home page offers the blank survey template"
    response = pclient.get(f"/downloads/templates/{names[0]}")
    try:
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
    finally:
        response.close()
    assert pclient.get("/downloads/templates/..%2Fsources.toml").status_code == 404


def test_tiles_only_when_configured(settings: Settings, pages_store: OxigraphStore) -> None:
    from endpoint import create_app

    plain = html(
        create_app({"TESTING": True}, settings=settings, store=pages_store).test_client(), "/"
    )
    assert 'data-tiles=""' in plain
    tiled_app = create_app(
        {"TESTING": True},
        settings=settings.replace(map_tile_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png"),
        store=pages_store,
    )
    response = tiled_app.test_client().get("/")
    assert 'data-tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in response.get_data(
        as_text=True
    )
    assert (
        "img-src 'self' data: https://*.tiles.example.org"
        in response.headers["Content-Security-Policy"]
    )


def test_open_in_sparql_links_run_on_the_endpoint(pclient: FlaskClient) -> None:
    """Every "open in SPARQL" link is a query the real /sparql endpoint answers."""
    for path in ("/id/infrastructure/alfa-lab", "/infrastructures?ket=KET2018-AM", "/ris3"):
        link = re.search(r'href="(/sparql\?query=[^"]+)"', html(pclient, path))
        assert link is not None, path
        response = pclient.get(
            link.group(1).replace("&amp;", "&"),
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200, (path, response.data[:200])
        assert json.loads(response.data)["results"]["bindings"], path


def test_empty_store(settings: Settings) -> None:
    """A fresh install (nothing loaded yet) serves every view, empty, without errors."""
    from endpoint import create_app

    client = create_app(
        {"TESTING": True}, settings=settings, store=OxigraphStore.memory(settings.base_iri)
    ).test_client()
    for path in ("/", "/regions", "/infrastructures", "/search?q=x", "/compare", "/ris3"):
        assert client.get(path).status_code == 200, path
    assert json.loads(client.get("/infrastructures.json").data)["total"] == 0
    assert client.get("/id/infrastructure/x").status_code == 404
