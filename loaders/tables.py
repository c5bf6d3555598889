"""Reading input files safely: bytes, UTF-8 text, JSON, and CSV/XLSX tables of located cells.

Row numbers are spreadsheet rows: the header is row 1, the first data row is row 2.
Column numbers start at 1. Errors never quote file contents beyond the offending value.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from loaders.values import is_lang_tag, show
from riikg.errors import LoadError, Location
from riikg.pipeline import check_xml_text

#: largest input file a loader reads (bytes)
MAX_FILE_BYTES = 64 * 1024 * 1024
#: largest CSV cell (characters); also set as ``csv.field_size_limit`` while reading
MAX_CELL = 128 * 1024
#: most columns a table may have
MAX_COLUMNS = 512
#: most digits of a JSON integer (Python refuses to convert more than 4,300)
MAX_INT_DIGITS = 100

#: separator of multi-valued cells
MULTI_SEP = ";"


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a file, refusing missing or oversized files with a clear error."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise LoadError(str(path), f"a file of at most {limit} bytes (it has {size})")
        return path.read_bytes()
    except OSError as exc:
        raise LoadError(
            str(path), f"a readable file ({exc.strerror or type(exc).__name__})"
        ) from exc


def location_at(name: str, data: str | bytes, index: int) -> Location:
    """``name:line:column`` of the character (or byte) at ``index`` of ``data``.

    >>> str(location_at("x.ttl", b"a\\nbc", 3))
    'x.ttl:2:2'
    """
    newline: Any = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(newline, 0, index) + 1
    column = index - (data.rfind(newline, 0, index) + 1) + 1
    return Location(name, line=line, column=column)


def decode_utf8(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM is allowed); a bad byte is reported with its line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            location_at(name, data, exc.start),
            f"UTF-8 text (byte 0x{data[exc.start]:02x} is not valid UTF-8; save the file as UTF-8)",
        ) from exc


class _LongNumber(Exception):
    def __init__(self, digits: str) -> None:
        super().__init__(digits)
        self.digits = digits


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _LongNumber(text)
    return int(text)


def parse_json(data: bytes, name: str) -> Any:
    """Parse UTF-8 JSON; errors name ``file:line:column`` and never echo the input.

    Integers are limited to :data:`MAX_INT_DIGITS` digits.
    """
    text = decode_utf8(data, name)
    try:
        return json.loads(text, parse_int=_bounded_int)
    except RecursionError:
        raise LoadError(name, "JSON nested less deeply (too many levels)") from None
    except _LongNumber as exc:
        # the decoder does not say where the number is: the first run of its digits is it
        raise LoadError(
            location_at(name, text, max(text.find(exc.digits), 0)),
            f"a number of at most {MAX_INT_DIGITS} digits (it has {len(exc.digits.lstrip('-'))})",
        ) from None
    except json.JSONDecodeError as exc:
        raise LoadError(
            Location(name, line=exc.lineno, column=exc.colno), f"well-formed JSON ({exc.msg})"
        ) from None


@dataclass(frozen=True)
class Cell:
    """One non-empty cell value and where it is."""

    value: str
    where: Location


@dataclass
class Row:
    """One data row of a table: cells by (lower-cased) column name."""

    cells: dict[str, Cell]
    where: Location

    def get(self, column: str) -> Cell | None:
        return self.cells.get(column)

    def text(self, column: str) -> str:
        cell = self.cells.get(column)
        return cell.value if cell else ""

    def at(self, column: str) -> Location:
        """Where the value of ``column`` is, or would be in this row when the cell is empty."""
        cell = self.cells.get(column)
        if cell is not None:
            return cell.where
        return Location(
            self.where.file, sheet=self.where.sheet, row=self.where.row, column_name=column
        )

    def multi(self, column: str) -> list[str]:
        """Values of a ``;``-separated cell, trimmed, empty parts dropped."""
        return [part.strip() for part in self.text(column).split(MULTI_SEP) if part.strip()]

    def lang_columns(self, prefix: str) -> list[tuple[str, Cell]]:
        """``(lang, cell)`` for every ``prefix@lang`` column with a value."""
        out = []
        for name, cell in self.cells.items():
            if name.startswith(prefix + "@"):
                out.append((name.split("@", 1)[1], cell))
        return sorted(out)


@dataclass(frozen=True)
class Table:
    """A table read from a CSV file or a spreadsheet sheet."""

    name: str
    sheet: str | None
    columns: list[str]
    rows: list[Row]


class Columns(NamedTuple):
    """The columns a table must have, may have, and may have once per language (``name@en``)."""

    required: Sequence[str]
    allowed: Sequence[str]
    lang_prefixes: Sequence[str] = ()


def check_header(
    header: Sequence[str], *, file: str, sheet: str | None, spec: Columns
) -> list[str]:
    """Normalise a header row; unknown, duplicate or missing columns raise one error naming them."""
    if len(header) > MAX_COLUMNS:
        raise LoadError(
            Location(file, sheet=sheet, row=1), f"at most {MAX_COLUMNS} columns ({len(header)})"
        )
    names = [h.strip().lower() for h in header]
    prefixes = tuple(spec.lang_prefixes)
    allowed_set = set(spec.allowed) | set(spec.required)
    unknown, seen, dupes = [], set(), []
    for name in names:
        if not name:
            continue
        base, _, lang = name.partition("@")
        if lang and base in prefixes:
            if not is_lang_tag(lang):
                unknown.append(name)
        elif name not in allowed_set:
            unknown.append(name)
        if name in seen:
            dupes.append(name)
        seen.add(name)
    problems = []
    present_bases = {n.partition("@")[0] for n in seen}
    missing = [r for r in spec.required if r not in seen and r not in present_bases]
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if unknown:
        problems.append("unknown column(s): " + ", ".join(show(u) for u in unknown))
    if dupes:
        problems.append("duplicate column(s): " + ", ".join(dupes))
    if problems:
        langs = ", ".join(f"{p}@LANG" for p in prefixes)
        hint = (
            "; known columns: " + ", ".join(sorted(allowed_set)) + (f", {langs}" if langs else "")
        )
        raise LoadError(Location(file, sheet=sheet, row=1), "; ".join(problems) + hint)
    return names


def _rows(
    records: Iterable[tuple[int, Sequence[object]]],
    columns: list[str],
    file: str,
    sheet: str | None,
) -> Iterator[Row]:
    """Rows from raw ``(row_number, values)``; empty rows are skipped."""
    for number, values in records:
        if len(values) > len(columns) and any(str(v or "").strip() for v in values[len(columns) :]):
            raise LoadError(
                Location(file, sheet=sheet, row=number, column=len(columns) + 1),
                f"at most {len(columns)} cells, as many as header columns",
            )
        cells: dict[str, Cell] = {}
        for index, (name, raw) in enumerate(zip(columns, values, strict=False), start=1):
            value = "" if raw is None else str(raw).strip()
            if value and name:
                where = Location(file, sheet=sheet, row=number, column=index, column_name=name)
                # the pipeline checks the whole graph too; here the error gets its cell
                check_xml_text(value, where)
                cells[name] = Cell(value, where)
        if cells:
            yield Row(cells, Location(file, sheet=sheet, row=number))


def read_csv_table(path: Path, spec: Columns, *, data: bytes | None = None) -> Table:
    """Read a CSV file into a :class:`Table`, with located errors.

    Raises:
        LoadError: wrong encoding, malformed CSV, over-long cell, missing/unknown columns.
    """
    name = path.name
    text = decode_utf8(read_bytes(path) if data is None else data, name)
    old_limit = csv.field_size_limit(MAX_CELL)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise LoadError(Location(name, row=1), "a header row (the file is empty)")
            columns = check_header(header, file=name, sheet=None, spec=spec)
            raw = list(enumerate(reader, start=2))
        except csv.Error as exc:
            message = str(exc).split(":")[0]
            if "field larger" in message:
                message = f"cells of at most {MAX_CELL} characters"
            raise LoadError(
                Location(name, row=reader.line_num), f"well-formed CSV ({message})"
            ) from exc
    finally:
        csv.field_size_limit(old_limit)
    return Table(name, None, columns, list(_rows(raw, columns, name, None)))


def read_xlsx_tables(
    path: Path, sheets: Mapping[str, Columns], data: bytes | None = None
) -> dict[str, Table]:
    """The sheets of an XLSX workbook named in ``sheets`` (lower-cased titles) as tables.

    Other sheets, and sheets without a header row, are left out. The workbook is checked
    first (``loaders._xlsx``: zip bombs, and sheets declaring or holding more rows, columns or
    cells than allowed), so openpyxl's work stays bounded.
    """
    import openpyxl

    from loaders._xlsx import check_workbook  # it imports the limits of this module

    raw = read_bytes(path) if data is None else data
    check_workbook(raw, path.name, sheets)
    with warnings.catch_warnings():
        # openpyxl warns about spreadsheet features it ignores (data validation extensions)
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for bad files
            raise LoadError(path.name, f"an XLSX workbook ({type(exc).__name__})") from exc
    tables: dict[str, Table] = {}
    try:
        for ws in book.worksheets:
            sheet = ws.title.strip().lower()
            if sheet in sheets:
                texts = _sheet_texts(ws, path.name)
                if texts:  # else the sheet has no header row
                    header, *rows = texts
                    columns = check_header(
                        header[1], file=path.name, sheet=ws.title, spec=sheets[sheet]
                    )
                    rows_of = _rows(rows, columns, path.name, ws.title)
                    tables[sheet] = Table(path.name, ws.title, columns, list(rows_of))
    finally:
        book.close()
    return tables


def _sheet_texts(ws: Any, name: str) -> list[tuple[int, list[str]]]:
    """The non-empty rows of a sheet (and its first row) as ``(row_number, texts)``."""
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
    return texts


def _row_text(values: tuple[Any, ...], name: str, sheet: str, row: int) -> list[str]:
    out = []
    for column, value in enumerate(values, 1):
        text = _cell_text(value)
        if len(text) > MAX_CELL:
            raise LoadError(
                Location(name, sheet=sheet, row=row, column=column),
                f"cells of at most {MAX_CELL} characters",
            )
        out.append(text)
    return out


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
