"""Survey sheets (CSV and XLSX) -> infrastructures, equipment and services.

The template is ``data/templates/riikg-survey-template.xlsx`` (sheets ``infrastructures``,
``equipment``, ``services``) and its CSV equivalents; every column is documented in
``docs/loaders.md``. A CSV source holds one file per sheet: a file whose name contains
``equipment`` or ``service`` is that sheet, any other file is the infrastructures sheet.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from loaders.emit import Emitter
from loaders.records import FIELD_COLUMNS, Host, Infrastructure, Part, assign_slugs
from loaders.tables import Columns, Row, Table, read_csv_table, read_xlsx_tables
from loaders.values import show
from riikg.errors import LoadError, Location
from riikg.namespaces import slugify
from riikg.sources import Source, SourceGraph

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
    "infrastructures": Columns(("name", "source_url"), INFRASTRUCTURE_COLUMNS, INFRASTRUCTURE_LANG),
    "equipment": Columns(("infrastructure", "name"), EQUIPMENT_COLUMNS, EQUIPMENT_LANG),
    "services": Columns(("infrastructure", "name"), SERVICE_COLUMNS, SERVICE_LANG),
}


def _langs(row: Row, prefix: str) -> tuple[dict[str, str], Location]:
    """The ``prefix@LANG`` cells of a row by language, and where the first is (else the row)."""
    pairs = row.lang_columns(prefix)
    where = pairs[0][1].where if pairs else row.where
    return {lang: cell.value for lang, cell in pairs}, where


HOST_COLUMNS = {
    "type": "host_type",
    "country": "host_country",
    "homepage": "host_homepage",
    "ror": "host_ror",
}


def hosts_from_row(row: Row) -> list[Host]:
    """Host organisations of a row: ``host`` may name several, separated by ``;``.

    ``host_type``, ``host_country``, ``host_homepage`` and ``host_ror`` then hold one value
    for all hosts or one value per host, in the same order.
    """
    names = row.multi("host")
    per_host: dict[str, list[str]] = {}
    for field, column in HOST_COLUMNS.items():
        values = row.multi(column)
        if len(values) not in (0, 1, len(names)) or (values and not names):
            cell = row.get(column)
            raise LoadError(
                cell.where if cell else row.where,
                f"one value, or one per host ({len(names)}), separated by ;",
            )
        per_host[field] = values * len(names) if len(values) == 1 else values
    where = {field: row.at(column) for field, column in {"name": "host", **HOST_COLUMNS}.items()}

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


def infrastructure_from_row(row: Row) -> Infrastructure:
    """One row of the infrastructures sheet."""
    names, names_at = _langs(row, "name")
    descriptions, _ = _langs(row, "description")
    access, access_at = _langs(row, "access_information")
    columns = {**FIELD_COLUMNS, "contact_email": "contact_email", "contact_url": "contact_url"}
    locs = {field: row.at(column) for field, column in columns.items()}
    return Infrastructure(
        names=names,
        where=row.where,
        acronym=row.text("acronym"),
        alt_names=row.multi("alt_names"),
        descriptions=descriptions,
        types=row.multi("types"),
        hosts=hosts_from_row(row),
        regions=row.multi("region"),
        locality=row.text("locality"),
        lat=row.text("lat"),
        long=row.text("long"),
        kets=row.multi("kets"),
        priorities=row.multi("ris3_priorities"),
        domains=row.multi("scientific_domains"),
        status=row.text("status"),
        homepage=row.text("homepage"),
        contact_name=row.text("contact_name"),
        contact_email=row.text("contact_email"),
        contact_url=row.text("contact_url"),
        networks=row.multi("networks"),
        access_information=access,
        meril_id=row.text("meril_id"),
        roadmap_entry=row.text("esfri_roadmap_entry"),
        operation_start=row.text("operation_start"),
        legal_status=row.text("legal_status"),
        same_as=list(row.multi("same_as")),
        sources=row.multi("source_url"),
        locs={**locs, "names": names_at, "access": access_at},
    )


def part_from_row(row: Row) -> Part:
    """One row of the equipment or services sheet."""
    names, names_at = _langs(row, "name")
    descriptions, _ = _langs(row, "description")
    conditions, _ = _langs(row, "access_conditions")
    columns = ("access_modes", "sme_eligible", "fee_policy")
    locs = {column: row.at(column) for column in columns}
    return Part(
        names=names,
        where=row.where,
        descriptions=descriptions,
        type=row.text("type"),
        manufacturer=row.text("manufacturer"),
        model=row.text("model"),
        access_modes=row.multi("access_modes"),
        sme_eligible=row.text("sme_eligible"),
        fee_policy=row.text("fee_policy"),
        access_conditions=conditions,
        sources=row.multi("source_url"),
        locs={**locs, "sources": row.at("source_url"), "names": names_at},
    )


def _attach(records: list[Infrastructure], table: Table, *, equipment: bool) -> None:
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
                row.at("infrastructure"),
                "the acronym or name of an infrastructure of the infrastructures sheet",
            )
        found = index.get(cell.value.strip().lower()) or index.get(slugify(cell.value))
        if found is None:
            raise LoadError(
                cell.where,
                f"the acronym or name of an infrastructure of the infrastructures sheet "
                f"(no row has {show(cell.value)})",
            )
        (found.equipment if equipment else found.services).append(part_from_row(row))


def build(tables: dict[str, Table], graph: SourceGraph, base_iri: str) -> SourceGraph:
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


def read_csv_sheet(path: Path, sheet: str, data: bytes | None = None) -> Table:
    return read_csv_table(path, SHEETS[sheet], data=data)


def load_survey_csv(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Loader ``survey_csv``: one CSV file per sheet."""
    tables: dict[str, Table] = {}
    for path in source.files:
        sheet = sheet_of_csv(path)
        if sheet in tables:
            raise LoadError(str(path), f"one {sheet} file per source (two were given)")
        tables[sheet] = read_csv_sheet(path, sheet)
    return build(tables, graph, base_iri)


def read_xlsx(path: Path, data: bytes | None = None) -> dict[str, Table]:
    """The survey sheets of an XLSX workbook as tables (other sheets are ignored)."""
    tables = read_xlsx_tables(path, SHEETS, data)
    if "infrastructures" not in tables:
        raise LoadError(path.name, "a sheet named 'infrastructures' with a header row")
    return tables


def load_survey_xlsx(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Loader ``survey_xlsx``: one workbook with the three sheets."""
    tables: dict[str, Table] = {}
    for path in source.files:
        for sheet, table in read_xlsx(path).items():
            if sheet in tables:
                raise LoadError(path.name, f"one {sheet} sheet per source")
            tables[sheet] = table
    return build(tables, graph, base_iri)
