"""The store contract: the same behaviour on every backend (see ``conftest.any_store``)."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from riikg.store.base import QueryFailed, RdfFormat, ResultFormat, Store

EX = "http://example.org/data/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def nn(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


LANG = ox.Literal('Laboratorio "MIST"\nE-R', language="it")
QUOTED = ox.Literal('say "hi" \\ back\ttab\r\nend')
UNICODE = ox.Literal("Zürich – 東京 ☃", language="de")
TYPED = ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))
CUSTOM = ox.Literal("A-7", datatype=nn("code"))
DATE = ox.Literal("2024-05-01", datatype=ox.NamedNode(XSD + "date"))
SECOND = ox.Literal("Second", language="en")

DATA_A = [
    ox.Triple(nn("i1"), nn("label"), LANG),
    ox.Triple(nn("i1"), nn("note"), QUOTED),
    ox.Triple(nn("i1"), nn("city"), UNICODE),
    ox.Triple(nn("i1"), nn("count"), TYPED),
    ox.Triple(nn("i1"), nn("code"), CUSTOM),
    ox.Triple(nn("i1"), nn("opened"), DATE),
    ox.Triple(nn("i1"), nn("partner"), nn("i2")),
    ox.Triple(nn("i2"), nn("label"), SECOND),
    ox.Triple(nn("i2"), nn("count"), ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))),
]
DATA_B = [ox.Triple(nn("i3"), nn("label"), ox.Literal("Third", language="en"))]
SECRET = [ox.Triple(nn("i1"), nn("secret"), ox.Literal("hidden"))]


def g(store: Store, kind: str, name: str = "") -> str:
    return f"{store.base}graph/{kind}" + (f"/{name}" if name else "")


def fill(store: Store) -> int:
    return store.replace_graphs(
        {
            g(store, "source", "a"): DATA_A,
            g(store, "source", "b"): DATA_B,
            g(store, "meta", "a"): SECRET,
        }
    )


def as_set(triples: list[ox.Triple]) -> set[str]:
    return {str(t) for t in triples}


def rows_as_set(rows: Sequence[Mapping[str, object]]) -> set[str]:
    return {repr(sorted((k, str(v)) for k, v in r.items())) for r in rows}


# ---- empty store, listing, default graph ----------------------------------------------


def test_empty_store(any_store: Store) -> None:
    assert any_store.version == 0
    assert any_store.modified is None
    assert any_store.named_graphs() == []
    assert any_store.source_graphs() == []
    assert any_store.count() == 0
    assert any_store.select("SELECT * WHERE { ?s ?p ?o }") == []
    assert any_store.ask("ASK { ?s ?p ?o }") is False


def test_named_and_source_graphs(any_store: Store) -> None:
    fill(any_store)
    a, b, meta_a = (
        g(any_store, "source", "a"),
        g(any_store, "source", "b"),
        g(any_store, "meta", "a"),
    )
    assert any_store.named_graphs() == sorted([a, b, meta_a, g(any_store, "meta")])
    assert any_store.source_graphs() == [a, b]


def test_default_graph_is_the_union_of_source_graphs(any_store: Store) -> None:
    fill(any_store)
    labels = any_store.select(f"SELECT ?s WHERE {{ ?s <{EX}label> ?l }}")
    assert {r["s"] for r in labels} == {nn("i1"), nn("i2"), nn("i3")}
    # metadata graphs are invisible without GRAPH ...
    assert not any_store.ask(f"ASK {{ ?s <{EX}secret> ?o }}")
    assert not any_store.ask(f"ASK {{ <{any_store.base}> ?p ?o }}")
    # ... and reachable with it
    rows = any_store.select(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s <{EX}secret> ?o }} }}")
    assert rows == [{"g": ox.NamedNode(g(any_store, "meta", "a"))}]
    assert any_store.ask(f"ASK {{ GRAPH <{g(any_store, 'meta')}> {{ <{any_store.base}> ?p ?o }} }}")
    # an explicit default graph replaces the union
    raw = any_store.query_raw(
        f"SELECT ?o WHERE {{ ?s <{EX}secret> ?o }}",
        ResultFormat.JSON,
        default_graphs=[g(any_store, "meta", "a")],
    )
    parsed = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [s["o"] for s in parsed] == [ox.Literal("hidden")]


def test_named_graphs_parameter_restricts_graph(any_store: Store) -> None:
    fill(any_store)
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    raw = any_store.query_raw(query, ResultFormat.JSON, named_graphs=[g(any_store, "meta", "a")])
    parsed = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [s["g"] for s in parsed] == [ox.NamedNode(g(any_store, "meta", "a"))]
    # without it, GRAPH ranges over every graph of the store
    every = {r["g"].value for r in any_store.select(query)}
    assert every == set(any_store.named_graphs())


# ---- select / ask / construct with bindings --------------------------------------------


@pytest.mark.parametrize(
    ("var", "term", "expected"),
    [
        ("o", LANG, {nn("i1")}),
        ("o", QUOTED, {nn("i1")}),
        ("o", UNICODE, {nn("i1")}),
        ("o", TYPED, {nn("i1")}),
        ("o", CUSTOM, {nn("i1")}),
        ("o", DATE, {nn("i1")}),
        ("o", nn("i2"), {nn("i1")}),
        ("o", ox.Literal("42"), set()),  # a plain string is not the integer 42
        ("o", ox.Literal('Laboratorio "MIST"\nE-R', language="en"), set()),
    ],
    ids=["lang", "quotes", "unicode", "integer", "custom-type", "date", "iri", "string", "en"],
)
def test_select_binds_terms(
    any_store: Store, var: str, term: ox.Literal | ox.NamedNode, expected: set[ox.NamedNode]
) -> None:
    fill(any_store)
    rows = any_store.select("SELECT ?s ?o WHERE { ?s ?p ?o }", **{var: term})
    assert {r["s"] for r in rows} == expected
    assert all(r["o"] == term for r in rows)


def test_select_binds_several_variables_and_returns_exact_terms(any_store: Store) -> None:
    fill(any_store)
    rows = any_store.select(
        """
        # a comment with { braces } and a "string"
        PREFIX ex: <http://example.org/data/>
        SELECT ?s ?p ?o WHERE { ?s ?p ?o . FILTER(?p != ex:partner) } ORDER BY ?p LIMIT 100
        """,
        s=nn("i1"),
    )
    assert rows_as_set(rows) == rows_as_set(
        [
            {"s": t.subject, "p": t.predicate, "o": t.object}
            for t in DATA_A
            if t.subject == nn("i1") and t.predicate != nn("partner")
        ]
    )


def test_select_binding_in_graph_and_aggregate(any_store: Store) -> None:
    fill(any_store)
    rows = any_store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        g=ox.NamedNode(g(any_store, "source", "a")),
    )
    assert [(r["g"], r["n"].value) for r in rows] == [
        (ox.NamedNode(g(any_store, "source", "a")), str(len(DATA_A)))
    ]


def test_select_unbound_values_are_left_out(any_store: Store) -> None:
    fill(any_store)
    rows = any_store.select(
        f"SELECT ?s ?c WHERE {{ ?s <{EX}label> ?l OPTIONAL {{ ?s <{EX}code> ?c }} }}"
    )
    assert rows_as_set(rows) == rows_as_set(
        [{"s": nn("i1"), "c": CUSTOM}, {"s": nn("i2")}, {"s": nn("i3")}]
    )


def test_ask_binds_terms(any_store: Store) -> None:
    fill(any_store)
    assert any_store.ask("ASK { ?s ?p ?o }", s=nn("i1"), o=LANG)
    assert not any_store.ask("ASK { ?s ?p ?o }", s=nn("i2"), o=LANG)


def test_construct_binds_terms(any_store: Store) -> None:
    fill(any_store)
    got = any_store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", s=nn("i1"))
    assert as_set(got) == as_set([t for t in DATA_A if t.subject == nn("i1")])
    short = any_store.construct("CONSTRUCT WHERE { ?s ?p ?o }", o=QUOTED)
    assert as_set(short) == {str(ox.Triple(nn("i1"), nn("note"), QUOTED))}


def test_construct_with_blank_nodes(any_store: Store) -> None:
    b1, b2 = ox.BlankNode(), ox.BlankNode()
    data = [
        ox.Triple(nn("x"), nn("contact"), b1),
        ox.Triple(b1, nn("name"), ox.Literal("Ada")),
        ox.Triple(b1, nn("knows"), b2),
        ox.Triple(b2, nn("name"), ox.Literal("Bob")),
    ]
    any_store.replace_graphs({g(any_store, "source", "bn"): data})
    assert any_store.count(g(any_store, "source", "bn")) == 4
    got = Graph().parse(
        data=any_store.dump(g(any_store, "source", "bn"), RdfFormat.NTRIPLES).decode(),
        format="nt",
    )
    want = Graph().parse(data="".join(f"{t} .\n" for t in data), format="nt")
    from rdflib.compare import isomorphic

    assert isomorphic(got, want)


# ---- raw protocol results -------------------------------------------------------------

SELECT_ALL = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(?p != <{EX}partner>) }}"


@pytest.mark.parametrize("fmt", [ResultFormat.JSON, ResultFormat.XML, ResultFormat.TSV])
def test_query_raw_select_typed_formats(any_store: Store, fmt: ResultFormat) -> None:
    fill(any_store)
    raw = any_store.query_raw(SELECT_ALL, fmt)
    parsed = ox.parse_query_results(raw, format=ox.QueryResultsFormat.from_media_type(fmt.value))
    assert isinstance(parsed, ox.QuerySolutions)
    rows = [{k: s[k] for k in ("s", "p", "o") if s[k] is not None} for s in parsed]
    assert rows_as_set(rows) == rows_as_set(any_store.select(SELECT_ALL))
    assert len(rows) == len(DATA_A) + len(DATA_B) - 1


def test_query_raw_select_csv(any_store: Store) -> None:
    fill(any_store)
    raw = any_store.query_raw(SELECT_ALL, ResultFormat.CSV)
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    got = {(r["s"], r["p"], r["o"]) for r in reader}
    want = {
        (t.subject.value, t.predicate.value, t.object.value)  # type: ignore[union-attr]
        for t in DATA_A + DATA_B
        if t.predicate != nn("partner")
    }
    assert got == want


@pytest.mark.parametrize("fmt", [ResultFormat.JSON, ResultFormat.XML])
def test_query_raw_ask(any_store: Store, fmt: ResultFormat) -> None:
    fill(any_store)
    for query, expected in ((f"ASK {{ ?s <{EX}label> ?o }}", True), ("ASK { ?s ?s ?s }", False)):
        raw = any_store.query_raw(query, fmt)
        parsed = ox.parse_query_results(
            raw, format=ox.QueryResultsFormat.from_media_type(fmt.value)
        )
        assert isinstance(parsed, ox.QueryBoolean)
        assert bool(parsed) is expected


@pytest.mark.parametrize(
    "fmt", [RdfFormat.TURTLE, RdfFormat.NTRIPLES, RdfFormat.RDFXML, RdfFormat.JSONLD]
)
def test_query_raw_construct(any_store: Store, fmt: RdfFormat) -> None:
    fill(any_store)
    raw = any_store.query_raw(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <{EX}i1>) }}", fmt
    )
    parsed = [q.triple for q in ox.parse(raw, format=ox.RdfFormat.from_media_type(fmt.value))]
    assert as_set(parsed) == as_set([t for t in DATA_A if t.subject == nn("i1")])


def test_query_raw_refuses_a_format_that_cannot_carry_the_result(any_store: Store) -> None:
    fill(any_store)
    with pytest.raises(QueryFailed):
        any_store.query_raw("CONSTRUCT WHERE { ?s ?p ?o }", ResultFormat.JSON)
    with pytest.raises(QueryFailed):
        any_store.query_raw("SELECT * WHERE { ?s ?p ?o }", RdfFormat.TURTLE)


# ---- writes: versions, count, dump, drop, atomicity -----------------------------------


def test_version_and_modified_change_on_every_write(any_store: Store) -> None:
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    assert fill(any_store) == 1
    assert any_store.version == 1
    modified = any_store.modified
    assert modified is not None and modified >= before
    assert modified <= datetime.now(UTC) + timedelta(seconds=1)
    assert any_store.replace_graphs({g(any_store, "source", "b"): DATA_B}) == 2
    assert any_store.version == 2
    assert any_store.replace_graphs({g(any_store, "source", "zz"): None}) == 3
    assert any_store.version == 3
    # the version record is metadata: not in the default graph, not a source graph
    assert g(any_store, "meta") in any_store.named_graphs()
    assert g(any_store, "meta") not in any_store.source_graphs()


def test_count_and_dump(any_store: Store) -> None:
    fill(any_store)
    assert any_store.count(g(any_store, "source", "a")) == len(DATA_A)
    assert any_store.count(g(any_store, "source", "b")) == len(DATA_B)
    assert any_store.count(g(any_store, "source", "missing")) == 0
    # whole store: data + metadata + the version record (2 triples)
    assert any_store.count() == len(DATA_A) + len(DATA_B) + len(SECRET) + 2
    for fmt in (RdfFormat.NTRIPLES, RdfFormat.TURTLE):
        raw = any_store.dump(g(any_store, "source", "a"), fmt)
        parsed = [q.triple for q in ox.parse(raw, format=ox.RdfFormat.from_media_type(fmt.value))]
        assert as_set(parsed) == as_set(DATA_A)
    empty = any_store.dump(g(any_store, "source", "missing"), RdfFormat.NTRIPLES)
    assert list(ox.parse(empty, format=ox.RdfFormat.N_TRIPLES)) == []


def test_replace_and_drop_graphs(any_store: Store) -> None:
    fill(any_store)
    a = g(any_store, "source", "a")
    any_store.replace_graphs({a: DATA_B, g(any_store, "meta", "a"): None})
    assert as_set(
        [
            q.triple
            for q in ox.parse(any_store.dump(a, RdfFormat.NTRIPLES), format=ox.RdfFormat.N_TRIPLES)
        ]
    ) == as_set(DATA_B)
    assert g(any_store, "meta", "a") not in any_store.named_graphs()
    any_store.replace_graphs({a: None, g(any_store, "source", "b"): []})
    assert any_store.source_graphs() == []
    assert any_store.count() == 2  # only the version record is left
    assert any_store.select("SELECT * WHERE { ?s ?p ?o }") == []


def test_bad_query_raises_query_failed(any_store: Store) -> None:
    fill(any_store)
    with pytest.raises(QueryFailed):
        any_store.select("SELEC * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryFailed):
        any_store.query_raw("SELECT * WHERE { ?s ?p ", ResultFormat.JSON)
    with pytest.raises(QueryFailed):
        any_store.ask("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryFailed):
        any_store.select("ASK { ?s ?p ?o }")
    with pytest.raises(QueryFailed):
        any_store.construct("SELECT * WHERE { ?s ?p ?o }")


def test_replacement_is_atomic_for_concurrent_readers(any_store: Store) -> None:
    """Readers see the old or the new graph, never a mix (Virtuoso: see docs/remote-store.md)."""
    check_atomic_swap(any_store)


def check_atomic_swap(any_store: Store, rounds: int = 8) -> None:
    """Swap a graph ``rounds`` times while a thread reads; every read is all old or all new."""
    graph = g(any_store, "source", "swap")
    old = [ox.Triple(nn(f"s{i}"), nn("state"), ox.Literal("old")) for i in range(300)]
    new = [ox.Triple(nn(f"s{i}"), nn("state"), ox.Literal("new")) for i in range(200)]
    any_store.replace_graphs({graph: old})
    query = f"SELECT ?o (COUNT(*) AS ?n) WHERE {{ ?s <{EX}state> ?o }} GROUP BY ?o"
    seen: set[tuple[tuple[str, str], ...]] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                rows = any_store.select(query)
                seen.add(tuple(sorted((r["o"].value, r["n"].value) for r in rows)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(rounds):
            any_store.replace_graphs({graph: new if i % 2 == 0 else old})
            time.sleep(0.01)
    finally:
        stop.set()
        reader.join(30)
    assert not errors, errors
    assert seen, "the reader never ran"
    assert seen <= {(("old", "300"),), (("new", "200"),)}, seen


# ---- the pipeline through every backend -------------------------------------------------

TINY_TTL = """\
@prefix ex: <http://example.org/data/> .
ex:thing ex:name "A tiny source"@en ; ex:size 3 ; ex:next ex:other .
ex:other ex:name "Other \\"quoted\\""@en .
"""


def tiny_turtle_loader(source, graph, *, base_iri):  # type: ignore[no-untyped-def]
    """A loader with the ``Loader`` shape: parse the source's one Turtle file."""
    graph.parse(data=source.files[0].read_bytes(), format="turtle")
    return graph


def test_pipeline_loads_a_source_with_provenance(any_store: Store, tmp_path: Path) -> None:
    from riikg.pipeline import Status, load_source
    from riikg.sources import Source

    path = tmp_path / "tiny.ttl"
    path.write_text(TINY_TTL, encoding="utf-8")
    source = Source(id="tiny", loader="tiny-ttl", files=(path,), title="Tiny")
    report = load_source(any_store, source, tiny_turtle_loader)
    assert report.status is Status.LOADED
    assert report.triples == 4
    assert any_store.version == report.version == 1
    base = any_store.base
    assert any_store.source_graphs() == [f"{base}graph/source/tiny"]
    assert {f"{base}graph/meta/tiny", f"{base}graph/report/tiny"} <= set(any_store.named_graphs())
    assert any_store.count(f"{base}graph/source/tiny") == 4
    rows = any_store.select(
        """
        PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX riikg: <https://w3id.org/riikg/ontology/>
        PREFIX void: <http://rdfs.org/ns/void#>
        SELECT * WHERE { GRAPH ?m {
          ?g dct:identifier ?id ; riikg:sha256 ?sha ; void:triples ?n ; riikg:loader ?loader ;
             riikg:validationConforms ?ok .
          FILTER(?ok = true)
        } }
        """,
        m=ox.NamedNode(f"{base}graph/meta/tiny"),
        g=ox.NamedNode(f"{base}graph/source/tiny"),
    )
    keys = ("id", "sha", "n", "loader")
    assert [{k: r[k].value for k in keys} for r in rows] == [
        {"id": "tiny", "sha": source.sha256(), "n": "4", "loader": "tiny-ttl"}
    ]
    # the data itself is in the default graph, the record is not
    assert any_store.ask('ASK { ?s ?p "A tiny source"@en }')
    assert not any_store.ask("ASK { ?s <http://purl.org/dc/terms/identifier> ?id }")
    again = load_source(any_store, source, tiny_turtle_loader)
    assert again.status is Status.UNCHANGED
    assert any_store.version == 1
