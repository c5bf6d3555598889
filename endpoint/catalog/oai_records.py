"""The records of the OAI-PMH repository (``endpoint.catalog.oai``) and their XML.

Every DCAT-AP dataset of the catalogue (the whole graph and each source) and every research
infrastructure becomes a :class:`Record`; ``header``, ``oai_dc`` and ``rdf_xml`` write one as
XML by hand, every value escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from endpoint.catalog.data import QUERIES, SourceRecord, latest
from endpoint.catalog.dcat import KG_DESCRIPTION, KG_TITLE, dataset_graph
from endpoint.catalog.dumps import DumpSet
from endpoint.http import urls
from riikg.config import Settings
from riikg.namespaces import DC_ELEMENTS, OAI_DC, OAI_DC_SCHEMA, XSI
from riikg.queries import load_query
from riikg.store import Store
from riikg.xmlchars import clean_text


# ---- the items ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    """One OAI-PMH item."""

    identifier: str
    datestamp: datetime
    sets: tuple[str, ...]
    formats: tuple[str, ...]
    source: SourceRecord | None = None  # dataset records: the source (None: whole graph)
    dc: dict[str, list[str]] = field(default_factory=dict)
    is_dataset: bool = True


def build_records(settings: Settings, store: Store, records: list[SourceRecord]) -> list[Record]:
    """Every record of the repository, sorted by identifier."""
    by_graph = {r.graph: r for r in records}
    out: list[Record] = []
    whole = latest(records)
    if whole is not None:
        out.append(
            Record(
                urls.dataset_iri(settings),
                whole,
                ("datasets",),
                ("oai_dc", "dcat_ap"),
                None,
                {
                    "title": [KG_TITLE],
                    "description": [KG_DESCRIPTION],
                    "type": ["Dataset"],
                    "identifier": [urls.dataset_iri(settings)],
                    "publisher": [settings.publisher_name],
                    "rights": [settings.licence],
                },
            )
        )
    for r in records:
        out.append(
            Record(
                r.graph,
                r.modified,
                ("datasets", "source", f"source:{r.id}"),
                ("oai_dc", "dcat_ap"),
                r,
                {
                    "title": [r.title],
                    "type": ["Dataset"],
                    "identifier": [r.graph],
                    "publisher": [settings.publisher_name],
                    "rights": [r.licence or settings.licence],
                    "coverage": list(r.countries),
                    "date": [r.modified.date().isoformat()],
                    "source": [r.homepage] if r.homepage else [],
                },
            )
        )
    out.extend(infrastructure_records(store, by_graph))
    return sorted(out, key=lambda rec: rec.identifier)


def infrastructure_records(store: Store, by_graph: Mapping[str, SourceRecord]) -> list[Record]:
    rows = store.select(load_query(QUERIES, "infrastructures").text)
    found: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        graph = row["g"].value
        if graph not in by_graph:
            continue
        entry = found.setdefault(row["s"].value, {})
        entry.setdefault("graphs", set()).add(graph)
        for key, name in (
            ("label", "title"),
            ("description", "description"),
            ("region", "coverage"),
            ("homepage", "relation"),
        ):
            if key in row:
                entry.setdefault(name, set()).add(row[key].value)
    out: list[Record] = []
    for iri, entry in found.items():
        sources = [by_graph[g] for g in sorted(entry.pop("graphs"))]
        dc = {k: sorted(v) for k, v in entry.items()}
        dc["identifier"] = [iri]
        dc["type"] = ["Research infrastructure"]
        out.append(
            Record(
                iri,
                max(s.modified for s in sources),
                ("infrastructures", "source", *(f"source:{s.id}" for s in sources)),
                ("oai_dc",),
                dc=dc,
                is_dataset=False,
            )
        )
    return out


def sets(records: list[SourceRecord]) -> list[tuple[str, str]]:
    out = [
        ("datasets", "DCAT-AP datasets: the whole knowledge graph and each source"),
        ("infrastructures", "Research infrastructures"),
        ("source", "Records by source"),
    ]
    out.extend((f"source:{r.id}", f"Source: {r.title}") for r in records)
    return out


# ---- XML ------------------------------------------------------------------------------------
def xml_text(text: str) -> str:
    """Escaped text; characters XML 1.0 cannot carry become U+FFFD (the rule every XML
    answer follows, ``endpoint.http.xmlsafe``)."""
    return escape(clean_text(text))


def el(tag: str, text: str = "", **attrs: str) -> str:
    attributes = "".join(f" {k}={quoteattr(clean_text(v))}" for k, v in attrs.items())
    return f"<{tag}{attributes}>{xml_text(text)}</{tag}>"


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def header(rec: Record) -> str:
    specs = "".join(el("setSpec", s) for s in rec.sets)
    ident = el("identifier", rec.identifier) + el("datestamp", stamp(rec.datestamp))
    return f"<header>{ident}{specs}</header>"


def oai_dc(rec: Record) -> str:
    schema = f"{OAI_DC} {OAI_DC_SCHEMA}"
    parts = "".join(
        el(f"dc:{name}", value) for name in sorted(rec.dc) for value in rec.dc[name] if value
    )
    return (
        f'<oai_dc:dc xmlns:oai_dc="{OAI_DC}" xmlns:dc="{DC_ELEMENTS}" '
        f'xmlns:xsi="{XSI}" xsi:schemaLocation="{schema}">{parts}</oai_dc:dc>'
    )


def rdf_xml(settings: Settings, rec: Record, dumps: DumpSet, records: list[SourceRecord]) -> str:
    text = dataset_graph(settings, rec.source, dumps, records).serialize(format="xml")
    return text.split("?>", 1)[1].strip() if text.startswith("<?xml") else text
