"""Load a source: loader -> graph -> SHACL validation -> replace its named graph + provenance.

``riikg validate`` and ``riikg load`` share one path: :func:`check_source` reads the source
(:func:`read_source`) and validates it with the reference data it points to; only
:func:`load_source` then writes. A source that fails to parse (``LoadError``) or validate
(``SourceRefused``) changes nothing. Loading an unchanged source again writes nothing and
says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, VOID, XSD

import riikg
from riikg.errors import LoadError, Location, SourceRefused
from riikg.namespaces import RIIKG, meta_graph, report_graph, source_graph
from riikg.queries import load_query
from riikg.sources import Source, SourceGraph
from riikg.store.base import RdfFormat, Store
from riikg.validate import Outcome, validate
from riikg.xmlchars import xml_char_problem as xml_char_problem


class Loader(Protocol):
    """The one shape of a loader."""

    def __call__(self, source: Source, graph: SourceGraph, *, base_iri: str) -> Graph: ...


class Status(StrEnum):
    LOADED = "loaded"
    UNCHANGED = "unchanged"


@dataclass
class LoadReport:
    """What happened to one source."""

    source: Source
    status: Status
    triples: int = 0
    sha256: str = ""
    outcome: Outcome | None = None
    version: int = 0
    entities: dict[str, int] = field(default_factory=dict)
    #: the loader's own counts (:attr:`riikg.sources.SourceGraph.summary`)
    summary: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        if self.status is Status.UNCHANGED:
            return f"{self.source.id}: unchanged ({self.triples} triples), nothing written"
        warn = len(self.outcome.warnings) if self.outcome else 0
        line = (
            f"{self.source.id}: loaded {self.triples} triples, {warn} warning(s), "
            f"store version {self.version}"
        )
        if self.summary:
            line += "; " + ", ".join(f"{k}: {v}" for k, v in self.summary.items())
        return line


def check_xml_text(text: str, where: Location | str) -> None:
    """Raise :class:`LoadError` at ``where`` if ``text`` holds a character XML 1.0 forbids."""
    problem = xml_char_problem(text)
    if problem is not None:
        raise LoadError(where, problem)


def _shown(term: object, limit: int = 80) -> str:
    """A term for an error message: shortened, characters that are not printable escaped."""
    text = str(term)
    text = text if len(text) <= limit else text[:limit] + "…"
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


def check_graph_text(graph: Graph, fallback: Location | str) -> None:
    """Refuse a graph with a term XML 1.0 cannot carry (every loader's graph passes here).

    The error is located where the loader recorded the statement (``file:row:column`` for
    tables, the JSON pointer for exports, the file for RDF), else at ``fallback``, and names
    the triple.
    """
    for s, p, o in graph:
        terms = (s, p, o, o.datatype) if isinstance(o, Literal) and o.datatype else (s, p, o)
        for role, term in zip(("subject", "predicate", "value", "datatype"), terms, strict=False):
            problem = xml_char_problem(str(term))
            if problem is None:
                continue
            where = graph.location_of(s, p) if isinstance(graph, SourceGraph) else None
            raise LoadError(
                where or fallback,
                f"{problem}, in the {role} of the triple <{_shown(s)}> <{_shown(p)}>",
            )


def to_oxigraph(graph: Graph) -> list[ox.Triple]:
    """Convert an rdflib graph to pyoxigraph triples (through N-Triples, natively parsed)."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def _stored_record(store: Store, source_id: str) -> dict[str, str]:
    rows = store.select(
        load_query("riikg.rq", "stored_record").text,
        m=ox.NamedNode(str(meta_graph(store.base, source_id))),
        g=ox.NamedNode(str(source_graph(store.base, source_id))),
    )
    if not rows:
        return {}
    return {k: v.value for k, v in rows[0].items()}


def reference_context(store: Store, data: Graph) -> Graph:
    """Reference triples the source points to (regions and their parents, strategies...).

    Only the neighbourhood of what the source references is fetched, so validation cost
    follows the size of the source, not of the store.
    """
    subjects = set(data.subjects())
    roots = {o for o in data.objects() if isinstance(o, URIRef) and o not in subjects}
    context = Graph()
    if not roots or not store.source_graphs():
        return context
    query = load_query("riikg.rq", "reference_context").text
    seen: set[str] = set()
    for root in sorted(roots):
        for t in store.construct(query, r=ox.NamedNode(str(root))):
            seen.add(f"{t} .")
    if seen:
        context.parse(data="\n".join(sorted(seen)), format="nt")
    return context


def _equal_to_stored(store: Store, graph_iri: str, triples: list[ox.Triple]) -> bool:
    if any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    ):
        return False
    stored = store.dump(graph_iri, RdfFormat.NTRIPLES)
    stored_set = {line for line in stored.decode("utf-8").splitlines() if line.strip()}
    return stored_set == {f"{t} ." for t in triples}


def provenance(
    source: Source, *, base: str, sha: str, triples: int, outcome: Outcome, when: datetime
) -> Graph:
    """The provenance record of a loaded source (docs/model.md, "Provenance")."""
    g = Graph()
    s = source_graph(base, source.id)
    g.add((s, RDF.type, DCAT.Dataset))
    g.add((s, RDF.type, PROV.Entity))
    g.add((s, RDF.type, RIIKG.SourceGraph))
    g.add((s, DCTERMS.identifier, Literal(source.id)))
    g.add((s, DCTERMS.title, Literal(source.title or source.id, lang="en")))
    g.add((s, DCTERMS.source, Literal(source.location)))
    if source.homepage:
        g.add((s, DCAT.landingPage, URIRef(source.homepage)))
    if source.licence:
        g.add((s, DCTERMS.license, URIRef(source.licence)))
    if source.attribution:
        g.add((s, RIIKG.attribution, Literal(source.attribution)))
    if source.retrieved:
        g.add((s, DCTERMS.issued, Literal(source.retrieved, datatype=XSD.date)))
    stamp = Literal(when.isoformat(), datatype=XSD.dateTime)
    g.add((s, PROV.generatedAtTime, stamp))
    g.add((s, DCTERMS.modified, stamp))
    g.add((s, RIIKG.sha256, Literal(sha)))
    g.add((s, VOID.triples, Literal(triples, datatype=XSD.integer)))
    g.add((s, RIIKG.validationConforms, Literal(outcome.conforms)))
    g.add((s, RIIKG.validationViolations, Literal(len(outcome.violations), datatype=XSD.integer)))
    g.add((s, RIIKG.validationWarnings, Literal(len(outcome.warnings), datatype=XSD.integer)))
    g.add((s, RIIKG.validationReport, report_graph(base, source.id)))
    g.add((s, RIIKG.loader, Literal(source.loader)))
    g.add((s, RIIKG.softwareVersion, Literal(riikg.__version__)))
    if source.synthetic:
        g.add((s, RIIKG.synthetic, Literal(True)))
    return g


def _skolemised_report(report: Graph, base: str, source_id: str) -> Graph:
    """The report with stable IRIs instead of blank nodes (so reloads do not duplicate)."""
    out = Graph()
    prefix = f"{report_graph(base, source_id)}#"
    ids: dict[BNode, URIRef] = {}

    def term(t: Any) -> Any:
        if isinstance(t, BNode):
            return ids.setdefault(t, URIRef(f"{prefix}n{len(ids)}"))
        return t

    for s, p, o in report:
        out.add((term(s), p, term(o)))
    return out


def read_source(source: Source, loader: Loader, *, base_iri: str) -> Graph:
    """Run the loader of a source and check the graph it made before anything uses it.

    Raises:
        LoadError: the input cannot be read, or holds characters XML 1.0 cannot carry.
    """
    graph = loader(source, SourceGraph(), base_iri=base_iri)
    check_graph_text(graph, source.location or f"source {source.id!r}")
    return graph


@dataclass(frozen=True)
class Checked:
    """A source read and validated, not written."""

    graph: Graph
    outcome: Outcome


def check_source(
    store: Store, source: Source, loader: Loader, *, progress: Callable[[str], None] | None = None
) -> Checked:
    """Read a source and validate it with the reference data it points to from ``store``.

    Raises:
        LoadError: the input cannot be read, or holds characters XML 1.0 cannot carry.
    """
    say = progress or (lambda _msg: None)
    say(f"{source.id}: reading {source.location}")
    graph = read_source(source, loader, base_iri=store.base)
    say(f"{source.id}: validating {len(graph)} triples")
    return Checked(graph, validate(graph, context=reference_context(store, graph)))


def load_source(
    store: Store,
    source: Source,
    loader: Loader,
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Load one source into its named graph.

    Raises:
        LoadError: the input cannot be read, or holds characters XML 1.0 cannot carry
            (nothing written).
        SourceRefused: validation found violations (nothing written).
    """
    say = progress or (lambda _msg: None)
    record = _stored_record(store, source.id)
    # a source without local files (a remote endpoint) is hashed after it has been read
    sha = source.sha256() if source.files else ""
    unchanged = sha and record.get("sha") == sha and record.get("sw") == riikg.__version__
    if unchanged and not force:
        return LoadReport(source, Status.UNCHANGED, int(record.get("n", 0)), sha)
    checked = check_source(store, source, loader, progress=say)
    graph, outcome = checked.graph, checked.outcome
    if not outcome.conforms:
        raise SourceRefused(source.id, outcome.summary())
    if not sha:
        sha = hashlib.sha256(graph.serialize(format="nt", encoding="utf-8")).hexdigest()
    triples = to_oxigraph(graph)
    g_iri = str(source_graph(store.base, source.id))
    if record and _equal_to_stored(store, g_iri, triples):
        return LoadReport(source, Status.UNCHANGED, len(triples), sha, outcome, store.version)
    when = datetime.now(UTC).replace(microsecond=0)
    meta = provenance(
        source, base=store.base, sha=sha, triples=len(triples), outcome=outcome, when=when
    )
    # the manifest's title, attribution... and the file names go into the store as well
    check_graph_text(meta, f"source {source.id!r}")
    report = _skolemised_report(outcome.report, store.base, source.id)
    say(f"{source.id}: writing")
    version = store.replace_graphs(
        {
            g_iri: triples,
            str(meta_graph(store.base, source.id)): to_oxigraph(meta),
            str(report_graph(store.base, source.id)): to_oxigraph(report),
        }
    )
    summary = dict(graph.summary) if isinstance(graph, SourceGraph) else {}
    return LoadReport(
        source, Status.LOADED, len(triples), sha, outcome, version, entity_counts(graph), summary
    )


def entity_counts(graph: Graph) -> dict[str, int]:
    """Number of subjects per rdf:type (local name), for load reports."""
    counts: dict[str, int] = {}
    for cls in set(graph.objects(None, RDF.type)):
        name = str(cls).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        counts[name] = len(set(graph.subjects(RDF.type, cls)))
    return counts


def drop_source(store: Store, source_id: str) -> int:
    """Remove a source's graph, its provenance and its report; return the new version."""
    base = store.base
    graphs: dict[str, Iterable[ox.Triple] | None] = {
        str(source_graph(base, source_id)): None,
        str(meta_graph(base, source_id)): None,
        str(report_graph(base, source_id)): None,
    }
    return store.replace_graphs(graphs)
