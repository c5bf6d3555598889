"""Every XML answer stays well-formed whatever string a literal holds, and every other format
parses back: one rule (``endpoint.http.xmlsafe``) for RDF/XML, SPARQL XML and OAI-PMH alike."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from defusedxml import ElementTree as SafeET
from flask import Flask, Response
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from endpoint import create_app
from endpoint.http.xmlsafe import CleanStream, clean_bytes, is_xml, sanitise
from riikg.config import Settings, StoreKind
from riikg.pipeline import load_source
from riikg.store.oxigraph import OxigraphStore
from riikg.xmlchars import clean_text
from tests.harvest.conftest import DATA, turtle_loader, turtle_source

BASE = "http://localhost:8080/"
ALFA = f"{BASE}id/infrastructure/alfa-lab"
SOURCE_GRAPH = f"{BASE}graph/source/infra"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
#: every character XML 1.0 cannot carry, as the hypothesis alphabet leans on them
FORBIDDEN = "".join(map(chr, [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]))
hostile_text = st.text(
    alphabet=st.one_of(st.sampled_from(FORBIDDEN + "<&>\"'\r\n\t]]>é𝄞"), st.characters()),
    max_size=40,
)


# ---- the rule on its own -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    ["a\x00b", "\x01\x1b\x0b\x0c", "x\ufffey\uffff", "tab\tlf\ncr\r ok", "é\U0001d11e", "\ud800"],
)
def test_clean_text_leaves_only_xml_characters(text: str) -> None:
    cleaned = clean_text(text)
    SafeET.fromstring(f"<x a={json.dumps(cleaned)}>{cleaned.replace('<', '')}</x>".encode())
    assert len(cleaned) == len(text)
    assert all(c == "\ufffd" or c == o for c, o in zip(cleaned, text, strict=True))


@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=60))
def test_bytes_and_text_follow_the_same_rule(text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    assert clean_bytes(raw) == clean_text(text).encode("utf-8")


@given(hostile_text, st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_streamed_cleaning_ignores_chunk_boundaries(text: str, cuts: list[int]) -> None:
    raw = text.encode("utf-8")
    points = sorted({min(c, len(raw)) for c in cuts})
    chunks = [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)], strict=True)]
    assert b"".join(CleanStream(chunks)) == clean_bytes(raw)


def test_stream_close_reaches_the_body_even_unread() -> None:
    closed: list[bool] = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b"\x00"

        def close(self) -> None:
            closed.append(True)

    CleanStream(Body()).close()
    assert closed == [True]


@pytest.mark.parametrize(
    ("mimetype", "xml"),
    [
        ("application/rdf+xml", True),
        ("application/sparql-results+xml", True),
        ("application/xml", True),
        ("text/xml", True),
        ("application/atom+xml", True),
        ("image/svg+xml", True),
        ("text/turtle", False),
        ("application/json", False),
        ("text/html", False),
    ],
)
def test_xml_media_types(mimetype: str, xml: bool) -> None:
    assert is_xml(mimetype) is xml
    app = Flask(__name__)
    with app.test_request_context():
        buffered = sanitise(Response(b"<a>\x00\x1b</a>", mimetype=mimetype))
        assert (buffered.get_data() == "<a>\ufffd\ufffd</a>".encode()) is xml
        streamed = sanitise(Response(io.BytesIO(b"<a>\x07</a>"), mimetype=mimetype))
        assert (b"".join(streamed.response) == "<a>\ufffd</a>".encode()) is xml
        if xml:
            assert "Content-Length" not in streamed.headers


# ---- every output of a store holding hostile labels ----------------------------------------
@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OxigraphStore, Flask]]:
    folder = tmp_path_factory.mktemp("xmlsafe")
    for name in ("regions.ttl", "infrastructures.ttl"):
        (folder / name).write_bytes((DATA / name).read_bytes())
    store = OxigraphStore.memory(BASE)
    load_source(store, turtle_source("regions", folder / "regions.ttl", "Regions"), turtle_loader)
    load_source(
        store, turtle_source("infra", folder / "infrastructures.ttl", "Infra"), turtle_loader
    )
    app = create_app(
        {"TESTING": True},
        settings=Settings(
            base_iri=BASE, store=StoreKind.MEMORY, sparql_workers=1, result_cache_mb=0
        ),
        store=store,
    )
    yield store, app
    pool = app.extensions.get("riikg.sparql_pool")
    if pool is not None:
        pool.close()


def put_label(store: OxigraphStore, label: str) -> None:
    """Give alfa-lab exactly one skos:prefLabel: ``label``."""
    subject, pred = ox.NamedNode(ALFA), ox.NamedNode(PREF_LABEL)
    kept = [
        q.triple
        for q in store.quads(SOURCE_GRAPH)
        if not (q.subject == subject and q.predicate == pred)
    ]
    kept.append(ox.Triple(subject, pred, ox.Literal(label, language="en")))
    store.replace_graphs({SOURCE_GRAPH: kept})


def sparql(client: FlaskClient, query: str, fmt: str) -> bytes:
    response = client.get("/sparql", query_string={"query": query, "format": fmt})
    assert response.status_code == 200, response.data[:300]
    return response.data


def labels_in(graph: ox.Dataset | list[ox.Triple]) -> set[str]:
    out = set()
    for item in graph:
        triple = item.triple if isinstance(item, ox.Quad) else item
        if triple.predicate.value == PREF_LABEL and triple.subject.value == ALFA:
            out.add(triple.object.value)
    return out


def values(doc: object) -> set[str]:
    """Every ``@value`` of a JSON-LD document."""
    if isinstance(doc, dict):
        found = {doc["@value"]} if isinstance(doc.get("@value"), str) else set()
        return found.union(*(values(v) for v in doc.values()))
    if isinstance(doc, list):
        return set().union(*(values(v) for v in doc))
    return set()


def parse_xml(data: bytes) -> None:
    SafeET.fromstring(data)  # raises ParseError when not well-formed


SELECT = f"SELECT ?l WHERE {{ <{ALFA}> <{PREF_LABEL}> ?l }}"
DESCRIBE = f"DESCRIBE <{ALFA}>"
CONSTRUCT = f"CONSTRUCT {{ <{ALFA}> <{PREF_LABEL}> ?l }} WHERE {{ <{ALFA}> <{PREF_LABEL}> ?l }}"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(label=hostile_text)
def test_every_output_parses_whatever_the_label(
    hostile: tuple[OxigraphStore, Flask], label: str
) -> None:
    store, app = hostile
    put_label(store, label)
    client = app.test_client()
    xml_label = clean_text(label)

    # XML answers: well-formed, the label cleaned by the one rule
    entity = client.get("/id/infrastructure/alfa-lab.rdf")
    assert entity.status_code == 200 and entity.mimetype == "application/rdf+xml"
    parse_xml(entity.data)
    rdfxml = ox.parse(entity.data, format=ox.RdfFormat.RDF_XML, base_iri=BASE)
    assert labels_in(list(rdfxml)) == {xml_label}
    for query in (DESCRIBE, CONSTRUCT):
        data = sparql(client, query, "rdfxml")
        parse_xml(data)
        assert labels_in(list(ox.parse(data, format=ox.RdfFormat.RDF_XML))) == {xml_label}
    srx = sparql(client, SELECT, "xml")
    parse_xml(srx)
    rows = list(ox.parse_query_results(srx, format=ox.QueryResultsFormat.XML))
    assert [r["l"].value for r in rows] == [xml_label]  # type: ignore[union-attr]
    for args in (
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": ALFA},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "infrastructures"},
    ):
        oai = client.get("/oai", query_string=args)
        parse_xml(oai.data)
        assert b"<error" not in oai.data
        titles = SafeET.fromstring(oai.data).iter("{http://purl.org/dc/elements/1.1/}title")
        assert xml_label.replace("\r", "\n") in {(t.text or "") for t in titles} or not label
    parse_xml(client.get("/catalog.rdf").data)

    # other formats keep the label exactly
    for ext, fmt in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES)):
        page = client.get(f"/id/infrastructure/alfa-lab.{ext}")
        assert labels_in(list(ox.parse(page.data, format=fmt, base_iri=BASE))) == {label}
    for name, fmt in (("turtle", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES)):
        for query in (DESCRIBE, CONSTRUCT):
            data = sparql(client, query, name)
            assert labels_in(list(ox.parse(data, format=fmt))) == {label}
    jsonld = client.get("/id/infrastructure/alfa-lab.jsonld")
    assert label in values(json.loads(jsonld.data))
    json.loads(sparql(client, DESCRIBE, "jsonld"))
    for fmt_name, results in (
        ("json", ox.QueryResultsFormat.JSON),
        ("tsv", ox.QueryResultsFormat.TSV),
    ):
        data = sparql(client, SELECT, fmt_name)
        rows = list(ox.parse_query_results(data, format=results))
        assert [r["l"].value for r in rows] == [label]  # type: ignore[union-attr]
    csv = sparql(client, SELECT, "csv").decode("utf-8")
    assert csv.startswith("l\r\n")


def test_a_control_character_is_replaced_not_dropped(hostile: tuple[OxigraphStore, Flask]) -> None:
    """The example the attacker sent: NUL, SOH, ESC and VT in one label."""
    store, app = hostile
    put_label(store, "A\x00B\x01C\x1bD\x0bE")
    client = app.test_client()
    expected = "A\ufffdB\ufffdC\ufffdD\ufffdE".encode()
    for data in (
        client.get("/id/infrastructure/alfa-lab.rdf").data,
        sparql(client, DESCRIBE, "rdfxml"),
        sparql(client, SELECT, "xml"),
        client.get(
            "/oai",
            query_string={"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": ALFA},
        ).data,
    ):
        parse_xml(data)
        assert expected in data
    assert b"A\\u0000B" in client.get("/id/infrastructure/alfa-lab.nt").data


def test_cached_sparql_answers_are_the_cleaned_ones(tmp_path: Path) -> None:
    store = OxigraphStore.memory(BASE)
    graph = f"{BASE}graph/source/x"
    store.replace_graphs(
        {graph: [ox.Triple(ox.NamedNode(ALFA), ox.NamedNode(PREF_LABEL), ox.Literal("a\x00b"))]}
    )
    app = create_app(
        {"TESTING": True},
        settings=Settings(base_iri=BASE, store=StoreKind.MEMORY, result_cache_mb=8),
        store=store,
    )
    client = app.test_client()
    try:
        first = client.get("/sparql", query_string={"query": SELECT, "format": "xml"})
        assert "\ufffd".encode() in first.data  # read to the end: the cache keeps it now
        again = client.get("/sparql", query_string={"query": SELECT, "format": "xml"})
        assert first.headers["X-Cache"] == "miss" and again.headers["X-Cache"] == "hit"
        assert first.data == again.data
        parse_xml(again.data)
        assert first.headers["ETag"] == again.headers["ETag"]
    finally:
        app.extensions["riikg.sparql_pool"].close()
