"""JSON exports (``data/templates/riikg-export.schema.json``) -> infrastructures.

The document is checked against the bundled JSON Schema first (a small validator for the
keywords that schema uses: no network, no ``$ref`` outside the file); errors name the
JSON pointer of the bad value. The fields mirror the survey columns (docs/loaders.md).
JSON-LD files (``.jsonld``) go through the ``rdf_file`` loader instead.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from rdflib import Graph

from loaders.emit import Emitter
from loaders.records import FIELD_COLUMNS, Host, Infrastructure, Part
from loaders.tables import parse_json, read_bytes
from riikg.errors import LoadError, Location
from riikg.resources import data_dir
from riikg.sources import Source, SourceGraph

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
}


@lru_cache(maxsize=1)
def export_schema() -> dict[str, Any]:
    """The bundled JSON Schema of the export format."""
    text = (data_dir() / "templates" / "riikg-export.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref are supported: {ref}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return _resolve(node, root)


def check(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "") -> list[str]:
    """Problems of ``value`` against ``schema`` as ``"pointer: expected …"`` strings."""
    schema = _resolve(schema, root)
    here = path or "/"
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        ok = any(
            isinstance(value, _TYPES[t]) and not (t != "boolean" and isinstance(value, bool))
            for t in names
        )
        if not ok:
            return [f"{here}: expected {' or '.join(names)}"]
    problems: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{here}: expected one of {', '.join(map(str, schema['enum']))}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            problems.append(f"{here}: expected a non-empty string")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{here}: expected a value matching {schema['pattern']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            problems.append(f"{here}: expected at least {schema['minItems']} item(s)")
        if "items" in schema:
            for i, item in enumerate(value):
                problems += check(item, schema["items"], root, f"{path}/{i}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{here}: expected a member {key!r}")
        props = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        for key, item in value.items():
            sub = f"{path}/{key}"
            if key in props:
                problems += check(item, props[key], root, sub)
                continue
            matched = [p for p in patterns if re.search(p, key)]
            for p in matched:
                problems += check(item, patterns[p], root, sub)
            if not matched and schema.get("additionalProperties", True) is False:
                known = ", ".join(props) or "language tags"
                problems.append(f"{sub}: unknown member (expected one of: {known})")
    return problems


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def infrastructure_from_json(obj: dict[str, Any], name: str, index: int) -> Infrastructure:
    """One member of ``infrastructures`` as a record."""
    ptr = f"/infrastructures/{index}"

    def at(key: str) -> Location:
        return Location(name, column_name=f"{ptr}/{key}")

    fields = {
        **FIELD_COLUMNS,
        "names": "name",
        "descriptions": "description",
        "contact_email": "contact",
        "contact_url": "contact",
        "access": "access_information",
    }
    contact = obj.get("contact", {})
    hosts = [
        Host(
            name=h["name"],
            type=h.get("type", ""),
            country=h.get("country", ""),
            homepage=h.get("homepage", ""),
            ror=h.get("ror", ""),
            where={"name": at(f"hosts/{i}/name"), "type": at(f"hosts/{i}/type")},
        )
        for i, h in enumerate(obj.get("hosts", []))
    ]
    record = Infrastructure(
        names=dict(obj.get("name", {})),
        where=Location(name, column_name=ptr),
        acronym=obj.get("acronym", ""),
        alt_names=list(obj.get("alt_names", [])),
        descriptions=dict(obj.get("description", {})),
        types=list(obj.get("types", [])),
        hosts=hosts,
        regions=list(obj.get("region", [])),
        locality=obj.get("locality", ""),
        lat=_text(obj.get("lat")),
        long=_text(obj.get("long")),
        kets=list(obj.get("kets", [])),
        priorities=list(obj.get("ris3_priorities", [])),
        domains=list(obj.get("scientific_domains", [])),
        status=obj.get("status", ""),
        homepage=obj.get("homepage", ""),
        contact_name=contact.get("name", ""),
        contact_email=contact.get("email", ""),
        contact_url=contact.get("url", ""),
        networks=list(obj.get("networks", [])),
        access_information=dict(obj.get("access_information", {})),
        meril_id=obj.get("meril_id", ""),
        roadmap_entry=_text(obj.get("esfri_roadmap_entry")),
        operation_start=_text(obj.get("operation_start")),
        legal_status=obj.get("legal_status", ""),
        same_as=list(obj.get("same_as", [])),
        sources=list(obj.get("source_url", [])),
        locs={k: at(v) for k, v in fields.items()},
    )
    for kind in ("equipment", "services"):
        for j, item in enumerate(obj.get(kind, [])):
            where = Location(name, column_name=f"{ptr}/{kind}/{j}")
            part = Part(
                names=dict(item.get("name", {})),
                where=where,
                descriptions=dict(item.get("description", {})),
                type=item.get("type", ""),
                manufacturer=item.get("manufacturer", ""),
                model=item.get("model", ""),
                access_modes=list(item.get("access_modes", [])),
                sme_eligible=_text(item.get("sme_eligible")),
                fee_policy=item.get("fee_policy", ""),
                access_conditions=dict(item.get("access_conditions", {})),
                sources=list(item.get("source_url", [])),
            )
            (record.equipment if kind == "equipment" else record.services).append(part)
    return record


def read_export(data: bytes, name: str) -> list[Infrastructure]:
    """Parse and check an export document; return its records."""
    doc = parse_json(data, name)
    schema = export_schema()
    problems = check(doc, schema, schema)
    if problems:
        first = problems[0]
        pointer, _, expected = first.partition(": ")
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise LoadError(Location(name, column_name=pointer), expected + more)
    return [infrastructure_from_json(o, name, i) for i, o in enumerate(doc["infrastructures"])]


def load_json_export(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Loader ``json_export``: JSON documents in the riikg export format."""
    records: list[Infrastructure] = []
    for path in source.files:
        records += read_export(read_bytes(path), path.name)
    Emitter(graph, base_iri).emit(records)
    return graph
