"""The bundled infrastructure files as records: ESFRI Roadmap 2016 CSV, MERIL 2018 GeoJSON
points, curated ``riis.csv``; and the NUTS 3 region that holds a point.

Each reader returns :class:`~loaders.records.Infrastructure` records with values as written;
``loaders.infrastructures`` gives them their slugs and links across the three sources.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from loaders._reference import nuts_2021_to_2024, nuts_2024
from loaders.records import Host, Infrastructure
from loaders.tables import Columns, Row, decode_utf8, read_bytes, read_csv_table
from loaders.values import point
from riikg.errors import LoadError, Location
from riikg.namespaces import slugify

#: the eight INNO INFRA SHARE countries (MERIL points outside them are not loaded)
PROJECT_COUNTRIES = ("IT", "NL", "BE", "DE", "LV", "EE", "CZ", "SE")
ESFRI_NETWORK = "ESFRI Roadmap 2016"

ESFRI_COLUMNS = (
    "type domain acronym full_name roadmap_entry_year operation_start legal_status "
    "construction_cost_meur operational_budget_meur_per_year meril_id meril_id_uncertain town "
    "country lat lon"
).split()
RIIS_COLUMNS = (
    "name acronym description host_organisation city nuts3_code country_code website kets "
    "kets_2018 access_info status wikidata_qid ror_id lat lon coord_source source_url "
    "source_url_2"
).split()

_ACRONYM = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")
_REPO_REF = re.compile(r"repo\s+(\S+)\s+path\s+(\S+)\s+commit\s+([0-9a-f]{40})")
NOT_STATED = "not stated in source"

#: a point outside every NUTS 3 polygon (a hole such as the Vatican, or just off the
#: generalised 1:60M coastline) takes the nearest region within this distance
TOLERANCE_KM = 10.0
_EARTH_KM = 6371.0088

#: how a record got its region (keys of the load summary)
BY_POLYGON = "by polygon"
BY_TOLERANCE = f"by tolerance ({TOLERANCE_KM:g} km)"
BY_COUNTRY = "by stated country only"
NO_REGION = "without region"
DISAGREES = "polygon in another country than stated (dropped)"
OUTSIDE = "outside the project countries (not loaded)"

#: English country names as the ESFRI file writes them -> NUTS country codes
COUNTRY_CODES = {
    "austria": "AT", "belgium": "BE", "bulgaria": "BG", "croatia": "HR", "cyprus": "CY",
    "czech republic": "CZ", "czechia": "CZ", "denmark": "DK", "estonia": "EE",
    "finland": "FI", "france": "FR", "germany": "DE", "greece": "EL", "hungary": "HU",
    "ireland": "IE", "italy": "IT", "latvia": "LV", "lithuania": "LT", "luxembourg": "LU",
    "malta": "MT", "netherlands": "NL", "poland": "PL", "portugal": "PT", "romania": "RO",
    "slovakia": "SK", "slovenia": "SI", "spain": "ES", "sweden": "SE", "norway": "NO",
    "iceland": "IS", "liechtenstein": "LI", "switzerland": "CH", "united kingdom": "UK",
    "chile": "CL",
}  # fmt: skip


def split_acronym(name: str) -> tuple[str, str]:
    """``"Sea Mammal Research Unit (SMRU)"`` -> ``("Sea Mammal Research Unit", "SMRU")``."""
    match = _ACRONYM.match(name.strip())
    if match and match.group(1):
        return match.group(1), match.group(2)
    return name.strip(), ""


def repo_url(text: str) -> str:
    """A curated "repo X path P commit C" reference as its GitHub address (else '')."""
    match = _REPO_REF.search(text)
    if not match:
        return ""
    repo, path, commit = match.groups()
    return f"https://github.com/{repo}/blob/{commit}/{path}"


@dataclass(frozen=True)
class RegionFinder:
    """NUTS 2021 level-3 polygons -> the NUTS 2024 code of the region holding a point."""

    codes: tuple[str, ...]
    tree: Any
    geoms: tuple[Any, ...]

    def code_at(self, lon: float, lat: float) -> str:
        """The NUTS 2024 code (via the 2021-2024 correspondence), or '' outside every region."""
        from shapely.geometry import Point

        point = Point(lon, lat)
        for index in self.tree.query(point):
            if self.geoms[int(index)].covers(point):
                code = self.codes[int(index)]
                return nuts_2021_to_2024().get(code, "")
        return ""

    def place(self, lon: float, lat: float, tolerance_km: float = TOLERANCE_KM) -> Placement:
        """The region holding a point, else the nearest one within ``tolerance_km``.

        Distances are great-circle kilometres from the point to the nearest point of each
        candidate polygon (never degrees); the nearest point is found in a local
        equirectangular projection around the point (longitude scaled by cos(latitude)), so
        that a degree east and a degree north are not taken for the same distance.
        """
        from shapely.affinity import scale
        from shapely.geometry import Point, box
        from shapely.ops import nearest_points

        code = self.code_at(lon, lat)
        if code:
            return Placement(code, BY_POLYGON)
        dlat = math.degrees(tolerance_km / _EARTH_KM) * 1.01
        here = Point(lon, lat)
        shrink = max(math.cos(math.radians(lat)), 0.01)
        dlon = dlat / shrink
        best: tuple[float, str] | None = None
        for index in self.tree.query(box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)):
            local = scale(self.geoms[int(index)], xfact=shrink, yfact=1.0, origin=here)
            near = nearest_points(local, here)[0]
            km = haversine_km(lon, lat, lon + (near.x - lon) / shrink, near.y)
            if km <= tolerance_km and (best is None or km < best[0]):
                best = (km, self.codes[int(index)])
        if best is not None:
            code = nuts_2021_to_2024().get(best[1], "")
            if code:
                return Placement(code, BY_TOLERANCE, round(best[0], 3))
        return Placement("", NO_REGION)


@dataclass(frozen=True)
class Placement:
    """A NUTS 2024 code ('' for none), the rule that gave it, and the distance in km."""

    code: str
    rule: str
    km: float = 0.0


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in kilometres between two WGS 84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


@lru_cache(maxsize=4)
def region_finder(path: Path) -> RegionFinder:
    """Index the level-3 polygons of a GISCO NUTS GeoJSON file."""
    from shapely.geometry import shape
    from shapely.strtree import STRtree

    doc = _geojson(path)
    codes, geoms = [], []
    for feature in doc.get("features", []):
        props = feature.get("properties", {})
        if props.get("LEVL_CODE") == 3 and feature.get("geometry"):
            codes.append(str(props["NUTS_ID"]))
            geoms.append(shape(feature["geometry"]))
    return RegionFinder(tuple(codes), STRtree(geoms), tuple(geoms))


def _geojson(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(decode_utf8(read_bytes(path), path.name))
    except json.JSONDecodeError as exc:
        raise LoadError(
            Location(path.name, line=exc.lineno, column=exc.colno), "well-formed GeoJSON"
        ) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise LoadError(path.name, "a GeoJSON FeatureCollection")
    return doc


# --- ESFRI ----------------------------------------------------------------------------------


def esfri_records(
    path: Path,
    record_source: str,
    finder: RegionFinder | None,
    tally: Counter[str] | None = None,
    warnings: list[str] | None = None,
) -> list[Infrastructure]:
    """The ESFRI Roadmap 2016 rows as records.

    The file's ``country`` wins over the polygons: a polygon (or tolerance) region is kept
    only in the stated country, else it is dropped (counted in ``tally``, explained in
    ``warnings``) and the record gets the stated country's NUTS 0 region when there is one.
    """
    tally = Counter() if tally is None else tally
    warnings = [] if warnings is None else warnings
    table = read_csv_table(path, Columns(("type", "acronym", "full_name"), ESFRI_COLUMNS))
    out = []
    for row in table.rows:
        cell = row.get
        rec = Infrastructure(
            names={"en": row.text("full_name") or row.text("acronym")},
            where=row.where,
            acronym=row.text("acronym"),
            descriptions={
                "en": f"{row.text('type')} of the ESFRI Roadmap 2016 "
                f"(domain: {row.text('domain')})."
            },
            domains=[row.text("domain")] if row.text("domain") else [],
            locality=row.text("town"),
            lat=row.text("lat"),
            long=row.text("lon"),
            networks=[slugify(ESFRI_NETWORK)],
            meril_id="" if row.text("meril_id_uncertain") else row.text("meril_id"),
            roadmap_entry=row.text("roadmap_entry_year"),
            operation_start=_year_or_blank(row.text("operation_start")),
            legal_status="" if row.text("legal_status") in ("", "NA") else row.text("legal_status"),
            sources=[record_source],
            locs={
                k: v.where for k in ("lat", "long") if (v := cell("lat" if k == "lat" else "lon"))
            },
        )
        rec.placement = _esfri_place(rec, row, finder, tally, warnings)
        tally[rec.placement] += 1
        rec.regions = [rec.placement_code] if rec.placement_code else []
        out.append(rec)
    return out


def _esfri_place(
    rec: Infrastructure,
    row: Row,
    finder: RegionFinder | None,
    tally: Counter[str],
    warnings: list[str],
) -> str:
    """Set ``rec.placement_code`` and return the rule that placed the row."""
    stated = row.text("country")
    country = COUNTRY_CODES.get(stated.strip().lower(), "") if stated else ""
    if stated and not country:
        raise LoadError(row.at("country"), f"an English country name (got {stated!r})")
    found = Placement("", NO_REGION)
    if finder and rec.lat and rec.long:
        lat, lon = point(rec.lat, rec.long, rec.at("lat"), rec.at("long"))
        found = finder.place(float(lon), float(lat))
    if found.code and (not country or found.code[:2] == country):
        rec.placement_code = found.code
        return found.rule
    if found.code:
        tally[DISAGREES] += 1
        warnings.append(
            f"{rec.where}: the polygon region {found.code} is not in the stated country "
            f"{stated}; dropped"
        )
    if country and country in nuts_2024():
        rec.placement_code = country
        return BY_COUNTRY
    rec.placement_code = ""
    return NO_REGION


def _year_or_blank(text: str) -> str:
    return text if re.fullmatch(r"\d{4}", text.strip()) else ""


# --- MERIL ----------------------------------------------------------------------------------


def meril_records(
    path: Path, finder: RegionFinder, record_source: str, tally: Counter[str] | None = None
) -> list[Infrastructure]:
    """MERIL 2018 points in (or within the tolerance of) a NUTS 3 region of the project
    countries; ``tally`` counts the rule that placed each point and the points left out."""
    tally = Counter() if tally is None else tally
    out = []
    for i, feature in enumerate(_geojson(path).get("features", [])):
        where = Location(path.name, column_name=f"/features/{i}")
        name = str(feature.get("properties", {}).get("name", "")).strip()
        geometry = feature.get("geometry") or {}
        coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
        if not name or not isinstance(coords, list) or len(coords) < 2:
            raise LoadError(where, "a Feature with a name and a Point geometry")
        lon, lat = float(coords[0]), float(coords[1])
        found = finder.place(lon, lat)
        if not found.code:
            tally[NO_REGION + " (not loaded)"] += 1
            continue
        if found.code[:2] not in PROJECT_COUNTRIES:
            tally[OUTSIDE] += 1
            continue
        tally[found.rule] += 1
        code = found.code
        base, acronym = split_acronym(name)
        out.append(
            Infrastructure(
                names={"en": name},
                where=where,
                acronym=acronym,
                alt_names=[base] if acronym else [],
                regions=[code],
                placement=found.rule,
                placement_code=code,
                lat=f"{lat}",
                long=f"{lon}",
                sources=[record_source],
            )
        )
    return out


# --- curated RIIs ---------------------------------------------------------------------------


def _status(text: str) -> str:
    low = text.lower()
    for prefix, status in (
        ("operational", "operational"),
        ("under construction", "under-construction"),
        ("planned", "planned"),
    ):
        if low.startswith(prefix):
            return status
    return "unknown"


def _row_sources(row: Row) -> list[str]:
    out = []
    for column in ("source_url", "source_url_2"):
        cell = row.get(column)
        if cell is None:
            continue
        value = cell.value if cell.value.startswith("http") else repo_url(cell.value)
        if not value:
            raise LoadError(cell.where, "an http(s) URL or 'repo … path … commit …'")
        out.append(value)
    return out


def riis_records(path: Path) -> list[tuple[Infrastructure, str]]:
    """The curated RIIs as records with their ``coord_source`` (links are added by the loader)."""
    required = ("name", "nuts3_code", "country_code", "source_url")
    table = read_csv_table(path, Columns(required, RIIS_COLUMNS))
    out = []
    for row in table.rows:
        host = row.text("host_organisation")
        access = row.text("access_info")
        at = {
            "regions": "nuts3_code",
            "kets_2009": "kets",
            "kets_2018": "kets_2018",
            "homepage": "website",
            "lat": "lat",
            "long": "lon",
            "sources": "source_url",
            "status": "status",
        }
        locs = {k: cell.where for k, col in at.items() if (cell := row.get(col))}
        locs["kets"] = locs.get("kets_2009", row.where)
        hosts = []
        if host and host.lower() != NOT_STATED:
            hw = row.get("host_organisation")
            hosts.append(
                Host(
                    name=host,
                    country=row.text("country_code"),
                    where={"name": hw.where} if hw else {},
                )
            )
        record = Infrastructure(
            names={"en": row.text("name")},
            where=row.where,
            acronym=row.text("acronym"),
            descriptions={"en": row.text("description")} if row.text("description") else {},
            hosts=hosts,
            regions=[row.text("nuts3_code")],
            locality=row.text("city"),
            lat=row.text("lat"),
            long=row.text("lon"),
            kets_2009=row.multi("kets"),
            kets_2018=row.multi("kets_2018"),
            status=_status(row.text("status")) if row.text("status") else "",
            homepage=row.text("website"),
            access_information={"en": access} if access and access != NOT_STATED else {},
            sources=_row_sources(row),
            locs=locs,
        )
        out.append((record, row.text("coord_source")))
        coord = row.text("coord_source")
        url = repo_url(coord)
        if url and url not in out[-1][0].sources:
            out[-1][0].sources.append(url)
        coord_cell = row.get("coord_source")
        if coord_cell:
            out[-1][0].locs["coord_source"] = coord_cell.where
    return out
