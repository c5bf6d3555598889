"""The bundled infrastructures: ESFRI Roadmap 2016, MERIL 2018 points, curated RIIs.

The three are separate sources (separate licences) loaded in this order. The same
infrastructure in two of them keeps one IRI per source and the later source links to the
earlier one with ``owl:sameAs`` (never silently duplicated):

* MERIL -> ESFRI: equal names (ignoring a trailing ``(ACRONYM)``) or equal acronyms.
* curated -> MERIL: the MERIL name quoted in ``coord_source``, else equal name/acronym
  when ``coord_source`` says MERIL; curated -> ESFRI: equal name or acronym.

Slugs follow docs/model.md; across the three sources the curated RIIs keep their slug, an
ESFRI slug already taken gets ``-esfri`` and a MERIL one ``-meril``, so IRIs of different
sources never merge by accident. Each loader reads the other two sources' files (listed
after its own in the manifest) to compute the same slugs and links.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, SKOS

from loaders.emit import Emitter
from loaders.infrastructure_files import (
    BY_COUNTRY,
    BY_POLYGON,
    BY_TOLERANCE,
    DISAGREES,
    ESFRI_NETWORK,
    NO_REGION,
    OUTSIDE,
    esfri_records,
    meril_records,
    region_finder,
    riis_records,
    split_acronym,
)
from loaders.records import Infrastructure, assign_slugs
from loaders.values import http_iri
from riikg.errors import LoadError
from riikg.namespaces import RIIKG, Kind, mint, slugify
from riikg.sources import Source, SourceGraph

_log = logging.getLogger(__name__)
PLACEMENT_ORDER = (BY_POLYGON, BY_TOLERANCE, BY_COUNTRY, NO_REGION, DISAGREES, OUTSIDE)
_QUOTED = re.compile(r"'([^']+)'")


def _option(source: Source, key: str) -> str:
    value = source.options.get(key)
    if not value:
        raise LoadError(source.id, f"the manifest option {key!r}")
    return str(value)


def _keys(record: Infrastructure) -> set[str]:
    names = {split_acronym(n)[0] for n in record.names.values()}
    keys = {slugify(n) for n in names} | {slugify(n) for n in record.alt_names}
    if record.acronym:
        keys.add("acronym:" + slugify(record.acronym))
    return {k for k in keys if k and k != "acronym:"}


def _index(records: Sequence[Infrastructure], slugs: Sequence[str]) -> dict[str, str]:
    index: dict[str, str] = {}
    for record, slug in zip(records, slugs, strict=True):
        for key in _keys(record):
            index.setdefault(key, slug)
    return index


def _avoid(slugs: list[str], taken: set[str], suffix: str) -> list[str]:
    """Give slugs already used by an earlier source the suffix ``-{source id}``."""
    return [f"{s}-{suffix}" if s in taken else s for s in slugs]


@dataclass
class Bundle:
    """The three bundled infrastructure sources with final slugs and cross-source links."""

    riis: list[Infrastructure]
    esfri: list[Infrastructure]
    meril: list[Infrastructure]
    #: how the ESFRI rows and MERIL points were placed in regions (rule -> count)
    esfri_placement: Counter[str] = field(default_factory=Counter)
    meril_placement: Counter[str] = field(default_factory=Counter)
    #: ESFRI rows whose polygon region was dropped (another country than stated)
    esfri_warnings: list[str] = field(default_factory=list)


def bundle(
    base_iri: str,
    *,
    riis_path: Path,
    esfri_path: Path,
    meril_path: Path,
    polygons_path: Path,
    esfri_source: str = "https://example.invalid/",
    meril_source: str = "https://example.invalid/",
) -> Bundle:
    """Records of the three sources with slugs and ``owl:sameAs`` links.

    Slug precedence: curated RIIs, then ESFRI (``-esfri`` on a clash), then MERIL
    (``-meril``). Links go from the later-loaded source to the earlier one (MERIL -> ESFRI,
    curated -> MERIL and ESFRI), so each source only points at IRIs already in the store.
    """
    finder = region_finder(polygons_path)
    pairs = riis_records(riis_path)
    riis = [r for r, _ in pairs]
    esfri_tally: Counter[str] = Counter()
    meril_tally: Counter[str] = Counter()
    esfri_warnings: list[str] = []
    esfri = esfri_records(esfri_path, esfri_source, finder, esfri_tally, esfri_warnings)
    meril = meril_records(meril_path, finder, meril_source, meril_tally)
    r_slugs = assign_slugs(riis)
    e_slugs = _avoid(assign_slugs(esfri), set(r_slugs), "esfri")
    m_slugs = _avoid(assign_slugs(meril), set(r_slugs) | set(e_slugs), "meril")
    for records, slugs in ((riis, r_slugs), (esfri, e_slugs), (meril, m_slugs)):
        for record, slug in zip(records, slugs, strict=True):
            record.slug = slug
    esfri_index = _index(esfri, e_slugs)
    meril_index = _index(meril, m_slugs)
    meril_by_name = {r.names["en"]: s for r, s in zip(meril, m_slugs, strict=True)}
    meril_by_slug = dict(zip(m_slugs, meril, strict=True))

    def link(record: Infrastructure, slug: str | None) -> None:
        if slug:
            record.same_as.append(mint(base_iri, Kind.INFRASTRUCTURE, slug))

    for record in meril:
        link(
            record, next((esfri_index[k] for k in sorted(_keys(record)) if k in esfri_index), None)
        )
    for record, coord in pairs:
        keys = sorted(_keys(record))
        if "MERIL" in coord:
            quoted = _QUOTED.findall(coord)
            target = meril_by_name.get(quoted[0]) if quoted else None
            target = target or next((meril_index[k] for k in keys if k in meril_index), None)
            if target is None:
                raise LoadError(record.at("coord_source"), "the name of a loaded MERIL point")
            link(record, target)
            _coordinates_from(record, meril_by_slug[target])
        link(record, next((esfri_index[k] for k in keys if k in esfri_index), None))
    return Bundle(riis, esfri, meril, esfri_tally, meril_tally, esfri_warnings)


def esfri_network(graph: SourceGraph, base_iri: str, record_source: str) -> None:
    """The ``riikg:Network`` of the ESFRI Roadmap 2016."""
    network = mint(base_iri, Kind.NETWORK, slugify(ESFRI_NETWORK))
    graph.add((network, RDF.type, RIIKG.Network))
    graph.add((network, SKOS.prefLabel, Literal(ESFRI_NETWORK, lang="en")))
    description = (
        "Projects and landmarks of the 2016 roadmap of the European Strategy Forum "
        "on Research Infrastructures (ESFRI)."
    )
    graph.add((network, DCTERMS.description, Literal(description, lang="en")))
    graph.add((network, DCTERMS.source, http_iri(record_source, "record_source")))


def _coordinates_from(record: Infrastructure, point: Infrastructure) -> None:
    """Take a curated row's coordinates from the MERIL point it cites.

    ``riis.csv`` holds these coordinates with latitude and longitude swapped (the GeoJSON
    ``[lon, lat]`` pair was copied into ``lat, lon``); the GeoJSON is the source, so its
    order is used. Coordinates that match neither order are refused.
    """
    if record.lat or record.long:
        given = {_round(record.lat), _round(record.long)}
        if given != {_round(point.lat), _round(point.long)}:
            raise LoadError(record.at("lat"), "the coordinates of the cited MERIL point")
    record.lat, record.long = point.lat, point.long


def _round(value: str) -> str:
    return f"{float(value):.4f}"


def _files(source: Source, roles: tuple[str, ...]) -> dict[str, Path]:
    """The source's files by role (``riis``, ``esfri``, ``meril``, ``polygons``)."""
    if len(source.files) != len(roles):
        raise LoadError(source.id, f"{len(roles)} files: " + ", ".join(roles))
    return dict(zip(roles, source.files, strict=True))


def _bundle(base_iri: str, files: dict[str, Path], **sources: str) -> Bundle:
    return bundle(
        base_iri,
        riis_path=files["riis"],
        esfri_path=files["esfri"],
        meril_path=files["meril"],
        polygons_path=files["polygons"],
        **sources,
    )


def _summarise(graph: SourceGraph, tally: Counter[str]) -> None:
    """Put the placement counts into the loader's result (printed by ``riikg load``)."""
    for rule in PLACEMENT_ORDER:
        if tally.get(rule):
            graph.summary[rule] = tally[rule]
    for rule, count in sorted(tally.items()):
        graph.summary.setdefault(rule, count)


def load_esfri(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Loader ``esfri``: files ESFRI CSV, NUTS polygons, curated riis.csv, MERIL GeoJSON."""
    files = _files(source, ("esfri", "polygons", "riis", "meril"))
    record_source = _option(source, "record_source")
    found = _bundle(base_iri, files, esfri_source=record_source)
    esfri_network(graph, base_iri, record_source)
    Emitter(graph, base_iri).emit(found.esfri)
    for warning in found.esfri_warnings:
        _log.warning("%s", warning)
    _summarise(graph, found.esfri_placement)
    return graph


def load_meril(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Loader ``meril``: files MERIL GeoJSON, NUTS polygons, ESFRI CSV, curated riis.csv."""
    files = _files(source, ("meril", "polygons", "esfri", "riis"))
    found = _bundle(base_iri, files, meril_source=_option(source, "record_source"))
    Emitter(graph, base_iri).emit(found.meril)
    _summarise(graph, found.meril_placement)
    return graph


def load_riis(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Loader ``riis``: files riis.csv, MERIL GeoJSON, NUTS polygons, ESFRI CSV."""
    files = _files(source, ("riis", "meril", "polygons", "esfri"))
    found = _bundle(base_iri, files)
    Emitter(graph, base_iri).emit(found.riis)
    return graph
