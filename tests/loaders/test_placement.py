"""Placing ESFRI rows and MERIL points in NUTS 3 regions: polygon, tolerance, stated country.

The polygons are fictional squares carrying real NUTS 2021 codes (the codes must exist in
the correspondence table); the points are fictional.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from loaders import get_loader
from loaders.infrastructure_files import (
    BY_COUNTRY,
    BY_POLYGON,
    BY_TOLERANCE,
    DISAGREES,
    NO_REGION,
    OUTSIDE,
    TOLERANCE_KM,
    esfri_records,
    haversine_km,
    meril_records,
    region_finder,
)
from riikg.pipeline import LoadReport, Status, load_source
from riikg.sources import Source
from riikg.store.oxigraph import OxigraphStore
from tests.loaders.conftest import bundled, run_loader

#: a square "Roma" with a hole (like the Vatican in the 1:60M polygons)
ROMA = {
    "type": "Polygon",
    "coordinates": [
        [[12.0, 41.5], [13.0, 41.5], [13.0, 42.5], [12.0, 42.5], [12.0, 41.5]],
        [[12.4, 41.85], [12.5, 41.85], [12.5, 41.95], [12.4, 41.95], [12.4, 41.85]],
    ],
}
#: a square "Skåne" whose west edge (lon 13) is the coastline
SKANE = [[[13.0, 55.0], [14.0, 55.0], [14.0, 56.0], [13.0, 56.0], [13.0, 55.0]]]
#: a square "Ain" (France)
AIN = [[[5.0, 45.5], [6.0, 45.5], [6.0, 46.5], [5.0, 46.5], [5.0, 45.5]]]

IN_HOLE = (12.45, 41.9)  # ~4 km from the hole's edge
OFF_COAST = (12.9, 55.5)  # 0.1 degree west of the coast: ~6.3 km at this latitude
TOO_FAR_WEST = (12.8, 55.5)  # 0.2 degree west: ~12.6 km
AT_SEA = (4.0, 40.0)
IN_AIN = (5.5, 46.0)


def _polygons(path: Path) -> Path:
    features = [
        {"code": "ITI43", "geometry": ROMA},
        {"code": "SE224", "geometry": {"type": "Polygon", "coordinates": SKANE}},
        {"code": "FRK21", "geometry": {"type": "Polygon", "coordinates": AIN}},
    ]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"NUTS_ID": f["code"], "LEVL_CODE": 3},
                "geometry": f["geometry"],
            }
            for f in features
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _meril(path: Path, points: dict[str, tuple[float, float]]) -> Path:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "Point", "coordinates": list(lonlat)},
            }
            for name, lonlat in points.items()
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


ESFRI_HEADER = (
    "type,domain,acronym,full_name,roadmap_entry_year,operation_start,legal_status,"
    "construction_cost_meur,operational_budget_meur_per_year,meril_id,meril_id_uncertain,"
    "town,country,lat,lon\n"
)


def _esfri(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """Rows of (acronym, country, lat, lon)."""
    lines = [
        f"Project,Energy,{acr},Fictional Facility {acr},2016,2020,,,,,,,{country},{lat},{lon}"
        for acr, country, lat, lon in rows
    ]
    path.write_text(ESFRI_HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def polygons(tmp_path: Path) -> Path:
    return _polygons(tmp_path / "polygons.geojson")


def test_haversine_is_in_km() -> None:
    assert haversine_km(13.0, 55.5, 12.9, 55.5) == pytest.approx(6.3, abs=0.1)
    assert haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(111.2, abs=0.1)


def test_point_in_a_hole_takes_the_surrounding_region(polygons: Path) -> None:
    finder = region_finder(polygons)
    assert finder.code_at(*IN_HOLE) == ""
    placed = finder.place(*IN_HOLE)
    assert (placed.code, placed.rule) == ("ITI43", BY_TOLERANCE)
    assert 3.5 < placed.km < 4.5


def test_point_just_off_the_coast_within_the_tolerance_in_km(polygons: Path) -> None:
    finder = region_finder(polygons)
    placed = finder.place(*OFF_COAST)
    assert (placed.code, placed.rule) == ("SE224", BY_TOLERANCE)
    assert placed.km == pytest.approx(6.3, abs=0.1)
    # 0.2 degree of longitude is ~12.6 km at 55.5 N: beyond 10 km, though "< 10" in degrees
    assert finder.place(*TOO_FAR_WEST).rule == NO_REGION
    # north of the coast: 0.08 degree of latitude ~8.9 km is in, 0.1 degree ~11.1 km is out
    assert finder.place(13.5, 56.08).code == "SE224"
    assert finder.place(13.5, 56.1).code == ""
    assert TOLERANCE_KM == 10.0


def test_point_far_at_sea_has_no_region(polygons: Path) -> None:
    placed = region_finder(polygons).place(*AT_SEA)
    assert (placed.code, placed.rule) == ("", NO_REGION)
    assert region_finder(polygons).place(*IN_AIN).rule == BY_POLYGON


def test_meril_points_in_holes_and_off_coasts_are_loaded(tmp_path: Path, polygons: Path) -> None:
    points = {
        "Hole Lab (HL)": IN_HOLE,
        "Coast Lab": OFF_COAST,
        "Sea Lab": AT_SEA,
        "Ain Lab": IN_AIN,
        "Skane Lab": (13.5, 55.5),
    }
    tally: Counter[str] = Counter()
    records = meril_records(
        _meril(tmp_path / "m.geojson", points), region_finder(polygons), "x", tally
    )
    got = {r.names["en"]: (r.regions, r.placement) for r in records}
    assert got == {
        "Hole Lab (HL)": (["ITI43"], BY_TOLERANCE),
        "Coast Lab": (["SE224"], BY_TOLERANCE),
        "Skane Lab": (["SE224"], BY_POLYGON),
    }
    assert tally == {
        BY_POLYGON: 1,
        BY_TOLERANCE: 2,
        NO_REGION + " (not loaded)": 1,
        OUTSIDE: 1,
    }


def test_esfri_stated_country_wins_over_the_polygon(tmp_path: Path, polygons: Path) -> None:
    rows = [
        ("STATED", "Belgium", f"{IN_AIN[1]}", f"{IN_AIN[0]}"),  # the polygon says France
        ("AGREES", "France", f"{IN_AIN[1]}", f"{IN_AIN[0]}"),
        ("SEA", "Sweden", f"{AT_SEA[1]}", f"{AT_SEA[0]}"),
        ("NOWHERE", "", "", ""),
        ("UNSTATED", "", f"{IN_HOLE[1]}", f"{IN_HOLE[0]}"),
    ]
    tally: Counter[str] = Counter()
    warnings: list[str] = []
    records = esfri_records(
        _esfri(tmp_path / "e.csv", rows), "x", region_finder(polygons), tally, warnings
    )
    got = {r.acronym: (r.regions, r.placement) for r in records}
    assert got == {
        "STATED": (["BE"], BY_COUNTRY),
        "AGREES": (["FRK21"], BY_POLYGON),
        "SEA": (["SE"], BY_COUNTRY),
        "NOWHERE": ([], NO_REGION),
        "UNSTATED": (["ITI43"], BY_TOLERANCE),
    }
    assert tally == {BY_COUNTRY: 2, BY_POLYGON: 1, BY_TOLERANCE: 1, NO_REGION: 1, DISAGREES: 1}
    assert len(warnings) == 1
    assert "FRK21" in warnings[0] and "Belgium" in warnings[0]


def test_esfri_unknown_country_name_is_refused(tmp_path: Path, polygons: Path) -> None:
    from riikg.errors import LoadError

    path = _esfri(tmp_path / "e.csv", [("X", "Atlantis", "", "")])
    with pytest.raises(LoadError, match="country"):
        esfri_records(path, "x", region_finder(polygons))


def test_the_loader_result_carries_the_counts_into_the_load_summary(
    tmp_path: Path, polygons: Path
) -> None:
    esfri = _esfri(
        tmp_path / "e.csv",
        [("STATED", "Belgium", f"{IN_AIN[1]}", f"{IN_AIN[0]}"), ("NOWHERE", "", "", "")],
    )
    meril = _meril(tmp_path / "m.geojson", {"Hole Lab": IN_HOLE, "Sea Lab": AT_SEA})
    riis = tmp_path / "riis.csv"
    riis.write_text("name,nuts3_code,country_code,source_url\n", encoding="utf-8")
    source = "https://example.org/fictional"
    graph = run_loader("esfri", esfri, polygons, riis, meril, record_source=source)
    assert graph.summary == {BY_COUNTRY: 1, NO_REGION: 1, DISAGREES: 1}
    graph = run_loader("meril", meril, polygons, esfri, riis, record_source=source)
    assert graph.summary == {BY_TOLERANCE: 1, NO_REGION + " (not loaded)": 1}
    report = LoadReport(
        Source(id="meril", loader="meril", files=()), Status.LOADED, 10, summary=graph.summary
    )
    assert report.describe().endswith(f"; {BY_TOLERANCE}: 1, {NO_REGION} (not loaded): 1")


def test_load_source_reports_the_loader_counts(
    tmp_path: Path, polygons: Path, memory_store: OxigraphStore
) -> None:
    esfri = _esfri(tmp_path / "e.csv", [("NOWHERE", "", "", "")])
    meril = _meril(tmp_path / "m.geojson", {"Hole Lab": IN_HOLE, "Coast Lab": OFF_COAST})
    riis = tmp_path / "riis.csv"
    riis.write_text("name,nuts3_code,country_code,source_url\n", encoding="utf-8")
    source = Source(
        id="meril",
        loader="meril",
        files=(meril, polygons, esfri, riis),
        options={"record_source": "https://example.org/fictional"},
    )
    nuts = bundled("nuts")  # the regions the records point to
    load_source(memory_store, nuts, get_loader(nuts.loader))
    report = load_source(memory_store, source, get_loader("meril"))
    assert report.summary == {BY_TOLERANCE: 2}
    assert report.describe().endswith(f"; {BY_TOLERANCE}: 2")
