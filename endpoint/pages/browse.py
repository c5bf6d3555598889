"""Data access for the browsing views: home figures, the NUTS tree, region profiles.

Build, run, transform: each function runs fixed ``.rq`` queries and returns dataclasses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from endpoint.cache import per_version
from endpoint.pages.describe import Link, Linker
from endpoint.pages.queries import q
from riikg.namespaces import NUTS_CODE, RIIKG
from riikg.store import Store


@dataclass(frozen=True)
class Figures:
    infrastructures: int
    organisations: int
    regions: int
    kets: int
    priorities: int
    strategies: int
    sources: int


def _int(row: dict[str, object], key: str) -> int:
    value = row.get(key)
    return int(value.value) if isinstance(value, Literal) else 0


def build_figures(store: Store) -> Figures:
    rows = store.select(q("figures"))
    row: dict[str, object] = dict(rows[0]) if rows else {}
    return Figures(
        infrastructures=_int(row, "infrastructures"),
        organisations=_int(row, "organisations"),
        regions=_int(row, "regions"),
        kets=_int(row, "kets"),
        priorities=_int(row, "priorities"),
        strategies=_int(row, "strategies"),
        sources=len(store.source_graphs()),
    )


def figures() -> Figures:
    return per_version("figures", build_figures)


@dataclass
class Region:
    """A NUTS region in the tree, with infrastructures counted over its sub-regions."""

    iri: str
    code: str
    level: int
    parent: str | None
    country: str
    direct: int = 0
    total: int = 0
    children: list[Region] = field(default_factory=list)


@dataclass
class RegionTree:
    regions: dict[str, Region]
    roots: list[Region]

    def ancestors(self, iri: str) -> list[Region]:
        """Parents of a region, nearest first (cycles are cut)."""
        out: list[Region] = []
        seen = {iri}
        current = self.regions.get(iri)
        while current is not None and current.parent and current.parent not in seen:
            seen.add(current.parent)
            current = self.regions.get(current.parent)
            if current is not None:
                out.append(current)
        return out

    def by_code(self, code: str) -> Region | None:
        return self.regions.get(NUTS_CODE + code)


def build_tree(store: Store) -> RegionTree:
    regions: dict[str, Region] = {}
    for row in store.select(q("nuts_regions")):
        r = row["r"]
        if not isinstance(r, NamedNode) or r.value in regions:
            continue
        level = row.get("level")
        parent_term = row.get("parent")
        country = row.get("country")
        regions[r.value] = Region(
            iri=r.value,
            code=row["code"].value,
            level=int(level.value) if isinstance(level, Literal) else 0,
            parent=parent_term.value if isinstance(parent_term, NamedNode) else None,
            country=country.value if isinstance(country, Literal) else row["code"].value[:2],
        )
    tree = RegionTree(regions, [])
    for row in store.select(q("region_infrastructure_counts")):
        region = regions.get(row["r"].value)
        if region is None:
            continue
        n = _int(dict(row), "n")
        region.direct += n
        region.total += n
        for ancestor in tree.ancestors(region.iri):
            ancestor.total += n
    for region in regions.values():
        parent_region = regions.get(region.parent) if region.parent else None
        if parent_region is not None and parent_region is not region:
            parent_region.children.append(region)
        else:
            tree.roots.append(region)
    for region in regions.values():
        region.children.sort(key=lambda r: r.code)
    tree.roots.sort(key=lambda r: r.code)
    return tree


def region_tree() -> RegionTree:
    return per_version("nuts-tree", build_tree)


@dataclass
class PriorityMatch:
    """A RIS3 priority of a region and whether local infrastructures serve its KETs."""

    priority: Link
    strategy: Link
    kets: list[Link]
    matching: int

    @property
    def matched(self) -> bool:
        return self.matching > 0


@dataclass
class RegionProfile:
    region: Link
    code: str
    infrastructures: list[Link]
    by_ket: list[tuple[Link, int]]
    by_access: list[tuple[Link, int]]
    hosts: list[tuple[Link, int]]
    priorities: list[PriorityMatch]

    @property
    def matched(self) -> int:
        return sum(1 for p in self.priorities if p.matched)


def _counted(grouped: Mapping[str, set[str]], linker: Linker) -> list[tuple[Link, int]]:
    """Each value with how many infrastructures it groups, biggest first."""
    links = [(linker.link(iri), len(members)) for iri, members in grouped.items()]
    links.sort(key=lambda pair: (-pair[1], pair[0].label.casefold()))
    return links


@dataclass
class Facts:
    """Per data version: what each infrastructure is linked to, the inverse (value ->
    infrastructures), and every RIS3 priority."""

    regions: dict[str, set[str]] = field(default_factory=dict)
    kets: dict[str, set[str]] = field(default_factory=dict)
    access: dict[str, set[str]] = field(default_factory=dict)
    hosts: dict[str, set[str]] = field(default_factory=dict)
    by_value: dict[str, set[str]] = field(default_factory=dict)
    #: priority -> (strategy, covered regions, related KETs)
    priorities: dict[str, tuple[str, set[str], set[str]]] = field(default_factory=dict)

    def linked(self, value: str) -> set[str]:
        """Infrastructures linked to a value (KET, host, priority, type, access mode or
        the region they sit in, not counting sub-regions)."""
        return self.by_value.get(value, set())

    def linked_to_any(self, values: Iterable[str]) -> set[str]:
        """Infrastructures linked to any of the values."""
        out: set[str] = set()
        for value in values:
            out |= self.linked(value)
        return out


_FACT_FIELDS = {
    str(RIIKG.region): "regions",
    str(RIIKG.ket): "kets",
    str(RIIKG.accessMode): "access",
    str(RIIKG.hostedBy): "hosts",
}


def build_facts(store: Store) -> Facts:
    facts = Facts()
    for row in store.select(q("infrastructure_facts")):
        i, p, v = row["i"], row["p"], row["v"]
        if not isinstance(v, NamedNode):
            continue
        facts.by_value.setdefault(v.value, set()).add(i.value)
        name = _FACT_FIELDS.get(p.value)
        if name:
            getattr(facts, name).setdefault(i.value, set()).add(v.value)
    for row in store.select(q("ris3_priorities")):
        entry = facts.priorities.setdefault(
            row["priority"].value, (row["strategy"].value, set(), set())
        )
        entry[1].add(row["covered"].value)
        if "ket" in row:
            entry[2].add(row["ket"].value)
    return facts


def facts() -> Facts:
    return per_version("facts", build_facts)


def descendants(tree: RegionTree, iri: str) -> set[str]:
    """A region and all its sub-regions."""
    out = {iri}
    stack = [iri]
    while stack:
        region = tree.regions.get(stack.pop())
        for child in region.children if region else ():
            if child.iri not in out:
                out.add(child.iri)
                stack.append(child.iri)
    return out


def region_profile(store: Store, code: str, linker: Linker) -> RegionProfile:
    """Infrastructures of a region (incl. sub-regions) by KET, access mode and host, and
    the RIS3 priorities of strategies covering it, a parent or a sub-region, with or without
    matching local infrastructure (the priority's related KETs against the KETs of the
    infrastructures in the region)."""
    iri = NUTS_CODE + code
    tree = region_tree()
    known = facts()
    area = descendants(tree, iri)
    infras = known.linked_to_any(area)

    def grouped(table: dict[str, set[str]]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for i in infras:
            for value in table.get(i, ()):
                out[value].add(i)
        return out

    infra_kets = grouped(known.kets)
    # strategies of the region, of a parent (national) or of a sub-region (Skane's RIS3
    # covers SE224 and counts for SE22)
    covering = area | {r.iri for r in tree.ancestors(iri)}
    matches = []
    for p, (strategy, covered, kets) in known.priorities.items():
        if not covered & covering:
            continue
        serving: set[str] = set()
        for ket in kets:
            serving |= infra_kets.get(ket, set())
        matches.append(
            PriorityMatch(
                linker.link(p),
                linker.link(strategy),
                sorted((linker.link(k) for k in kets), key=lambda link: link.label),
                len(serving),
            )
        )
    matches.sort(key=lambda m: (m.strategy.label.casefold(), m.priority.label.casefold()))
    return RegionProfile(
        region=linker.link(iri),
        code=code,
        infrastructures=sorted(
            (linker.link(i) for i in infras), key=lambda link: link.label.casefold()
        ),
        by_ket=_counted(infra_kets, linker),
        by_access=_counted(grouped(known.access), linker),
        hosts=_counted(grouped(known.hosts), linker),
        priorities=matches,
    )


def infrastructures_in(code: str) -> set[str]:
    """Infrastructures of a region and its sub-regions."""
    return facts().linked_to_any(descendants(region_tree(), NUTS_CODE + code))
