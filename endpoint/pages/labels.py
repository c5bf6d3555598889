"""The indexes every page shares: labels, types and source records.

Each index is built with one query once per data version (:func:`endpoint.cache.per_version`),
so an entity page needs no label queries at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS

from endpoint.cache import per_version
from endpoint.http.links import valid_lang
from endpoint.pages.queries import q
from endpoint.state import get_store
from riikg.namespaces import NUTS_CODE, SCHEMA, VCARD, curie, source_id_of
from riikg.store import Store

#: labelling properties, best first
LABEL_PROPERTIES = (
    str(SKOS.prefLabel),
    str(RDFS.label),
    str(DCTERMS.title),
    str(SCHEMA.name),
    str(FOAF.name),
    str(VCARD.fn),
    str(SKOS.notation),
)
NOTATION = LABEL_PROPERTIES[-1]


def lang_order(requested: str | None) -> tuple[str, ...]:
    """Preferred languages: the requested one (and its primary subtag), English, untagged."""
    order: list[str] = []
    if requested:
        order.append(requested.lower())
        primary = requested.split("-")[0].lower()
        if primary not in order:
            order.append(primary)
    for tag in ("en", ""):
        if tag not in order:
            order.append(tag)
    return tuple(order)


@dataclass
class LabelIndex:
    """Labels of every resource: IRI -> language -> label (best labelling property wins)."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    notations: dict[str, str] = field(default_factory=dict)

    def add(self, iri: str, lang: str, text: str) -> None:
        self.labels.setdefault(iri, {}).setdefault(lang, text)

    def pick(self, iri: str, langs: tuple[str, ...] = ("en", "")) -> tuple[str, str] | None:
        """``(label, language)`` in the first available language of ``langs``, else any."""
        by_lang = self.labels.get(iri)
        if not by_lang:
            notation = self.notations.get(iri)
            return (notation, "") if notation is not None else None
        for lang in langs:
            if lang in by_lang:
                return by_lang[lang], lang
        for lang in langs:
            for tag, text in by_lang.items():
                if lang and tag.split("-")[0].lower() == lang:
                    return text, tag
        tag, text = sorted(by_lang.items())[0]
        return text, tag

    def label(self, iri: str, langs: tuple[str, ...] = ("en", "")) -> str | None:
        """The label in the first available language of ``langs``, else any label."""
        found = self.pick(iri, langs)
        return found[0] if found else None

    def display(self, iri: str, langs: tuple[str, ...] = ("en", "")) -> str:
        """A human-readable name: the label, else a prefixed name, else the IRI."""
        found = self.label(iri, langs)
        if found is not None:
            if iri.startswith(NUTS_CODE):
                code = iri[len(NUTS_CODE) :]
                return found if found == code else f"{found} ({code})"
            return found
        return curie(iri)

    def languages(self, iri: str) -> list[str]:
        return sorted(self.labels.get(iri, {}))


def build_labels(store: Store) -> LabelIndex:
    rows = store.select(q("labels"))
    rank = {p: i for i, p in enumerate(LABEL_PROPERTIES)}
    rows.sort(key=lambda r: rank.get(r["p"].value, 99))
    index = LabelIndex()
    for row in rows:
        x, label = row["x"], row["label"]
        if isinstance(x, NamedNode) and isinstance(label, Literal):
            if row["p"].value == NOTATION:
                index.notations.setdefault(x.value, label.value)
            else:
                index.add(x.value, valid_lang(label.language or ""), label.value)
    return index


def labels() -> LabelIndex:
    """The label index of the current data version."""
    return per_version("labels", build_labels)


@dataclass(frozen=True)
class SourceInfo:
    """A loaded source as its provenance record describes it."""

    graph: str
    id: str
    title: str
    license: str | None = None
    attribution: str | None = None
    loaded: str | None = None
    triples: int | None = None


def build_sources(store: Store) -> dict[str, SourceInfo]:
    out: dict[str, SourceInfo] = {}
    for row in store.select(q("sources")):
        g = row["g"].value
        sid = row["id"].value if "id" in row else (source_id_of(store.base, g) or g)
        triples = row.get("triples")
        out[g] = SourceInfo(
            graph=g,
            id=sid,
            title=row["title"].value if "title" in row else sid,
            license=row["license"].value if "license" in row else None,
            attribution=row["attribution"].value if "attribution" in row else None,
            loaded=row["loaded"].value if "loaded" in row else None,
            triples=int(triples.value) if triples is not None else None,
        )
    return out


def sources() -> dict[str, SourceInfo]:
    """Source graph IRI -> its provenance record, for the current data version."""
    return per_version("sources", build_sources)


def source_of(graph: str) -> SourceInfo:
    """The record of a source graph (a minimal one if the graph has no record)."""
    found = sources().get(graph)
    if found is not None:
        return found
    sid = source_id_of(get_store().base, graph) or graph
    return SourceInfo(graph=graph, id=sid, title=sid)


def build_types(store: Store) -> dict[str, frozenset[str]]:
    types: dict[str, set[str]] = {}
    for row in store.select(q("types")):
        x, t = row["x"], row["type"]
        if isinstance(x, NamedNode) and isinstance(t, NamedNode):
            types.setdefault(x.value, set()).add(t.value)
    return {k: frozenset(v) for k, v in types.items()}


def types() -> dict[str, frozenset[str]]:
    """IRI -> its ``rdf:type`` IRIs, for the current data version."""
    return per_version("types", build_types)


def sort_by_label(iris: Iterable[str], langs: tuple[str, ...]) -> list[str]:
    index = labels()
    return sorted(iris, key=lambda i: (index.display(i, langs).casefold(), i))
