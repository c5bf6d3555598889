"""RIS3 strategies and their priorities (curated ``ris3_priorities.csv``).

One ``riikg:RIS3Strategy`` per (region, strategy name); one ``riikg:RIS3Priority`` per row.
* Region: the code in ``region_nuts_code``; national strategies (``LV00C (national
  strategy, LV)``, ``CZ (national)``) cover the country's NUTS 0 region.
* Period: the first ``YYYY``, ``YYYY-`` or ``YYYY-YYYY`` in the period text, else the text;
  the strategy slug is ``{nuts-code-lower}-{slug of that period}``, with ``-2``, ``-3``…
  for further strategies of the same region and period, in file order.
* Priority slug: ``{strategy-slug}--{slug of the English label}`` (``-2``… on collision).
* "gap" rows (labels not retrieved) create no priority: their description and
  completeness go on the strategy.
* ``related_kets_curator_mapping``: 2009 KET labels separated by ``;``; a part in
  ``(2018: …)`` names 2018 KETs. Mapped to KET concepts (curator judgement, as the file says).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from loaders._reference import KET_2009, KET_2018, find_ket, find_region
from loaders.tables import Cell, Columns, Row, read_csv_table
from loaders.values import http_iri, unique_slug
from riikg.errors import LoadError, Location
from riikg.namespaces import RIIKG, Kind, mint, nuts, slugify, sub_slug
from riikg.sources import Source, SourceGraph

COLUMNS = (
    "region_nuts_code strategy_name period priority_type priority_label priority_label_local "
    "description related_kets_curator_mapping list_completeness source_url"
).split()
REQUIRED = ("region_nuts_code", "strategy_name", "period", "priority_label", "source_url")

#: language of local priority labels, by country (the strategies' own language)
LOCAL_LANGUAGE = {
    "IT": "it", "NL": "nl", "BE": "nl", "DE": "de", "LV": "lv", "EE": "et", "CZ": "cs", "SE": "sv",
}  # fmt: skip

_PERIOD = re.compile(r"\d{4}(?:-(?:\d{4})?)?")
_NATIONAL = re.compile(r"^\s*([A-Z]{2}[0-9A-Z]*)\s*\((?:national[^,)]*)(?:,\s*([A-Z]{2}))?\)\s*$")


@dataclass
class Strategy:
    region: URIRef
    country: str
    name: str
    periods: Counter[str] = field(default_factory=Counter)
    rows: list[Row] = field(default_factory=list)
    sources: list[URIRef] = field(default_factory=list)


def region_of(cell: Cell) -> tuple[URIRef, str]:
    """The region a strategy covers, and its country code."""
    text = cell.value.strip()
    match = _NATIONAL.match(text)
    if match:
        country = match.group(2) or match.group(1)[:2]
        return find_region(country, cell.where), country
    region = find_region(text, cell.where)
    return region, str(region).rsplit("/", 1)[-1][:2]


def period_of(text: str) -> str:
    match = _PERIOD.search(text)
    return match.group(0) if match else text.strip()


def split_kets(text: str, where: Location) -> list[URIRef]:
    """KET concepts of a curator mapping such as ``photonics (2018: AI; security)``."""
    out: list[URIRef] = []
    main = re.sub(r"\(2018:[^)]*\)?", " ", text)
    for part in main.split(";"):
        if part.strip():
            out.append(find_ket(part, where, KET_2009))
    for group in re.findall(r"\(2018:([^)]*)\)?", text):
        for part in group.split(";"):
            if part.strip():
                out.append(find_ket(part, where, KET_2018))
    return list(dict.fromkeys(out))


def load_ris3(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Loader ``ris3``: strategies and priorities."""
    strategies: dict[tuple[str, str], Strategy] = {}
    for path in source.files:
        table = read_csv_table(path, Columns(REQUIRED, COLUMNS))
        for row in table.rows:
            cell = row.get("region_nuts_code")
            if cell is None:
                raise LoadError(row.where, "a region_nuts_code")
            region, country = region_of(cell)
            key = (str(region), row.text("strategy_name"))
            strategy = strategies.setdefault(key, Strategy(region, country, key[1]))
            strategy.periods[period_of(row.text("period"))] += 1
            strategy.rows.append(row)
    used: set[str] = set()
    for strategy in strategies.values():
        _emit(graph, base_iri, strategy, used)
    return graph


def _emit(graph: SourceGraph, base: str, st: Strategy, used: set[str]) -> None:
    period = st.periods.most_common(1)[0][0]
    code = str(st.region).rsplit("/", 1)[-1]
    slug = unique_slug(f"{code.lower()}-{slugify(period)}", used)
    s = mint(base, Kind.RIS3_STRATEGY, slug)
    graph.add((s, RDF.type, RIIKG.RIS3Strategy))
    graph.add((s, SKOS.prefLabel, Literal(st.name)))
    graph.add((s, RIIKG.coversRegion, nuts(code)))
    graph.add((s, RIIKG.period, Literal(period)))
    graph.locate(s, None, st.rows[0].where)
    completeness: Counter[str] = Counter()
    priority_slugs: set[str] = set()
    for row in st.rows:
        src_cell = row.get("source_url")
        if src_cell is None:
            raise LoadError(row.where, "a source_url")
        src = http_iri(src_cell.value, src_cell.where, "a source URL")
        graph.add((s, DCTERMS.source, src))
        if row.text("list_completeness"):
            completeness[row.text("list_completeness")] += 1
        if (
            "gap" in row.text("priority_type").lower()
            or "gap" in row.text("list_completeness").lower()
        ):
            if row.text("description"):
                graph.add((s, DCTERMS.description, Literal(row.text("description"), lang="en")))
            continue
        label = row.text("priority_label")
        p_slug = unique_slug(slugify(label), priority_slugs)
        p = mint(base, Kind.RIS3_PRIORITY, sub_slug(slug, p_slug))
        graph.add((p, RDF.type, RIIKG.RIS3Priority))
        graph.add((p, SKOS.inScheme, s))
        graph.add((p, SKOS.prefLabel, Literal(label, lang="en")))
        local = row.text("priority_label_local")
        lang = LOCAL_LANGUAGE.get(st.country)
        if local and lang and local != label:
            graph.add((p, SKOS.prefLabel, Literal(local, lang=lang)))
        if row.text("description"):
            graph.add((p, DCTERMS.description, Literal(row.text("description"), lang="en")))
        if row.text("priority_type"):
            graph.add((p, RIIKG.priorityType, Literal(row.text("priority_type"))))
        ket_cell = row.get("related_kets_curator_mapping")
        if ket_cell is not None:
            for ket in split_kets(ket_cell.value, ket_cell.where):
                graph.add((p, RIIKG.relatedKet, ket))
            graph.locate(p, RIIKG.relatedKet, ket_cell.where)
        graph.add((p, DCTERMS.source, src))
        graph.locate(p, None, row.where)
    if completeness:
        graph.add((s, RIIKG.listCompleteness, Literal(completeness.most_common(1)[0][0])))
