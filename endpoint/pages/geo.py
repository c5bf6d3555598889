"""NUTS region outlines (bundled GISCO GeoJSON) per level and country, cached in memory."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from endpoint.state import get_settings
from riikg.resources import data_dir

GEOJSON_NAME = "NUTS_RG_60M_2021_4326.geojson"
KEEP = ("NUTS_ID", "LEVL_CODE", "CNTR_CODE", "NAME_LATN")


def geojson_path() -> Path | None:
    """The bundled outlines file (the ``nuts_geojson`` setting overrides it)."""
    configured = get_settings().nuts_geojson
    if configured is not None:
        return configured
    try:
        return data_dir() / "nuts" / GEOJSON_NAME
    except FileNotFoundError:
        return None


@lru_cache(maxsize=4)
def _features(path: str, mtime: float) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    features: list[dict[str, Any]] = doc.get("features", [])
    return features


@lru_cache(maxsize=64)
def _outlines(path: str, mtime: float, level: int, country: str) -> bytes:
    out = []
    for feature in _features(path, mtime):
        props = feature.get("properties") or {}
        if int(props.get("LEVL_CODE", -1)) != level:
            continue
        if country and props.get("CNTR_CODE") != country:
            continue
        kept = {k: props.get(k) for k in KEEP}
        kept["href"] = f"/region/{props.get('NUTS_ID', '')}"
        out.append({"type": "Feature", "properties": kept, "geometry": feature.get("geometry")})
    doc = {"type": "FeatureCollection", "features": out}
    return json.dumps(doc, separators=(",", ":")).encode("utf-8")


def outlines(level: int, country: str = "") -> bytes | None:
    """GeoJSON of the regions of one NUTS level (optionally one country), or None."""
    path = geojson_path()
    if path is None or not path.is_file():
        return None
    return _outlines(str(path), path.stat().st_mtime, level, country)
