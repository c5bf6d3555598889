"""Helpers every loader shares: safe reading of files, CSV with located errors, value checks.

Row numbers are spreadsheet rows: the header is row 1, the first data row is row 2.
Column numbers start at 1. Errors never quote file contents beyond the offending value.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from riikg.errors import LoadError, Location
from riikg.pipeline import check_xml_text

#: largest input file a loader reads (bytes)
MAX_FILE_BYTES = 64 * 1024 * 1024
#: largest CSV cell (characters); also set as ``csv.field_size_limit`` while reading
MAX_CELL = 128 * 1024
#: most columns a table may have
MAX_COLUMNS = 512
#: how many characters of a bad value an error message may show
SHOW = 60
#: most digits of a JSON integer (Python refuses to convert more than 4,300)
MAX_INT_DIGITS = 100

#: separator of multi-valued cells
MULTI_SEP = ";"

_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def show(value: object) -> str:
    """A value shortened for an error message."""
    text = str(value)
    return repr(text if len(text) <= SHOW else text[:SHOW] + "…")


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


def decode_utf8(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM is allowed); a bad byte is reported with its line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError(
            Location(name, line=line, column=column),
            f"UTF-8 text (byte 0x{data[exc.start]:02x} is not valid UTF-8; save the file as UTF-8)",
        ) from exc


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


class _LongNumber(Exception):
    def __init__(self, digits: str) -> None:
        super().__init__(digits)
        self.digits = digits


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _LongNumber(text)
    return int(text)


def _line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


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
        index = max(text.find(exc.digits), 0)
        line, column = _line_column(text, index)
        raise LoadError(
            Location(name, line=line, column=column),
            f"a number of at most {MAX_INT_DIGITS} digits (it has {len(exc.digits.lstrip('-'))})",
        ) from None
    except json.JSONDecodeError as exc:
        raise LoadError(
            Location(name, line=exc.lineno, column=exc.colno), f"well-formed JSON ({exc.msg})"
        ) from None


def check_header(
    header: Sequence[str],
    *,
    file: str,
    sheet: str | None,
    required: Iterable[str],
    allowed: Iterable[str],
    lang_prefixes: Iterable[str] = (),
) -> list[str]:
    """Normalise a header row; unknown, duplicate or missing columns raise one error naming them."""
    if len(header) > MAX_COLUMNS:
        raise LoadError(
            Location(file, sheet=sheet, row=1), f"at most {MAX_COLUMNS} columns ({len(header)})"
        )
    names = [h.strip().lower() for h in header]
    prefixes = tuple(lang_prefixes)
    allowed_set = set(allowed) | set(required)
    unknown, seen, dupes = [], set(), []
    for name in names:
        if not name:
            continue
        base, _, lang = name.partition("@")
        if lang and base in prefixes:
            if not _LANG.match(lang):
                unknown.append(name)
        elif name not in allowed_set:
            unknown.append(name)
        if name in seen:
            dupes.append(name)
        seen.add(name)
    where = Location(file, sheet=sheet, row=1)
    problems = []
    present_bases = {n.partition("@")[0] for n in seen}
    missing = [r for r in required if r not in seen and r not in present_bases]
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
        raise LoadError(where, "; ".join(problems) + hint)
    return names


def make_rows(
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


def read_csv_table(
    path: Path,
    *,
    required: Iterable[str],
    allowed: Iterable[str],
    lang_prefixes: Iterable[str] = (),
    delimiter: str = ",",
    data: bytes | None = None,
) -> Table:
    """Read a CSV file into a :class:`Table`, with located errors.

    Raises:
        LoadError: wrong encoding, malformed CSV, over-long cell, missing/unknown columns.
    """
    name = path.name
    text = decode_utf8(read_bytes(path) if data is None else data, name)
    old_limit = csv.field_size_limit(MAX_CELL)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise LoadError(Location(name, row=1), "a header row (the file is empty)")
            columns = check_header(
                header,
                file=name,
                sheet=None,
                required=required,
                allowed=allowed,
                lang_prefixes=lang_prefixes,
            )
            raw: list[tuple[int, Sequence[object]]] = []
            row_number = 1
            for values in reader:
                row_number += 1
                raw.append((row_number, values))
        except csv.Error as exc:
            message = str(exc).split(":")[0]
            if "field larger" in message:
                message = f"cells of at most {MAX_CELL} characters"
            raise LoadError(
                Location(name, row=reader.line_num), f"well-formed CSV ({message})"
            ) from exc
    finally:
        csv.field_size_limit(old_limit)
    return Table(name, None, columns, list(make_rows(raw, columns, name, None)))


def split_multi(cell: Cell | None) -> list[str]:
    """Values of a ``;``-separated cell, trimmed, empty parts dropped."""
    if cell is None:
        return []
    return [part.strip() for part in cell.value.split(MULTI_SEP) if part.strip()]


def http_iri(value: str, where: Location | str, what: str = "an http(s) IRI") -> URIRef:
    """An ``http(s)`` IRI without characters that are illegal in IRIs."""
    text = value.strip()
    if not re.match(r"^https?://[^/\s]+", text, re.IGNORECASE) or _IRI_BAD.search(text):
        raise LoadError(where, f"{what} (got {show(value)})")
    return URIRef(text)


def any_iri(value: str, where: Location | str) -> URIRef:
    """An absolute IRI (http, https, urn, mailto…) without illegal characters."""
    text = value.strip()
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", text) or _IRI_BAD.search(text):
        raise LoadError(where, f"an absolute IRI (got {show(value)})")
    return URIRef(text)


def email_iri(value: str, where: Location | str) -> URIRef:
    """``mailto:`` IRI of an e-mail address."""
    text = value.strip().removeprefix("mailto:")
    if not _EMAIL.match(text) or _IRI_BAD.search(text):
        raise LoadError(where, f"an e-mail address (got {show(value)})")
    return URIRef("mailto:" + text)


def decimal_in(value: str, low: int, high: int, where: Location | str, what: str) -> Literal:
    """An ``xsd:decimal`` literal within ``[low, high]``."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or not low <= number <= high:
        raise LoadError(where, f"{what}: a number from {low} to {high} (got {show(value)})")
    # the canonical form (as the store writes it): "5.0" -> "5", "44.50" -> "44.5"
    return Literal(format(number.normalize(), "f"), datatype=XSD.decimal)


def year(value: str, where: Location | str, what: str) -> Literal:
    """An ``xsd:gYear`` literal from a four-digit year."""
    text = value.strip()
    if not re.fullmatch(r"\d{4}", text):
        raise LoadError(where, f"{what}: a four-digit year (got {show(value)})")
    return Literal(text, datatype=XSD.gYear)


def boolean(value: str, where: Location | str, what: str) -> Literal:
    """``xsd:boolean`` from yes/no/true/false/1/0."""
    text = value.strip().lower()
    if text in ("yes", "true", "1", "y"):
        return Literal(True)
    if text in ("no", "false", "0", "n"):
        return Literal(False)
    raise LoadError(where, f"{what}: yes or no (got {show(value)})")


def lang_tag(lang: str, where: Location | str) -> str:
    """A BCP 47 language tag (simple form)."""
    if not _LANG.match(lang):
        raise LoadError(where, f"a language tag such as en, it, nl-be (got {show(lang)})")
    return lang
