"""Limits on XLSX workbooks, checked on the zip and its XML before openpyxl sees them.

openpyxl trusts what a sheet declares: in read-only mode it pads every row up to the
``<dimension>`` and every gap between two rows, so a 2 KB file declaring ``A1:SR1048576``
makes it produce a million rows of 500 empty cells. Before openpyxl opens a workbook, this
module reads the parts that decide its work with a streaming XML parser that refuses DTDs
and entity declarations, and stops at the first limit crossed:

* the zip: unpacked size and compression ratio (zip bombs);
* each worksheet the loader reads: the declared ``<dimension>``, and the real ``<row r>`` and
  ``<c r>`` references (a file may declare a small dimension and still hold a cell at row
  1,048,576): rows, columns, cells, and the area rows x columns openpyxl would pad;
* the shared-strings table: its number of entries.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from loaders.tables import MAX_COLUMNS
from loaders.values import show
from riikg.errors import LoadError, Location

#: decompressed size an XLSX may reach, and the largest compression ratio (zip bombs)
MAX_UNZIPPED = 256 * 1024 * 1024
MAX_RATIO = 200
#: rows and cells of one sheet (declared or real; columns are bounded by MAX_COLUMNS, as
#: in every table); cells also bounds the area rows x columns that openpyxl pads with empty cells
MAX_ROWS = 100_000
MAX_CELLS = 1_000_000
#: entries of the shared-strings table
MAX_SHARED_STRINGS = 100_000

_CHUNK = 1 << 16
_REF = re.compile(r"^\$?([A-Za-z]{1,3})?\$?([0-9]{1,9})?$")
_SST_TYPE = "sharedStrings+xml"
_SHEET_TYPE = "worksheet+xml"


def _local(name: str) -> str:
    """``uri local`` (expat with a namespace separator) or ``prefix:local`` -> ``local``."""
    return name.rsplit(" ", 1)[-1].rsplit(":", 1)[-1]


def column_number(letters: str) -> int:
    """``A`` -> 1, ``Z`` -> 26, ``AA`` -> 27, ``XFD`` -> 16384.

    >>> column_number("XFD")
    16384
    """
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - ord("A") + 1
    return number


def parse_ref(ref: str) -> tuple[int | None, int | None]:
    """``(column, row)`` of a cell reference such as ``SR1048576`` (either part may be missing).

    Raises:
        ValueError: not a cell reference.
    """
    match = _REF.match(ref.strip())
    if match is None or not any(match.groups()):
        raise ValueError(ref)
    letters, digits = match.groups()
    return (column_number(letters) if letters else None, int(digits) if digits else None)


def _no_dtd(*_args: Any) -> None:
    raise _Refused("XML without DTD or entity declarations")


class _Refused(Exception):
    """A limit crossed while parsing; the scanner turns it into a located ``LoadError``."""

    def __init__(self, expected: str, where: Location | None = None) -> None:
        super().__init__(expected)
        self.expected = expected
        self.where = where


def _scan(
    archive: zipfile.ZipFile,
    member: str,
    on_start: Callable[[str, dict[str, str]], None],
    where: Location,
) -> None:
    """Stream one XML part through ``on_start(local_name, attributes)``; DTDs are refused.

    Attributes in a namespace are named ``uri local``.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    # attributes stay as expat gives them: unqualified ones (r, ref, uniqueCount) by name
    parser.StartElementHandler = lambda tag, attrs: on_start(_local(tag), attrs)
    try:
        with archive.open(member) as fh:
            while chunk := fh.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Refused as exc:
        raise LoadError(exc.where or where, exc.expected) from None
    except expat.ExpatError as exc:
        raise LoadError(
            where, f"well-formed XML in {member} (line {exc.lineno}: {expat.ErrorString(exc.code)})"
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise LoadError(where, f"an intact XLSX zip ({member}: {type(exc).__name__})") from None


@dataclass
class _SheetScan:
    """Counts of one worksheet, refusing as soon as a limit is crossed."""

    file: str
    sheet: str
    row: int = 0
    column: int = 0
    cells: int = 0
    max_row: int = 0
    max_column: int = 0

    def at(self, row: int | None = None, column: int | None = None) -> Location:
        return Location(self.file, sheet=self.sheet, row=row, column=column)

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "c":
            self.cell(attrs.get("r"))
        elif tag == "row":
            self.new_row(attrs.get("r"))
        elif tag == "dimension":
            self.dimension(attrs.get("ref", ""))

    def dimension(self, ref: str) -> None:
        try:
            column, row = parse_ref(ref.rpartition(":")[2])
        except ValueError:
            raise _Refused(f"a sheet dimension such as A1:K20 (got {show(ref)})") from None
        rows, columns = row or 1, column or 1
        if rows > MAX_ROWS:
            raise _Refused(f"a sheet of at most {MAX_ROWS} rows (it declares {rows})")
        if columns > MAX_COLUMNS:
            raise _Refused(f"a sheet of at most {MAX_COLUMNS} columns (it declares {columns})")
        if rows * columns > MAX_CELLS:
            raise _Refused(
                f"a sheet of at most {MAX_CELLS} cells (it declares {rows} rows x {columns} "
                f"columns)"
            )

    def new_row(self, ref: str | None) -> None:
        try:
            self.row = int(ref) if ref is not None else self.row + 1
        except ValueError:
            raise _Refused(f"a row number (got {show(ref)})", self.at(self.row + 1)) from None
        self.column = 0
        if not 1 <= self.row <= MAX_ROWS:
            raise _Refused(f"a sheet of at most {MAX_ROWS} rows", self.at(self.row))
        self.max_row = max(self.max_row, self.row)

    def cell(self, ref: str | None) -> None:
        column, row = self.column + 1, self.row
        if ref is not None:
            try:
                parsed_column, parsed_row = parse_ref(ref)
            except ValueError:
                raise _Refused(f"a cell reference (got {show(ref)})", self.at(row)) from None
            column = parsed_column or column
            row = parsed_row or row
        if not 1 <= row <= MAX_ROWS:
            raise _Refused(f"a sheet of at most {MAX_ROWS} rows", self.at(row, column))
        if column > MAX_COLUMNS:
            raise _Refused(f"a sheet of at most {MAX_COLUMNS} columns", self.at(row, column))
        self.column = column
        self.cells += 1
        self.max_row = max(self.max_row, row)
        self.max_column = max(self.max_column, column)
        if self.cells > MAX_CELLS or self.max_row * self.max_column > MAX_CELLS:
            raise _Refused(
                f"a sheet of at most {MAX_CELLS} cells (its used area reaches row "
                f"{self.max_row}, column {self.max_column})",
                self.at(row, column),
            )


def _check_sizes(archive: zipfile.ZipFile, name: str) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNZIPPED or (info.file_size > 1 << 20 and ratio > MAX_RATIO):
            raise LoadError(name, "an XLSX workbook that is not a zip bomb (too large unpacked)")


def _attributes_of(
    archive: zipfile.ZipFile, member: str, tag: str, where: Location
) -> list[dict[str, str]]:
    """The attributes of every ``tag`` element of a small part (relationships, workbook)."""
    found: list[dict[str, str]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == tag:
            found.append(attrs)
            if len(found) > 10_000:
                raise _Refused(f"at most 10000 {tag} entries in {member}")

    if member in archive.NameToInfo:
        _scan(archive, member, start, where)
    return found


def _rels_of(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _target(part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _worksheets(archive: zipfile.ZipFile, name: str) -> dict[str, str]:
    """Sheet title -> zip member, as the workbook and its relationships say."""
    where = Location(name)
    workbook = next(
        (
            _target("", r.get("Target", ""))
            for r in _attributes_of(archive, "_rels/.rels", "Relationship", where)
            if r.get("Type", "").endswith("/officeDocument")
        ),
        "xl/workbook.xml",
    )
    rels = {
        r.get("Id", ""): _target(workbook, r.get("Target", ""))
        for r in _attributes_of(archive, _rels_of(workbook), "Relationship", where)
    }
    sheets = {}
    for sheet in _attributes_of(archive, workbook, "sheet", where):
        rid = next((v for k, v in sheet.items() if _local(k) == "id"), "")
        member = rels.get(rid)
        if member and member in archive.NameToInfo:
            sheets[sheet.get("name", member)] = member
    return sheets


def check_workbook(data: bytes, name: str, sheets: Container[str] | None = None) -> None:
    """Refuse a workbook that would make openpyxl do unbounded work (see the module docstring).

    Args:
        data: the bytes of the ``.xlsx`` file.
        name: the file name, for messages.
        sheets: titles (stripped, lower-cased) of the sheets the loader reads; others are
            not read and not checked. ``None``: every sheet.

    Raises:
        LoadError: not a zip, a zip bomb, a DTD, or a limit crossed; the message names the
            sheet and, for a real row or cell, its row and column.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise LoadError(name, "an XLSX workbook (the file is not a valid .xlsx zip)") from exc
    with archive:
        _check_sizes(archive, name)
        where = Location(name)
        types = _attributes_of(archive, "[Content_Types].xml", "Override", where)
        tables = {
            _target("", t.get("PartName", ""))
            for t in types
            if t.get("ContentType", "").endswith(_SST_TYPE)
        }
        if "xl/sharedStrings.xml" in archive.NameToInfo:
            tables.add("xl/sharedStrings.xml")
        for member in sorted(t for t in tables if t in archive.NameToInfo):
            _check_shared_strings(archive, member, name)
        for title, member in _worksheets(archive, name).items():
            if sheets is None or title.strip().lower() in sheets:
                scan = _SheetScan(name, title)
                _scan(archive, member, scan.start, Location(name, sheet=title))


def _check_shared_strings(archive: zipfile.ZipFile, member: str, name: str) -> None:
    count = 0
    too_many = f"a shared-strings table of at most {MAX_SHARED_STRINGS} entries"

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal count
        if tag == "si":
            count += 1
            if count > MAX_SHARED_STRINGS:
                raise _Refused(too_many)
        elif tag == "sst":
            declared = attrs.get("uniqueCount", "")
            if declared.isdigit() and int(declared) > MAX_SHARED_STRINGS:
                raise _Refused(f"{too_many} (it declares {declared})")

    _scan(archive, member, start, Location(name))
