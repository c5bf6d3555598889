"""NUTS loader: derived points of new 2024 codes, successor links, Extra-Regio labels."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from loaders import get_loader
from riikg.namespaces import RIIKG, nuts, nuts_scheme
from riikg.sources import Source, SourceGraph
from tests.loaders.conftest import load_bundled

WGS_LAT = URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
WGS_LONG = URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#long")
PARTNERS = {"IT", "NL", "BE", "DE", "LV", "EE", "CZ", "SE"}


def _code(s: object) -> str:
    return str(s).rsplit("/", 1)[1]


@pytest.fixture(scope="module")
def g() -> Graph:
    return load_bundled("nuts")


def test_lv00c_has_approximate_point_of_lv008(g: Graph) -> None:
    assert g.value(nuts("LV00C"), RIIKG.pointDerivedFrom) == nuts("LV008")
    assert g.value(nuts("LV00C"), WGS_LAT) == g.value(nuts("LV008"), WGS_LAT)
    assert g.value(nuts("LV00C"), WGS_LONG) == g.value(nuts("LV008"), WGS_LONG)
    # a region with its own label point is not marked
    assert g.value(nuts("ITH55"), RIIKG.pointDerivedFrom) is None


def test_derived_point_counts(g: Graph) -> None:
    in_2024 = set(g.subjects(SKOS.inScheme, nuts_scheme("2024")))
    derived = {s for s in in_2024 if g.value(s, RIIKG.pointDerivedFrom) is not None}
    assert len(derived) == 50
    assert len({s for s in derived if _code(s)[:2] in PARTNERS}) == 26
    for code in ("LV00A", "LV00B", "LV00C", "NL35", "NL36", "NL361", "DEG0R"):
        assert nuts(code) in derived, code
    without = {_code(s) for s in in_2024 if g.value(s, WGS_LAT) is None}
    extra_regio = {c for c in without if c.endswith("Z")}
    assert len(extra_regio) == 81
    assert without - extra_regio == {"PT1A", "PT1A0", "PT1B", "PT1B0", "PT1D"}
    assert not {c for c in without if c[:2] in PARTNERS and not c.endswith("Z")}


def test_successor_links(g: Graph) -> None:
    assert (nuts("LV008"), DCTERMS.isReplacedBy, nuts("LV00C")) in g
    assert (nuts("NL332"), DCTERMS.isReplacedBy, nuts("NL361")) in g
    assert set(g.objects(nuts("PT17"), DCTERMS.isReplacedBy)) == {nuts("PT1A"), nuts("PT1B")}
    assert (nuts("PT1A0"), DCTERMS.replaces, nuts("PT170")) in g
    for old, new in g.subject_objects(DCTERMS.isReplacedBy):
        assert (new, DCTERMS.replaces, old) in g
    assert len(set(g.subject_objects(DCTERMS.isReplacedBy))) == 54
    # the bundled correspondence names no successor for merged codes: none is invented
    assert g.value(nuts("LV007"), DCTERMS.isReplacedBy) is None
    assert g.value(nuts("DEG0N"), DCTERMS.isReplacedBy) is None


def test_extra_regio_labels_are_english(g: Graph) -> None:
    labels = [
        lab
        for s in g.subjects(SKOS.inScheme, nuts_scheme("2024"))
        for lab in g.objects(s, SKOS.prefLabel)
        if str(lab).startswith("Extra-Regio")
    ]
    assert len(labels) == 81
    assert {lab.language for lab in labels if isinstance(lab, Literal)} == {"en"}
    assert g.value(nuts("LVZZZ"), SKOS.prefLabel) == Literal("Extra-Regio NUTS 3", lang="en")
    assert g.value(nuts("LV00C"), SKOS.prefLabel) == Literal("Vidzeme", lang="lv")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_fixture_derivation(tmp_path: Path) -> None:
    regions = _write(
        tmp_path / "nuts.csv",
        "nuts_code,country_code,level,label,parent_code,uri\n"
        "LV,LV,0,Latvija,,\nLV0,LV,1,Latvija,LV,\nLV00,LV,2,Latvija,LV0,\n"
        "LV00C,LV,3,Vidzeme,LV00,\nLV00D,LV,3,Split part,LV00,\n"
        "LVZ,LV,1,Extra-Regio NUTS 1,LV,\n",
    )
    corr = _write(
        tmp_path / "corr.csv",
        "country_code,code_2021,code_2024,level,label,change\n"
        "LV,LV,LV,0,,\nLV,LV0,LV0,1,Latvija,\nLV,LV00,LV00,2,Latvija,\n"
        "LV,LV007,,3,Pierīga,Merged\n"
        "LV,LV008,,3,Vidzeme,Boundary shift\nLV,,LV00C,3,Vidzeme,New region\n"
        "LV,LV009,,3,Old,Split\nLV,,LV00D,3,Split part,New region\n"
        "LV,LVZ,LVZ,1,Extra-Regio NUTS 1,\n",
    )
    points = _write(
        tmp_path / "points.csv",
        "nuts_code,level,country_code,lon,lat\n"
        "LV007,3,LV,24.7,57.2\nLV008,3,LV,25.9,57.3\nLV009,3,LV,24.0,56.5\n",
    )
    source = Source(
        id="test", loader="nuts", files=(regions, corr, points), homepage="https://ec.europa.eu/"
    )
    g = get_loader("nuts")(source, SourceGraph(), base_iri="http://localhost:8080/")
    assert g.value(nuts("LV00C"), RIIKG.pointDerivedFrom) == nuts("LV008")
    assert str(g.value(nuts("LV00C"), WGS_LAT)) == "57.3"
    # a split part gets its successor link but no point (the old point may lie elsewhere)
    assert (nuts("LV009"), DCTERMS.isReplacedBy, nuts("LV00D")) in g
    assert g.value(nuts("LV00D"), WGS_LAT) is None
    assert g.value(nuts("LV007"), DCTERMS.isReplacedBy) is None
    assert g.value(nuts("LVZ"), SKOS.prefLabel) == Literal("Extra-Regio NUTS 1", lang="en")
