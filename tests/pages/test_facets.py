"""The faceted list: generated queries against golden files, results and counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib.plugins.sparql import prepareQuery

from endpoint.pages.facets import BadFilter, Facet, Selection, count_query, list_query

EXPECTED = Path(__file__).parent / "expected"
BASE = "http://localhost:8080/"
CASES: dict[str, tuple[dict[str, list[str]], Facet | None]] = {
    "list_all": ({}, None),
    "list_region_ket": ({"region": ["ITH5"], "ket": ["KET2018-AM"]}, None),
    "list_every_facet": (
        {
            "ket": ["KET2018-NANO", "KET2018-AM"],
            "region": ["ITH5"],
            "country": ["IT"],
            "access": ["market-driven"],
            "type": ["laboratory"],
            "priority": ["ith5-2021-2027--advanced-mechatronics"],
            "host": ["exuni"],
        },
        None,
    ),
    "count_ket_under_region_access": (
        {"region": ["NL41"], "access": ["market-driven"], "ket": ["KET2018-AI"]},
        Facet.KET,
    ),
    "count_region_all": ({}, Facet.REGION),
}


def generated(name: str) -> str:
    args, facet = CASES[name]
    selection = Selection.from_args(args)
    return list_query(selection, BASE) if facet is None else count_query(selection, facet, BASE)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_query(name: str) -> None:
    text = generated(name)
    assert text == (EXPECTED / f"{name}.rq").read_text(encoding="utf-8")
    prepareQuery(text)  # and it is valid SPARQL


def test_bad_values_never_reach_the_query() -> None:
    for args in (
        {"region": ["ITH5> } ; DROP ALL ; #"]},
        {"ket": ['x" } #']},
        {"country": ["I T"]},
        {"host": ["a b"]},
    ):
        with pytest.raises(BadFilter):
            list_query(Selection.from_args(args), BASE)


def _json(client: FlaskClient, qs: str) -> dict[str, object]:
    response = client.get(f"/infrastructures.json?{qs}")
    assert response.status_code == 200
    data: dict[str, object] = json.loads(response.data)
    return data


def _labels(data: dict[str, object]) -> set[str]:
    items = data["items"]
    assert isinstance(items, list)
    return {i["label"] for i in items}


def test_filters_combine(pclient: FlaskClient) -> None:
    assert _json(pclient, "")["total"] == 5
    # region includes its sub-regions
    assert _labels(_json(pclient, "region=ITH5")) == {
        "Big Data Lab",
        "Laboratorio Veicoli a Motore",
        "Alfa Laboratory",
    }
    # AND across facets
    assert _labels(_json(pclient, "region=ITH5&ket=KET2018-AM")) == {
        "Laboratorio Veicoli a Motore",
        "Alfa Laboratory",
    }
    # OR within a facet
    assert _json(pclient, "ket=KET2018-AI&ket=KET2018-NANO")["total"] == 3
    assert _labels(_json(pclient, "access=market-driven&country=NL")) == {"NanoLab Beta"}
    assert _labels(_json(pclient, "type=pilot-line&country=NL")) == {"Gamma Campus pilot line"}
    assert _labels(_json(pclient, "priority=nl41-2021-2027--high-tech-systems")) == {"NanoLab Beta"}
    assert _json(pclient, "host=exuni")["total"] == 2


def test_counts_are_disjunctive(pclient: FlaskClient) -> None:
    data = _json(pclient, "ket=KET2018-AM&country=IT")
    facets = data["facets"]
    assert isinstance(facets, dict)
    kets = {v["value"]: v["count"] for v in facets["ket"]}
    # KET counts ignore the KET filter but honour the country filter
    assert kets == {"KET2018-AM": 2, "KET2018-NANO": 1, "KET2018-AI": 1}
    countries = {v["value"]: v["count"] for v in facets["country"]}
    assert countries == {"IT": 2, "NL": 1}
    regions = {v["value"]: v["count"] for v in facets["region"]}
    assert regions["IT"] == 2 and regions["ITH55"] == 1 and regions["ITH54"] == 1


def test_bad_filter_is_400(pclient: FlaskClient) -> None:
    assert pclient.get("/infrastructures?region=%3Cscript%3E").status_code == 400


def test_html_view_links_and_paging(pclient: FlaskClient) -> None:
    html = pclient.get("/infrastructures?ket=KET2018-AM").data.decode()
    assert 'href="/id/infrastructure/alfa-lab"' in html
    assert "Advanced manufacturing" in html
    # a facet value link adds to the current selection (shareable GET URL)
    assert "?ket=KET2018-AM&amp;country=IT" in html
    assert "/sparql?query=" in html
    geo = json.loads(pclient.get("/infrastructures.geojson?country=NL").data)
    assert [f["properties"]["label"] for f in geo["features"]] == ["NanoLab Beta"]
