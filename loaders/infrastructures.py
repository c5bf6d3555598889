"""The bundled infrastructures: ESFRI Roadmap 2016, MERIL 2018 points, curated RIIs.

The three are separate sources (separate licences) loaded in this order. The same
infrastructure in two of them keeps one IRI per source and the later source links to the
earlier one with ``owl:sameAs`` (never silently duplicated):

* MERIL -> ESFRI: equal names (ignoring a trailing ``(ACRONYM)``) or equal acronyms.
* curated -> MERIL: the MERIL name quoted in ``coord_source``, else equal name/acronym
  when ``coord_source`` says MERIL; curated -> ESFRI: equal name or acronym.

Slugs follow docs/model.md; across the three sources the curated RIIs keep their slug, an
ESFRI slug already taken gets ``-esfri`` and a MERIL one ``-meril``, so IRIs of different
sources never merge by accident. Each loader reads the other two sources' files (listed
after its own in the manifest) to compute the same slugs and links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, SKOS

from loaders import _common as c
from loaders._reference import nuts_2021_to_2024
from loaders.records import Emitter, Host, Infrastructure, assign_slugs
from riikg.errors import LoadError, Location
from riikg.namespaces import RIIKG, Kind, mint, slugify
from riikg.sources import Source, SourceGraph
from riikg.store.base import Store

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
_QUOTED = re.compile(r"'([^']+)'")
NOT_STATED = "not stated in source"


def _norm(text: str) -> str:
    return slugify(text)


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


def _option(source: Source, key: str) -> str:
    value = source.options.get(key)
    if not value:
        raise LoadError(source.id, f"the manifest option {key!r}")
    return str(value)


# --- regions by point-in-polygon ------------------------------------------------------------


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
        doc = json.loads(c.decode_utf8(c.read_bytes(path), path.name))
    except json.JSONDecodeError as exc:
        raise LoadError(
            Location(path.name, line=exc.lineno, column=exc.colno), "well-formed GeoJSON"
        ) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise LoadError(path.name, "a GeoJSON FeatureCollection")
    return doc


# --- ESFRI ----------------------------------------------------------------------------------


def esfri_records(
    path: Path, record_source: str, finder: RegionFinder | None
) -> list[Infrastructure]:
    """The ESFRI Roadmap 2016 rows as records."""
    table = c.read_csv_table(path, required=("type", "acronym", "full_name"), allowed=ESFRI_COLUMNS)
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
        if finder and rec.lat and rec.long:
            lat = c.decimal_in(rec.lat, -90, 90, rec.at("lat"), "latitude")
            lon = c.decimal_in(rec.long, -180, 180, rec.at("long"), "longitude")
            code = finder.code_at(float(lon), float(lat))
            rec.regions = [code] if code else []
        out.append(rec)
    return out


def _year_or_blank(text: str) -> str:
    return text if re.fullmatch(r"\d{4}", text.strip()) else ""


# --- MERIL ----------------------------------------------------------------------------------


def meril_records(path: Path, finder: RegionFinder, record_source: str) -> list[Infrastructure]:
    """MERIL 2018 points inside a NUTS 3 region of the eight project countries."""
    out = []
    for i, feature in enumerate(_geojson(path).get("features", [])):
        where = Location(path.name, column_name=f"/features/{i}")
        name = str(feature.get("properties", {}).get("name", "")).strip()
        geometry = feature.get("geometry") or {}
        coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
        if not name or not isinstance(coords, list) or len(coords) < 2:
            raise LoadError(where, "a Feature with a name and a Point geometry")
        lon, lat = float(coords[0]), float(coords[1])
        code = finder.code_at(lon, lat)
        if not code or code[:2] not in PROJECT_COUNTRIES:
            continue
        base, acronym = split_acronym(name)
        out.append(
            Infrastructure(
                names={"en": name},
                where=where,
                acronym=acronym,
                alt_names=[base] if acronym else [],
                regions=[code],
                lat=f"{lat}",
                long=f"{lon}",
                sources=[record_source],
            )
        )
    return out


def _keys(record: Infrastructure) -> set[str]:
    names = {split_acronym(n)[0] for n in record.names.values()}
    keys = {_norm(n) for n in names} | {_norm(n) for n in record.alt_names}
    if record.acronym:
        keys.add("acronym:" + _norm(record.acronym))
    return {k for k in keys if k and k != "acronym:"}


def _index(records: Sequence[Infrastructure], slugs: Sequence[str]) -> dict[str, str]:
    index: dict[str, str] = {}
    for record, slug in zip(records, slugs, strict=True):
        for key in _keys(record):
            index.setdefault(key, slug)
    return index


def _avoid(slugs: list[str], taken: set[str], suffix: str) -> list[str]:
    """Give slugs already used by an earlier source the suffix ``-{source id}``."""
    return [f"{s}-{suffix}" if s in taken else s for s in slugs]


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


def _row_sources(row: c.Row) -> list[str]:
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
    table = c.read_csv_table(
        path, required=("name", "nuts3_code", "country_code", "source_url"), allowed=RIIS_COLUMNS
    )
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
            kets_2009=c.split_multi(row.get("kets")),
            kets_2018=c.split_multi(row.get("kets_2018")),
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


# --- the three together ----------------------------------------------------------------------


@dataclass
class Bundle:
    """The three bundled infrastructure sources with final slugs and cross-source links."""

    riis: list[Infrastructure]
    esfri: list[Infrastructure]
    meril: list[Infrastructure]


def bundle(
    base_iri: str,
    *,
    riis_path: Path,
    esfri_path: Path,
    meril_path: Path,
    polygons_path: Path,
    esfri_source: str = "https://example.invalid/",
    meril_source: str = "https://example.invalid/",
) -> Bundle:
    """Records of the three sources with slugs and ``owl:sameAs`` links.

    Slug precedence: curated RIIs, then ESFRI (``-esfri`` on a clash), then MERIL
    (``-meril``). Links go from the later-loaded source to the earlier one (MERIL -> ESFRI,
    curated -> MERIL and ESFRI), so each source only points at IRIs already in the store.
    """
    finder = region_finder(polygons_path)
    pairs = riis_records(riis_path)
    riis = [r for r, _ in pairs]
    esfri = esfri_records(esfri_path, esfri_source, finder)
    meril = meril_records(meril_path, finder, meril_source)
    r_slugs = assign_slugs(riis)
    e_slugs = _avoid(assign_slugs(esfri), set(r_slugs), "esfri")
    m_slugs = _avoid(assign_slugs(meril), set(r_slugs) | set(e_slugs), "meril")
    for records, slugs in ((riis, r_slugs), (esfri, e_slugs), (meril, m_slugs)):
        for record, slug in zip(records, slugs, strict=True):
            record.slug = slug
    esfri_index = _index(esfri, e_slugs)
    meril_index = _index(meril, m_slugs)
    meril_by_name = {r.names["en"]: s for r, s in zip(meril, m_slugs, strict=True)}
    meril_by_slug = dict(zip(m_slugs, meril, strict=True))

    def link(record: Infrastructure, slug: str | None) -> None:
        if slug:
            record.same_as.append(mint(base_iri, Kind.INFRASTRUCTURE, slug))

    for record in meril:
        link(
            record, next((esfri_index[k] for k in sorted(_keys(record)) if k in esfri_index), None)
        )
    for record, coord in pairs:
        keys = sorted(_keys(record))
        if "MERIL" in coord:
            quoted = _QUOTED.findall(coord)
            target = meril_by_name.get(quoted[0]) if quoted else None
            target = target or next((meril_index[k] for k in keys if k in meril_index), None)
            if target is None:
                raise LoadError(record.at("coord_source"), "the name of a loaded MERIL point")
            link(record, target)
            _coordinates_from(record, meril_by_slug[target])
        link(record, next((esfri_index[k] for k in keys if k in esfri_index), None))
    return Bundle(riis, esfri, meril)


def esfri_network(graph: SourceGraph, base_iri: str, record_source: str) -> None:
    """The ``riikg:Network`` of the ESFRI Roadmap 2016."""
    network = mint(base_iri, Kind.NETWORK, slugify(ESFRI_NETWORK))
    graph.add((network, RDF.type, RIIKG.Network))
    graph.add((network, SKOS.prefLabel, Literal(ESFRI_NETWORK, lang="en")))
    description = (
        "Projects and landmarks of the 2016 roadmap of the European Strategy Forum "
        "on Research Infrastructures (ESFRI)."
    )
    graph.add((network, DCTERMS.description, Literal(description, lang="en")))
    graph.add((network, DCTERMS.source, c.http_iri(record_source, "record_source")))


def _coordinates_from(record: Infrastructure, point: Infrastructure) -> None:
    """Take a curated row's coordinates from the MERIL point it cites.

    ``riis.csv`` holds these coordinates with latitude and longitude swapped (the GeoJSON
    ``[lon, lat]`` pair was copied into ``lat, lon``); the GeoJSON is the source, so its
    order is used. Coordinates that match neither order are refused.
    """
    if record.lat or record.long:
        given = {_round(record.lat), _round(record.long)}
        if given != {_round(point.lat), _round(point.long)}:
            raise LoadError(record.at("lat"), "the coordinates of the cited MERIL point")
    record.lat, record.long = point.lat, point.long


def _round(value: str) -> str:
    return f"{float(value):.4f}"


def _files(source: Source, roles: tuple[str, ...]) -> dict[str, Path]:
    """The source's files by role (``riis``, ``esfri``, ``meril``, ``polygons``)."""
    if len(source.files) != len(roles):
        raise LoadError(source.id, f"{len(roles)} files: " + ", ".join(roles))
    return dict(zip(roles, source.files, strict=True))


def _bundle(base_iri: str, files: dict[str, Path], **sources: str) -> Bundle:
    return bundle(
        base_iri,
        riis_path=files["riis"],
        esfri_path=files["esfri"],
        meril_path=files["meril"],
        polygons_path=files["polygons"],
        **sources,
    )


def load_esfri(
    source: Source, graph: SourceGraph, *, base_iri: str, store: Store | None = None
) -> Graph:
    """Loader ``esfri``: files ESFRI CSV, NUTS polygons, curated riis.csv, MERIL GeoJSON."""
    files = _files(source, ("esfri", "polygons", "riis", "meril"))
    record_source = _option(source, "record_source")
    records = _bundle(base_iri, files, esfri_source=record_source).esfri
    esfri_network(graph, base_iri, record_source)
    Emitter(graph, base_iri).emit(records)
    return graph


def load_meril(
    source: Source, graph: SourceGraph, *, base_iri: str, store: Store | None = None
) -> Graph:
    """Loader ``meril``: files MERIL GeoJSON, NUTS polygons, ESFRI CSV, curated riis.csv."""
    files = _files(source, ("meril", "polygons", "esfri", "riis"))
    found = _bundle(base_iri, files, meril_source=_option(source, "record_source"))
    Emitter(graph, base_iri).emit(found.meril)
    return graph


def load_riis(
    source: Source, graph: SourceGraph, *, base_iri: str, store: Store | None = None
) -> Graph:
    """Loader ``riis``: files riis.csv, MERIL GeoJSON, NUTS polygons, ESFRI CSV."""
    files = _files(source, ("riis", "meril", "polygons", "esfri"))
    found = _bundle(base_iri, files)
    Emitter(graph, base_iri).emit(found.riis)
    return graph
