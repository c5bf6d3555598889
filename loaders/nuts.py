"""NUTS regions (Eurostat) -> SKOS concepts at the Publications Office IRIs.

Files, in order: ``nuts_2024.csv`` (1,609 codes, EU-27, levels 0-3),
``nuts_2021_2024_correspondence.csv`` (Eurostat correspondence table) and
``nuts_2021_label_points.csv`` (GISCO 2021 label points). Every NUTS 2024 code becomes a
``skos:Concept, riikg:NUTSRegion`` in scheme 2024 (and 2021 when the code exists there);
2021 codes that were discontinued are described in scheme 2021 only, and the 2024 code
that took their place says ``dct:replaces`` (see :func:`loaders._reference.replacements`),
and the 2021 code says ``dct:isReplacedBy`` (also for splits, see
:func:`loaders._reference.splits`; merged codes name no successor in the table).

A 2024 region without a 2021 label point of its own (new code) gets the label point of the
one 2021 region it succeeds by a code change or a boundary shift, with
``riikg:pointDerivedFrom`` that region: the point is approximate. Regions made by a split
and Extra-Regio codes stay without a point. Extra-Regio labels are English (``@en``).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from loaders._reference import correspondence_rows, replacements, splits
from loaders.emit import add_point
from loaders.tables import Columns, Row, Table, decode_utf8, read_bytes, read_csv_table
from loaders.values import http_iri, point, show
from riikg.errors import LoadError
from riikg.namespaces import RIIKG, nuts, nuts_scheme
from riikg.sources import Source, SourceGraph

#: language of the national labels, for countries with one official language whose labels
#: Eurostat gives in it; other countries' labels stay untagged
LABEL_LANGUAGE = {
    "AT": "de", "BG": "bg", "CZ": "cs", "DE": "de", "DK": "da", "EE": "et", "EL": "el",
    "FR": "fr", "HR": "hr", "HU": "hu", "IT": "it", "LT": "lt", "LV": "lv", "NL": "nl",
    "PL": "pl", "PT": "pt", "RO": "ro", "SE": "sv", "SI": "sl", "SK": "sk",
}  # fmt: skip

NUTS_2024 = ("nuts_code", "country_code", "level", "label", "parent_code")
CORRESPONDENCE = ("country_code", "code_2021", "code_2024", "level", "label", "change")
LABEL_POINTS = ("nuts_code", "level", "country_code", "lon", "lat")


def _label(text: str, country: str) -> Literal:
    if text.startswith("Extra-Regio"):
        return Literal(text, lang="en")
    lang = LABEL_LANGUAGE.get(country)
    if lang and "/" not in text:
        return Literal(text, lang=lang)
    return Literal(text)


def _table(path: Path, required: tuple[str, ...]) -> Table:
    return read_csv_table(path, Columns(required, _ALLOWED))


_ALLOWED = (
    "nuts_code country_code level label parent_code uri code_2021 code_2024 change "
    "name_latn nuts_name lon lat mount_type urbn_type coast_type"
).split()


def _describe(
    g: SourceGraph, code: str, row: Row, *, parent: str, schemes: list[str], source: URIRef
) -> None:
    """A region of a NUTS table row (code, country, level, label) and its label point."""
    s = nuts(code)
    level, label, country = row.text("level"), row.text("label"), row.text("country_code")
    if level not in ("0", "1", "2", "3"):
        raise LoadError(row.where, f"a NUTS level from 0 to 3 (got {show(level)})")
    g.add((s, RDF.type, SKOS.Concept))
    g.add((s, RDF.type, RIIKG.NUTSRegion))
    for version in schemes:
        g.add((s, SKOS.inScheme, nuts_scheme(version)))
    g.add((s, SKOS.notation, Literal(code)))
    g.add((s, RIIKG.nutsLevel, Literal(int(level), datatype=XSD.integer)))
    if parent:
        g.add((s, SKOS.broader, nuts(parent)))
    if label:
        g.add((s, SKOS.prefLabel, _label(label, country)))
    g.add((s, RIIKG.countryCode, Literal(country)))
    g.add((s, DCTERMS.source, source))
    g.locate(s, None, row.where)


def load_nuts(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Loader ``nuts``: NUTS 2024 (all levels, EU-27) plus the 2021 codes they replace."""
    if len(source.files) != 3:
        raise LoadError(
            source.id,
            "three files: nuts_2024.csv, nuts_2021_2024_correspondence.csv, label points CSV",
        )
    if not source.homepage:
        raise LoadError(source.id, "a homepage (the Eurostat NUTS page, used as dct:source)")
    origin = http_iri(source.homepage, source.id)
    regions = _table(source.files[0], NUTS_2024)
    corr_path = source.files[1]
    corr_table = _table(corr_path, CORRESPONDENCE)
    rows = correspondence_rows(decode_utf8(read_bytes(corr_path), corr_path.name))
    points = _table(source.files[2], LABEL_POINTS)

    codes_2021 = {r["code_2021"]: r for r in rows if r["code_2021"]}
    codes_2024 = {row.text("nuts_code") for row in regions.rows}
    point_of = {row.text("nuts_code"): row for row in points.rows}

    def describe(code: str, row: Row, parent: str, schemes: list[str]) -> None:
        _describe(graph, code, row, parent=parent, schemes=schemes, source=origin)
        at = point_of.get(code)
        if at is not None:
            add_point(graph, nuts(code), *point(at.text("lat"), at.text("lon"), at.where, at.where))

    for row in regions.rows:
        code = row.text("nuts_code")
        if not code:
            raise LoadError(row.where, "a NUTS code in column nuts_code")
        parent = row.text("parent_code")
        if parent and parent not in codes_2024:
            raise LoadError(row.at("parent_code"), "the code of a region in this file")
        describe(
            code,
            row,
            parent,
            ["2024", "2021"] if code in codes_2021 or len(code) == 2 else ["2024"],
        )
    # 2021 codes that no longer exist: scheme 2021 only, and what replaced them
    for row in corr_table.rows:
        old = row.text("code_2021")
        if old and old not in codes_2024:
            describe(old, row, old[:-1] if len(old) > 2 else "", ["2021"])
    successors = {new: old for new, old in replacements(rows).items() if new in codes_2024}
    for new, old in sorted(successors.items()):
        graph.add((nuts(new), DCTERMS.replaces, nuts(old)))
        graph.add((nuts(old), DCTERMS.isReplacedBy, nuts(new)))
    for old, parts in sorted(splits(rows).items()):
        for new in parts:
            if new in codes_2024:
                graph.add((nuts(new), DCTERMS.replaces, nuts(old)))
                graph.add((nuts(old), DCTERMS.isReplacedBy, nuts(new)))
    # new 2024 codes: the label point of the one 2021 region they succeed, marked as such
    for new, old in sorted(successors.items()):
        at = point_of.get(old)
        if new not in point_of and at is not None:
            lat_long = point(at.text("lat"), at.text("lon"), at.where, at.where)
            add_point(graph, nuts(new), *lat_long)
            graph.add((nuts(new), RIIKG.pointDerivedFrom, nuts(old)))
    return graph
