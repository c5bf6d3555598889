"""Data access for entity pages: build, run, transform rows into plain dataclasses.

Views and templates never see raw result rows: they get the named records built here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from endpoint.http.links import href, valid_lang
from endpoint.pages.labels import SourceInfo, labels, source_of, types
from endpoint.pages.queries import q
from riikg.namespaces import WGS, curie, source_graph_prefix
from riikg.store import Store, Term

RDF_TYPE = str(RDF.type)
XSD_STRING = str(XSD.string)
LANG_STRING = str(RDF.langString)
DESCRIPTION_PROPS = (str(DCTERMS.description), str(SKOS.definition), str(RDFS.comment))
#: properties shown first, in this order; the rest follow sorted by label
FIRST = (
    RDF_TYPE,
    str(SKOS.prefLabel),
    str(SKOS.altLabel),
    str(SKOS.notation),
    *DESCRIPTION_PROPS,
)
INCOMING_PAGE = 20


@dataclass(frozen=True)
class Link:
    """A resource shown by its label; ``href`` is None when it must not be a link."""

    iri: str
    label: str
    href: str | None


@dataclass
class Value:
    """One object of a statement."""

    text: str
    link: Link | None = None
    lang: str = ""
    datatype: str = ""
    sources: list[SourceInfo] = field(default_factory=list)
    nested: list[tuple[Link, list[Value]]] = field(default_factory=list)


@dataclass
class Property:
    link: Link
    values: list[Value]


@dataclass
class Incoming:
    """Resources pointing to the described one through one property (one page of them)."""

    link: Link
    key: str
    count: int
    items: list[Link]
    page: int
    pages: int


@dataclass
class Description:
    iri: str
    label: str
    labels: dict[str, str]
    types: list[Link]
    properties: list[Property]
    incoming: list[Incoming]
    sources: list[SourceInfo]
    description: str = ""
    point: tuple[float, float] | None = None
    query: str = ""
    label_lang: str = ""

    def has_type(self, iri: str) -> bool:
        return any(t.iri == iri for t in self.types)


class Linker:
    """Turns IRIs into :class:`Link` values for one request (labels in the wanted language)."""

    def __init__(self, base: str, root: str, langs: tuple[str, ...]) -> None:
        self.base, self.root, self.langs = base, root, langs
        self.index = labels()

    def link(self, iri: str) -> Link:
        return Link(iri, self.index.display(iri, self.langs), href(iri, self.base, self.root))

    def prop(self, iri: str) -> Link:
        label = self.index.label(iri, self.langs)
        return Link(iri, label or curie(iri), href(iri, self.base, self.root))


def with_values(query: str, **bindings: Term) -> str:
    """The query text with its bindings made explicit as a trailing ``VALUES`` clause.

    The terms are written by pyoxigraph, which escapes them, so the text is safe to show
    and to run (used for the "open in SPARQL" links).

    >>> with_values("#+ summary: x\\nSELECT * { ?s ?p ?o }", s=NamedNode("http://x/a"))
    'SELECT * { ?s ?p ?o }\\nVALUES ?s { <http://x/a> }'
    """
    lines = [line for line in query.rstrip().splitlines() if not line.startswith("#+")]
    for name, term in bindings.items():
        lines.append(f"VALUES ?{name} {{ {term} }}")
    return "\n".join(lines)


def _value(term: Term, linker: Linker) -> Value:
    if isinstance(term, NamedNode):
        return Value(term.value, link=linker.link(term.value))
    if isinstance(term, BlankNode):
        return Value("(blank node)")
    lit: Literal = term
    dt = lit.datatype.value if lit.datatype else ""
    show_dt = "" if dt in (XSD_STRING, LANG_STRING, "") else curie(dt)
    return Value(lit.value, lang=valid_lang(lit.language or ""), datatype=show_dt)


def _order(p: Property) -> tuple[int, str]:
    iri = p.link.iri
    return (FIRST.index(iri), "") if iri in FIRST else (len(FIRST), p.link.label.casefold())


def describe(
    store: Store, iri: str, linker: Linker, *, incoming_key: str = "", page: int = 1
) -> Description | None:
    """Describe one resource from the source graphs, or None if nothing is known about it."""
    subject = NamedNode(iri)
    rows = store.select(q("resource_statements"), s=subject)
    base_sources = source_graph_prefix(store.base)
    graphs: dict[tuple[str, Term], list[str]] = defaultdict(list)
    order: list[tuple[str, Term]] = []
    for row in rows:
        g = row["g"].value
        if not g.startswith(base_sources):
            continue
        key = (row["p"].value, row["o"])
        if key not in graphs:
            order.append(key)
        graphs[key].append(g)
    if not order:
        return None
    nested = _blank_nodes(store, subject, linker)
    by_prop: dict[str, list[Value]] = defaultdict(list)
    used: dict[str, SourceInfo] = {}
    lat = lon = None
    for p, o in order:
        value = _value(o, linker)
        value.sources = [source_of(g) for g in sorted(set(graphs[(p, o)]))]
        for s in value.sources:
            used[s.graph] = s
        if isinstance(o, BlankNode):
            value.nested = nested.get(o.value, [])
        by_prop[p].append(value)
        if isinstance(o, Literal) and p in (str(WGS.lat), str(WGS.long)):
            try:
                number = float(o.value)
            except ValueError:
                continue
            lat, lon = (number, lon) if p == str(WGS.lat) else (lat, number)
    props = [Property(linker.prop(p), vals) for p, vals in by_prop.items()]
    for prop in props:
        prop.values.sort(key=lambda v: (v.link.label.casefold() if v.link else v.text, v.lang))
    props.sort(key=_order)
    all_labels = {
        lang: linker.index.labels.get(iri, {})[lang] for lang in linker.index.languages(iri)
    }
    description = ""
    for p in DESCRIPTION_PROPS:
        texts = {v.lang: v.text for v in by_prop.get(p, [])}
        for lang in linker.langs:
            if lang in texts:
                description = texts[lang]
                break
        if not description and texts:
            description = next(iter(texts.values()))
        if description:
            break
    return Description(
        iri=iri,
        label=linker.index.display(iri, linker.langs),
        labels=all_labels,
        types=[linker.link(t) for t in sorted(types().get(iri, ()))],
        properties=props,
        incoming=incoming(store, iri, linker, key=incoming_key, page=page),
        sources=sorted(used.values(), key=lambda s: s.title),
        description=description,
        point=(lat, lon) if lat is not None and lon is not None else None,
        query=with_values(q("resource_statements"), s=subject),
        label_lang=(linker.index.pick(iri, linker.langs) or ("", ""))[1],
    )


def _blank_nodes(
    store: Store, subject: NamedNode, linker: Linker
) -> dict[str, list[tuple[Link, list[Value]]]]:
    grouped: dict[str, dict[str, list[Value]]] = defaultdict(lambda: defaultdict(list))
    for row in store.select(q("resource_blank_nodes"), s=subject):
        b = row["b"]
        grouped[b.value][row["p"].value].append(_value(row["o"], linker))
    return {
        b: [(linker.prop(p), vals) for p, vals in sorted(props.items())]
        for b, props in grouped.items()
    }


def incoming(
    store: Store, iri: str, linker: Linker, *, key: str = "", page: int = 1
) -> list[Incoming]:
    """Resources linking to ``iri``, grouped by property, one page per group.

    ``key`` names the group (prefixed property name) whose ``page`` is asked for; every
    other group shows its first page.
    """
    by_prop: dict[str, list[str]] = defaultdict(list)
    for row in store.select(q("resource_incoming"), o=NamedNode(iri)):
        by_prop[row["p"].value].append(row["x"].value)
    groups: list[Incoming] = []
    for p, subjects in by_prop.items():
        link = linker.prop(p)
        group_key = curie(p)
        pages = max(1, -(-len(subjects) // INCOMING_PAGE))
        current = min(max(page, 1), pages) if group_key == key else 1
        ordered = sorted(
            set(subjects), key=lambda s: (linker.index.display(s, linker.langs).casefold(), s)
        )
        start = (current - 1) * INCOMING_PAGE
        items = [linker.link(s) for s in ordered[start : start + INCOMING_PAGE]]
        groups.append(Incoming(link, group_key, len(ordered), items, current, pages))
    groups.sort(key=lambda g: (-g.count, g.link.label.casefold()))
    return groups
