"""Errors of the core that carry a location in the user's input."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where in a source something is: ``file[:sheet]:row:column`` (tabular) or ``file:line``.

    >>> str(Location("riis.csv", row=4, column=7, column_name="nuts3_code"))
    'riis.csv:4:7 (nuts3_code)'
    >>> str(Location("infra.xlsx", sheet="equipment", row=2, column=3))
    'infra.xlsx:equipment:2:3'
    >>> str(Location("x.ttl", line=12))
    'x.ttl:12'
    """

    file: str
    row: int | None = None
    column: int | None = None
    sheet: str | None = None
    line: int | None = None
    column_name: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(str(self.row))
            if self.column is not None:
                parts.append(str(self.column))
        elif self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        text = ":".join(parts)
        return f"{text} ({self.column_name})" if self.column_name else text


class LoadError(Exception):
    """A source cannot be read: names the place and what was expected (CLI exit 2)."""

    def __init__(self, location: Location | str, expected: str) -> None:
        self.location = location
        self.expected = expected
        super().__init__(f"{location}: {expected}")


class SourceRefused(Exception):
    """A source failed SHACL validation and was not loaded (CLI exit 1)."""

    def __init__(self, source_id: str, summary: str) -> None:
        self.source_id = source_id
        self.summary = summary
        super().__init__(f"source {source_id!r} refused: validation failed\n{summary}")
