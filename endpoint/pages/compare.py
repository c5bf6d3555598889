"""Region benchmarking: side-by-side tables of region profiles, their charts and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from endpoint.pages.browse import RegionProfile
from endpoint.pages.describe import Link

#: characters a spreadsheet would read as the start of a formula (docs/security.md F-5)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_REGIONS = 8


@dataclass
class Row:
    head: Link | None
    text: str
    cells: list[int | str]


@dataclass
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    chart: bool = False

    def max_value(self) -> int:
        values = [c for r in self.rows for c in r.cells if isinstance(c, int)]
        return max(values, default=0)


def _matrix(name: str, title: str, profiles: list[RegionProfile], attr: str, first: str) -> Table:
    table = Table(name, title, [first, *(p.code for p in profiles)], chart=True)
    links: dict[str, Link] = {}
    counts: dict[str, dict[str, int]] = {}
    for profile in profiles:
        for link, n in getattr(profile, attr):
            links[link.iri] = link
            counts.setdefault(link.iri, {})[profile.code] = n
    for iri in sorted(links, key=lambda i: links[i].label.casefold()):
        cells: list[int | str] = [counts[iri].get(p.code, 0) for p in profiles]
        table.rows.append(Row(links[iri], links[iri].label, cells))
    return table


def tables(profiles: list[RegionProfile]) -> list[Table]:
    """The comparison tables, in page order."""
    summary = Table(
        "summary",
        "Summary",
        ["Region", "Infrastructures", "RIS3 priorities", "with local infrastructure", "without"],
    )
    for p in profiles:
        n = len(p.priorities)
        summary.rows.append(
            Row(p.region, p.region.label, [len(p.infrastructures), n, p.matched, n - p.matched])
        )
    priorities = Table(
        "priorities",
        "RIS3 priorities and matching local infrastructures",
        ["Region", "Priority", "Strategy", "Related KETs", "Matching infrastructures"],
    )
    for p in profiles:
        for m in p.priorities:
            kets = "; ".join(k.label for k in m.kets)
            priorities.rows.append(
                Row(m.priority, p.code, [m.priority.label, m.strategy.label, kets, m.matching])
            )
    hosts = Table("hosts", "Host organisations", ["Region", "Host organisation", "Infrastructures"])
    for p in profiles:
        for link, n in p.hosts:
            hosts.rows.append(Row(link, p.code, [link.label, n]))
    return [
        summary,
        _matrix("ket", "Infrastructures per KET", profiles, "by_ket", "KET"),
        _matrix("access", "Infrastructures per access mode", profiles, "by_access", "Access mode"),
        priorities,
        hosts,
    ]


def _cell(value: int | str) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(table: Table) -> str:
    """A table as CSV; text that a spreadsheet would run as a formula gets a ``'`` prefix."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_cell(row.text), *(_cell(c) for c in row.cells)])
    return out.getvalue()
