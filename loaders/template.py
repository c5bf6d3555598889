"""Write the blank survey template (XLSX and CSV) that ``data/templates/`` ships.

Run ``python -m loaders.template data/templates`` to regenerate it; a test checks that the
shipped files match the columns the survey loader accepts.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from loaders.survey import EQUIPMENT_COLUMNS, INFRASTRUCTURE_COLUMNS, SERVICE_COLUMNS

#: column order of each sheet (language columns shown for English; add name@it etc.)
HEADERS: dict[str, list[str]] = {
    "infrastructures": ["name@en", "acronym", "alt_names", "description@en"]
    + [c for c in INFRASTRUCTURE_COLUMNS if c not in ("acronym", "alt_names", "source_url")]
    + ["access_information@en", "source_url"],
    "equipment": ["infrastructure", "name@en", "description@en"]
    + [c for c in EQUIPMENT_COLUMNS if c != "infrastructure"],
    "services": ["infrastructure", "name@en", "description@en"]
    + [c for c in SERVICE_COLUMNS if c not in ("infrastructure", "source_url")]
    + ["access_conditions@en", "source_url"],
}

README = [
    ("riikg survey template", ""),
    ("sheet infrastructures", "one row per infrastructure"),
    ("sheet equipment", "one row per instrument; column infrastructure = acronym or name"),
    ("sheet services", "one row per service; column infrastructure = acronym or name"),
    ("several languages", "add columns such as name@it, description@nl (BCP 47 tags)"),
    ("several values", "separate them with ; (semicolon)"),
    ("required", "name@LANG and source_url (the public page the facts come from)"),
    ("documentation", "docs/loaders.md: every column, allowed values, slug rules"),
]


def csv_name(sheet: str) -> str:
    return f"riikg-survey-{sheet}.csv"


def write_templates(directory: Path) -> list[Path]:
    """Write ``riikg-survey-template.xlsx`` and one CSV per sheet into ``directory``."""
    import openpyxl
    from openpyxl.styles import Font

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    book = openpyxl.Workbook()
    readme = book.active
    assert readme is not None
    readme.title = "readme"
    for row in README:
        readme.append(list(row))
    readme["A1"].font = Font(bold=True)
    for sheet, header in HEADERS.items():
        ws = book.create_sheet(sheet)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        path = directory / csv_name(sheet)
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerow(header)
        written.append(path)
    xlsx = directory / "riikg-survey-template.xlsx"
    book.save(xlsx)
    # openpyxl stamps the current time into docProps/core.xml; fix it for reproducible files
    _fix_timestamps(xlsx)
    return [xlsx, *written]


def _fix_timestamps(path: Path) -> None:
    import re
    import zipfile

    stamp = "2026-01-01T00:00:00Z"
    entries = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rf"\g<1>{stamp}", text)
                data = text.encode("utf-8")
            entries.append((info.filename, data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


if __name__ == "__main__":  # pragma: no cover
    for p in write_templates(Path(sys.argv[1] if len(sys.argv) > 1 else "data/templates")):
        print(p)
