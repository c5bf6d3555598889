"""Survey sheets (CSV and XLSX) -> infrastructures, equipment and services.

The template is ``data/templates/riikg-survey-template.xlsx`` (sheets ``infrastructures``,
``equipment``, ``services``) and its CSV equivalents; every column is documented in
``docs/loaders.md``. A CSV source holds one file per sheet: a file whose name contains
``equipment`` or ``service`` is that sheet, any other file is the infrastructures sheet.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

from rdflib import Graph

from loaders import _common as c
from loaders._xlsx import check_workbook
from loaders.records import Emitter, Host, Infrastructure, Part, assign_slugs
from riikg.errors import LoadError, Location
from riikg.namespaces import slugify
from riikg.sources import Source, SourceGraph
from riikg.store.base import Store

INFRASTRUCTURE_COLUMNS = (
    "acronym alt_names types host host_type host_country host_homepage host_ror region "
    "locality lat long kets ris3_priorities scientific_domains status homepage contact_name "
    "contact_email contact_url networks meril_id esfri_roadmap_entry operation_start "
    "legal_status same_as source_url"
).split()
INFRASTRUCTURE_LANG = ("name", "description", "access_information")
EQUIPMENT_COLUMNS = "infrastructure type manufacturer model source_url".split()
EQUIPMENT_LANG = ("name", "description")
SERVICE_COLUMNS = "infrastructure access_modes sme_eligible fee_policy source_url".split()
SERVICE_LANG = ("name", "description", "access_conditions")

SHEETS = {
    "infrastructures": (("name", "source_url"), INFRASTRUCTURE_COLUMNS, INFRASTRUCTURE_LANG),
    "equipment": (("infrastructure", "name"), EQUIPMENT_COLUMNS, EQUIPMENT_LANG),
    "services": (("infrastructure", "name"), SERVICE_COLUMNS, SERVICE_LANG),
}


def _langs(row: c.Row, prefix: str) -> tuple[dict[str, str], Location | None]:
    pairs = row.lang_columns(prefix)
    where = pairs[0][1].where if pairs else None
    return {lang: cell.value for lang, cell in pairs}, where


def _locs(row: c.Row, mapping: dict[str, str]) -> dict[str, Location]:
    out = {}
    for field, column in mapping.items():
        cell = row.get(column)
        out[field] = (
            cell.where
            if cell
            else Location(
                row.where.file, sheet=row.where.sheet, row=row.where.row, column_name=column
            )
        )
    return out


HOST_COLUMNS = {
    "type": "host_type",
    "country": "host_country",
    "homepage": "host_homepage",
    "ror": "host_ror",
}


def hosts_from_row(row: c.Row) -> list[Host]:
    """Host organisations of a row: ``host`` may name several, separated by ``;``.

    ``host_type``, ``host_country``, ``host_homepage`` and ``host_ror`` then hold one value
    for all hosts or one value per host, in the same order.
    """
    names = c.split_multi(row.get("host"))
    per_host: dict[str, list[str]] = {}
    for field, column in HOST_COLUMNS.items():
        values = c.split_multi(row.get(column))
        if len(values) not in (0, 1, len(names)) or (values and not names):
            cell = row.get(column)
            raise LoadError(
                cell.where if cell else row.where,
                f"one value, or one per host ({len(names)}), separated by ;",
            )
        per_host[field] = values * len(names) if len(values) == 1 else values
    where = _locs(row, {"name": "host", **HOST_COLUMNS})

    def value(field: str, i: int) -> str:
        values = per_host[field]
        return values[i] if values else ""

    return [
        Host(
            name=name,
            type=value("type", i),
            country=value("country", i),
            homepage=value("homepage", i),
            ror=value("ror", i),
            where=where,
        )
        for i, name in enumerate(names)
    ]


def infrastructure_from_row(row: c.Row) -> Infrastructure:
    """One row of the infrastructures sheet."""
    names, names_at = _langs(row, "name")
    descriptions, _ = _langs(row, "description")
    access, access_at = _langs(row, "access_information")
    locs = _locs(
        row,
        {
            "types": "types",
            "regions": "region",
            "lat": "lat",
            "long": "long",
            "kets": "kets",
            "priorities": "ris3_priorities",
            "status": "status",
            "homepage": "homepage",
            "contact_email": "contact_email",
            "contact_url": "contact_url",
            "networks": "networks",
            "roadmap": "esfri_roadmap_entry",
            "operation_start": "operation_start",
            "same_as": "same_as",
            "sources": "source_url",
        },
    )
    locs["names"] = names_at or Location(row.where.file, row.where.row, sheet=row.where.sheet)
    if access_at:
        locs["access"] = access_at
    hosts = hosts_from_row(row)
    multi = c.split_multi
    return Infrastructure(
        names=names,
        where=row.where,
        acronym=row.text("acronym"),
        alt_names=multi(row.get("alt_names")),
        descriptions=descriptions,
        types=multi(row.get("types")),
        hosts=hosts,
        regions=multi(row.get("region")),
        locality=row.text("locality"),
        lat=row.text("lat"),
        long=row.text("long"),
        kets=multi(row.get("kets")),
        priorities=multi(row.get("ris3_priorities")),
        domains=multi(row.get("scientific_domains")),
        status=row.text("status"),
        homepage=row.text("homepage"),
        contact_name=row.text("contact_name"),
        contact_email=row.text("contact_email"),
        contact_url=row.text("contact_url"),
        networks=multi(row.get("networks")),
        access_information=access,
        meril_id=row.text("meril_id"),
        roadmap_entry=row.text("esfri_roadmap_entry"),
        operation_start=row.text("operation_start"),
        legal_status=row.text("legal_status"),
        same_as=list(multi(row.get("same_as"))),
        sources=multi(row.get("source_url")),
        locs=locs,
    )


def part_from_row(row: c.Row) -> Part:
    """One row of the equipment or services sheet."""
    names, names_at = _langs(row, "name")
    descriptions, _ = _langs(row, "description")
    conditions, _ = _langs(row, "access_conditions")
    locs = _locs(
        row,
        {
            "access_modes": "access_modes",
            "sme_eligible": "sme_eligible",
            "fee_policy": "fee_policy",
            "sources": "source_url",
        },
    )
    if names_at:
        locs["names"] = names_at
    return Part(
        names=names,
        where=row.where,
        descriptions=descriptions,
        type=row.text("type"),
        manufacturer=row.text("manufacturer"),
        model=row.text("model"),
        access_modes=c.split_multi(row.get("access_modes")),
        sme_eligible=row.text("sme_eligible"),
        fee_policy=row.text("fee_policy"),
        access_conditions=conditions,
        sources=c.split_multi(row.get("source_url")),
        locs=locs,
    )


def _attach(records: list[Infrastructure], table: c.Table, *, equipment: bool) -> None:
    """Attach equipment/service rows to the infrastructure named in their first column."""
    index: dict[str, Infrastructure] = {}
    for record in records:
        keys = [record.acronym, *record.names.values(), record.slug]
        for key in keys:
            if key:
                index.setdefault(key.strip().lower(), record)
                index.setdefault(slugify(key), record)
    for row in table.rows:
        cell = row.get("infrastructure")
        if cell is None:
            raise LoadError(
                Location(
                    row.where.file,
                    sheet=row.where.sheet,
                    row=row.where.row,
                    column_name="infrastructure",
                ),
                "the acronym or name of an infrastructure of the infrastructures sheet",
            )
        found = index.get(cell.value.strip().lower()) or index.get(slugify(cell.value))
        if found is None:
            raise LoadError(
                cell.where,
                f"the acronym or name of an infrastructure of the infrastructures sheet "
                f"(no row has {c.show(cell.value)})",
            )
        (found.equipment if equipment else found.services).append(part_from_row(row))


def build(tables: dict[str, c.Table], graph: SourceGraph, base_iri: str) -> SourceGraph:
    """Map the sheets of one survey to the graph."""
    if "infrastructures" not in tables:
        raise LoadError("survey", "an infrastructures sheet or file")
    records = [infrastructure_from_row(row) for row in tables["infrastructures"].rows]
    for record, slug in zip(records, assign_slugs(records), strict=True):
        record.slug = slug  # so equipment and services may name their infrastructure by slug
    if "equipment" in tables:
        _attach(records, tables["equipment"], equipment=True)
    if "services" in tables:
        _attach(records, tables["services"], equipment=False)
    Emitter(graph, base_iri).emit(records)
    return graph


def sheet_of_csv(path: Path) -> str:
    """Which sheet a CSV file holds, from its name."""
    stem = path.stem.lower()
    if "equipment" in stem:
        return "equipment"
    if "service" in stem:
        return "services"
    return "infrastructures"


def read_csv_sheet(path: Path, sheet: str, data: bytes | None = None) -> c.Table:
    required, allowed, langs = SHEETS[sheet]
    return c.read_csv_table(
        path, required=required, allowed=allowed, lang_prefixes=langs, data=data
    )


def load_survey_csv(
    source: Source, graph: SourceGraph, *, base_iri: str, store: Store | None = None
) -> Graph:
    """Loader ``survey_csv``: one CSV file per sheet."""
    tables: dict[str, c.Table] = {}
    for path in source.files:
        sheet = sheet_of_csv(path)
        if sheet in tables:
            raise LoadError(str(path), f"one {sheet} file per source (two were given)")
        tables[sheet] = read_csv_sheet(path, sheet)
    return build(tables, graph, base_iri)


def read_xlsx(path: Path, data: bytes | None = None) -> dict[str, c.Table]:
    """The known sheets of an XLSX workbook as tables (other sheets are ignored).

    The workbook is checked first (``loaders._xlsx``: zip bombs, and sheets declaring or
    holding more rows, columns or cells than allowed), so openpyxl's work stays bounded.
    """
    import openpyxl

    raw = c.read_bytes(path) if data is None else data
    check_workbook(raw, path.name, SHEETS)
    with warnings.catch_warnings():
        # openpyxl warns about spreadsheet features it ignores (data validation extensions)
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for bad files
            raise LoadError(path.name, f"an XLSX workbook ({type(exc).__name__})") from exc
    tables: dict[str, c.Table] = {}
    try:
        for ws in book.worksheets:
            sheet = ws.title.strip().lower()
            if sheet in SHEETS:
                table = _read_sheet(ws, path.name)
                if table is not None:
                    tables[sheet] = table
    finally:
        book.close()
    if "infrastructures" not in tables:
        raise LoadError(path.name, "a sheet named 'infrastructures' with a header row")
    return tables


def _read_sheet(ws: Any, name: str) -> c.Table | None:
    """One sheet as a table (``None`` without a header row); cells are read as text."""
    texts: list[tuple[int, list[str]]] = []
    number = 1
    try:
        for number, values in enumerate(ws.iter_rows(values_only=True), 1):
            if number > 1 and values.count(None) == len(values):
                continue  # openpyxl pads gaps between rows with empty ones
            texts.append((number, _row_text(values, name, ws.title, number)))
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for bad cells
        raise LoadError(
            Location(name, sheet=ws.title, row=number + 1),
            f"cells an XLSX reader can read ({type(exc).__name__})",
        ) from None
    if not texts:
        return None
    required, allowed, langs = SHEETS[ws.title.strip().lower()]
    columns = c.check_header(
        texts[0][1],
        file=name,
        sheet=ws.title,
        required=required,
        allowed=allowed,
        lang_prefixes=langs,
    )
    return c.Table(name, ws.title, columns, list(c.make_rows(texts[1:], columns, name, ws.title)))


def _row_text(values: tuple[Any, ...], name: str, sheet: str, row: int) -> list[str]:
    out = []
    for column, value in enumerate(values, 1):
        text = _cell_text(value)
        if len(text) > c.MAX_CELL:
            raise LoadError(
                Location(name, sheet=sheet, row=row, column=column),
                f"cells of at most {c.MAX_CELL} characters",
            )
        out.append(text)
    return out


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def load_survey_xlsx(
    source: Source, graph: SourceGraph, *, base_iri: str, store: Store | None = None
) -> Graph:
    """Loader ``survey_xlsx``: one workbook with the three sheets."""
    tables: dict[str, c.Table] = {}
    for path in source.files:
        for sheet, table in read_xlsx(path).items():
            if sheet in tables:
                raise LoadError(path.name, f"one {sheet} sheet per source")
            tables[sheet] = table
    return build(tables, graph, base_iri)
