"""The faceted list of infrastructures: a query builder, because the filters compose.

Filters on different facets are combined with AND, several values of one facet with OR.
Counts per facet value are *disjunctive*: each facet is counted under the filters of the
other facets, so choosing one KET still shows how many infrastructures the other KETs
would add. Values enter the query as terms written by pyoxigraph (``NamedNode``,
``Literal``), which validate and escape; never as raw user text (docs/security.md D1).
The expected query texts are kept as golden files in ``tests/pages/expected/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlencode

from pyoxigraph import Literal, NamedNode

from riikg.namespaces import NUTS_CODE, Kind, mint, vocab_concept
from riikg.store import Store, Term

PREFIX_LINES = (
    "PREFIX riikg: <https://w3id.org/riikg/ontology/>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)
PAGE_SIZE = 25
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,120}$")
_NUTS = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class Facet(StrEnum):
    """The filters of ``/infrastructures`` (also the names of their URL parameters)."""

    REGION = "region"
    COUNTRY = "country"
    KET = "ket"
    PRIORITY = "priority"
    ACCESS = "access"
    TYPE = "type"
    HOST = "host"


class BadFilter(ValueError):
    """A filter value that cannot name anything (answered with 400)."""


@dataclass(frozen=True)
class FacetDef:
    """A facet: its path from the infrastructure, and how values map to URL parameters.

    A ``hierarchical`` facet (regions) is counted on the direct values only; the counts are
    rolled up to the parents in code (cheaper than a ``skos:broader*`` path per row).
    """

    facet: Facet
    title: str
    path: str
    to_term: Callable[[str, str], Term]
    to_param: Callable[[str, str], str]
    direct_path: str = ""

    @property
    def hierarchical(self) -> bool:
        return bool(self.direct_path)


def _prefix_term(
    prefix_of: Callable[[str], str], pattern: re.Pattern[str]
) -> Callable[[str, str], Term]:
    def make(value: str, base: str) -> Term:
        if not pattern.match(value):
            raise BadFilter(f"not a valid value: {value!r}")
        return NamedNode(prefix_of(base) + value)

    return make


def _prefix_param(prefix_of: Callable[[str], str]) -> Callable[[str, str], str]:
    def make(iri: str, base: str) -> str:
        prefix = prefix_of(base)
        return iri[len(prefix) :] if iri.startswith(prefix) else ""

    return make


def _country_term(value: str, base: str) -> Term:
    if not _COUNTRY.match(value):
        raise BadFilter(f"not a country code: {value!r}")
    return Literal(value)


def _fixed(prefix: str) -> Callable[[str], str]:
    return lambda _base: prefix


def _minted(kind: Kind) -> Callable[[str], str]:
    return lambda base: str(mint(base, kind, ""))


def _coded(facet: Facet, label: str, path: str, prefix_of: Callable[[str], str]) -> FacetDef:
    """A facet whose values are IRIs under one namespace, named by their code in URLs."""
    return FacetDef(facet, label, path, _prefix_term(prefix_of, _CODE), _prefix_param(prefix_of))


FACETS: dict[Facet, FacetDef] = {
    f.facet: f
    for f in (
        FacetDef(
            Facet.REGION,
            "Region",
            "riikg:region/skos:broader*",
            _prefix_term(_fixed(NUTS_CODE), _NUTS),
            _prefix_param(_fixed(NUTS_CODE)),
            direct_path="riikg:region",
        ),
        FacetDef(
            Facet.COUNTRY,
            "Country",
            "riikg:region/riikg:countryCode",
            _country_term,
            lambda value, _base: value,
        ),
        _coded(
            Facet.KET, "Key enabling technology", "riikg:ket", _fixed(str(vocab_concept("ket", "")))
        ),
        _coded(
            Facet.PRIORITY, "RIS3 priority", "riikg:supportsPriority", _minted(Kind.RIS3_PRIORITY)
        ),
        _coded(
            Facet.ACCESS,
            "Access mode",
            "riikg:offersService/riikg:accessMode",
            _fixed(str(vocab_concept("access-mode", ""))),
        ),
        _coded(
            Facet.TYPE,
            "Infrastructure type",
            "riikg:infrastructureType",
            _fixed(str(vocab_concept("infrastructure-type", ""))),
        ),
        _coded(Facet.HOST, "Host organisation", "riikg:hostedBy", _minted(Kind.ORGANISATION)),
    )
}


@dataclass(frozen=True)
class Selection:
    """The filters chosen, as URL parameter values, in a canonical order."""

    filters: tuple[tuple[Facet, tuple[str, ...]], ...] = ()
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, Sequence[str]], page: int = 1) -> Selection:
        """Read ``region=…&ket=…`` parameters (repeatable). Raises BadFilter."""
        chosen: list[tuple[Facet, tuple[str, ...]]] = []
        for facet in Facet:
            values = tuple(sorted({v.strip() for v in args.get(facet.value, ()) if v.strip()}))
            if values:
                chosen.append((facet, values))
        return cls(tuple(chosen), max(page, 1))

    def values(self, facet: Facet) -> tuple[str, ...]:
        return dict(self.filters).get(facet, ())

    def terms(self, base: str) -> list[tuple[Facet, list[Term]]]:
        return [
            (facet, [FACETS[facet].to_term(v, base) for v in values])
            for facet, values in self.filters
        ]

    def params(self) -> list[tuple[str, str]]:
        return [(f.value, v) for f, values in self.filters for v in values]

    def toggled(self, facet: Facet, value: str) -> str:
        """The query string with one value added or removed (page reset)."""
        pairs = self.params()
        pair = (facet.value, value)
        pairs = [p for p in pairs if p != pair] if pair in pairs else [*pairs, pair]
        return urlencode(pairs)

    def query_string(self, page: int | None = None) -> str:
        pairs = self.params()
        if page and page > 1:
            pairs.append(("page", str(page)))
        return urlencode(pairs)


def _filter_lines(terms: list[tuple[Facet, list[Term]]], skip: Facet | None) -> list[str]:
    lines: list[str] = []
    for facet, values in terms:
        if facet is skip:
            continue
        var = f"?f_{facet.value}"
        lines.append(f"  VALUES {var} {{ {' '.join(str(t) for t in values)} }}")
        lines.append(f"  ?i {FACETS[facet].path} {var} .")
    return lines


def list_query(selection: Selection, base: str) -> str:
    """The SELECT of the infrastructures matching a selection."""
    body = ["  ?i a riikg:ResearchInfrastructure .", *_filter_lines(selection.terms(base), None)]
    return PREFIX_LINES + "SELECT DISTINCT ?i WHERE {\n" + "\n".join(body) + "\n}\n"


def count_query(selection: Selection, facet: Facet, base: str) -> str:
    """Infrastructures per value of one facet, under the filters of the other facets.

    For a hierarchical facet: the (infrastructure, direct value) pairs, rolled up in code.
    """
    fdef = FACETS[facet]
    if fdef.hierarchical:
        body = [
            "  ?i a riikg:ResearchInfrastructure .",
            *_filter_lines(selection.terms(base), facet),
            f"  ?i {fdef.direct_path} ?value .",
        ]
        return PREFIX_LINES + "SELECT DISTINCT ?i ?value WHERE {\n" + "\n".join(body) + "\n}\n"
    body = [
        "  ?i a riikg:ResearchInfrastructure .",
        *_filter_lines(selection.terms(base), facet),
        f"  ?i {fdef.path} ?value .",
    ]
    return (
        PREFIX_LINES
        + "SELECT ?value (COUNT(DISTINCT ?i) AS ?count) WHERE {\n"
        + "\n".join(body)
        + "\n}\nGROUP BY ?value\n"
    )


@dataclass
class FacetValue:
    param: str
    iri: str
    count: int
    selected: bool
    label: str = ""


@dataclass
class FacetResult:
    facet: Facet
    title: str
    values: list[FacetValue] = field(default_factory=list)


def run_list(store: Store, selection: Selection) -> list[str]:
    """IRIs of the matching infrastructures (unordered)."""
    rows = store.select(list_query(selection, store.base))
    return [r["i"].value for r in rows if isinstance(r.get("i"), NamedNode)]


def run_counts(
    store: Store,
    selection: Selection,
    facet: Facet,
    parents: Callable[[str], Sequence[str]] | None = None,
) -> FacetResult:
    """Counts per value of one facet; ``parents`` gives the ancestors of a hierarchical
    facet's values (every ancestor counts the infrastructures of its descendants)."""
    fdef = FACETS[facet]
    chosen = set(selection.values(facet))
    result = FacetResult(facet, fdef.title)
    if fdef.hierarchical:
        members: dict[str, set[str]] = {}
        for row in store.select(count_query(selection, facet, store.base)):
            i, value = row.get("i"), row.get("value")
            if not isinstance(value, NamedNode) or i is None:
                continue
            for v in (value.value, *(parents(value.value) if parents else ())):
                members.setdefault(v, set()).add(i.value)
        for iri, infras in members.items():
            param = fdef.to_param(iri, store.base)
            if param:
                result.values.append(FacetValue(param, iri, len(infras), param in chosen))
        return result
    for row in store.select(count_query(selection, facet, store.base)):
        value, count = row.get("value"), row.get("count")
        if value is None or count is None or not isinstance(value, NamedNode | Literal):
            continue
        param = fdef.to_param(value.value, store.base)
        if not param:
            continue
        result.values.append(FacetValue(param, value.value, int(count.value), param in chosen))
    return result
