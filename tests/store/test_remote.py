"""What only the remote backend does: settings, errors, auth, timeouts, limits, write paths."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from riikg.config import Settings, StoreKind
from riikg.store import open_store
from riikg.store.base import (
    QueryFailed,
    QueryTimeout,
    RdfFormat,
    ResultFormat,
    StoreUnavailable,
)
from riikg.store.remote import AccessDenied, RemoteStore, inject_values, query_form
from tests.servers import RunningServer, free_port, start_oxigraph
from tests.store.conftest import fresh_base, remote_store

EX = "http://example.org/data/"


def nn(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


# ---- bindings as VALUES ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
            "SELECT * WHERE { VALUES (?s) { (<http://x/a>) } ?s ?p ?o } LIMIT 3",
        ),
        (
            "PREFIX where: <http://x/{> # { comment\nSELECT ?s {?s where:p '{'}",
            "PREFIX where: <http://x/{> # { comment\nSELECT ?s { VALUES (?s) { (<http://x/a>) } "
            "?s where:p '{'}",
        ),
        (
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
            "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<http://x/a>) } ?s ?p ?o }",
        ),
        (
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
            "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<http://x/a>) }  ?s ?p ?o } LIMIT 1",
        ),
        (
            "SELECT (?n < 3 AS ?small) ?s WHERE { { SELECT ?s (1 AS ?n) { ?s ?p ?o } } }",
            "SELECT (?n < 3 AS ?small) ?s WHERE { VALUES (?s) { (<http://x/a>) } "
            "{ SELECT ?s (1 AS ?n) { ?s ?p ?o } } }",
        ),
        (
            'ASK { ?s ?p """a } b""" }',
            'ASK { VALUES (?s) { (<http://x/a>) } ?s ?p """a } b""" }',
        ),
    ],
)
def test_inject_values(query: str, expected: str) -> None:
    assert inject_values(query, {"s": ox.NamedNode("http://x/a")}) == expected


def test_inject_values_escapes_literals_and_refuses_blank_nodes() -> None:
    text = inject_values("SELECT * { ?s ?p ?o }", {"o": ox.Literal('a"} b\n', language="en")})
    assert 'VALUES (?o) { ("a\\"} b\\n"@en) }' in text
    with pytest.raises(QueryFailed, match="blank"):
        inject_values("SELECT * { ?s ?p ?o }", {"o": ox.BlankNode()})
    with pytest.raises(QueryFailed, match="no WHERE"):
        inject_values("DESCRIBE <http://x/a>", {"o": ox.Literal("x")})
    assert query_form("PREFIX ask: <http://x/>\n# SELECT\nCONSTRUCT { ?s ask:p 1 } {}") == (
        "CONSTRUCT"
    )


# ---- settings and errors ---------------------------------------------------------------


def test_open_store_builds_a_remote_store_from_settings(oxigraph_server: RunningServer) -> None:
    settings = Settings(
        base_iri=fresh_base(),
        store=StoreKind.REMOTE,
        remote_query_url=oxigraph_server.query_url,
        remote_update_url=oxigraph_server.update_url,
        remote_timeout=5,
    )
    store = open_store(settings, writable=True)
    assert isinstance(store, RemoteStore)
    assert (
        store.replace_graphs(
            {f"{settings.base_iri}graph/source/x": [ox.Triple(nn("a"), nn("p"), ox.Literal("v"))]}
        )
        == 1
    )
    assert store.select("SELECT ?o WHERE { ?s ?p ?o }") == [{"o": ox.Literal("v")}]
    store.close()


def test_unreachable_server_names_the_setting() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    store = RemoteStore(fresh_base(), url, timeout=5)
    with pytest.raises(StoreUnavailable, match=r"RIIKG_REMOTE_QUERY_URL .*connection refused"):
        _ = store.version


def test_unreachable_update_url_names_its_setting(oxigraph_server: RunningServer) -> None:
    bad = f"http://127.0.0.1:{free_port()}/update"
    store = RemoteStore(fresh_base(), oxigraph_server.query_url, bad, timeout=5)
    with pytest.raises(StoreUnavailable, match="RIIKG_REMOTE_UPDATE_URL"):
        store.replace_graphs({f"{store.base}graph/source/x": []})
    assert store.version == 0


def test_unreachable_gsp_url_names_its_setting_and_writes_nothing(
    oxigraph_server: RunningServer,
) -> None:
    bad = f"http://127.0.0.1:{free_port()}/store"
    store = RemoteStore(
        fresh_base(), oxigraph_server.query_url, oxigraph_server.update_url, bad, timeout=5
    )
    triples = [ox.Triple(nn("a"), nn("p"), ox.Literal("v"))]
    with pytest.raises(StoreUnavailable, match="RIIKG_REMOTE_GSP_URL"):
        store.replace_graphs({f"{store.base}graph/source/x": triples})
    assert store.version == 0
    assert store.named_graphs() == []


def test_wrong_path_is_reported(oxigraph_server: RunningServer) -> None:
    url = oxigraph_server.query_url.rsplit("/", 1)[0] + "/nothing-here"
    with pytest.raises(StoreUnavailable, match="RIIKG_REMOTE_QUERY_URL .*404"):
        _ = RemoteStore(fresh_base(), url).version


def test_non_http_url_is_refused() -> None:
    with pytest.raises(StoreUnavailable, match="RIIKG_REMOTE_QUERY_URL"):
        RemoteStore(fresh_base(), "file:///etc/passwd")


class _Redirector(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server API
        self.send_response(302)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def redirecting_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


def test_redirects_to_other_hosts_are_not_followed(redirecting_url: str) -> None:
    with pytest.raises(StoreUnavailable, match="redirects to 'http://169.254.169.254"):
        _ = RemoteStore(fresh_base(), redirecting_url, timeout=5).version


def test_response_size_is_capped(oxigraph_server: RunningServer) -> None:
    store = remote_store(oxigraph_server, gsp=False)
    graph = f"{store.base}graph/source/big"
    store.replace_graphs(
        {graph: [ox.Triple(nn(f"s{i}"), nn("p"), ox.Literal("x" * 50)) for i in range(100)]}
    )
    small = RemoteStore(store.base, oxigraph_server.query_url, max_response_bytes=2000)
    with pytest.raises(QueryFailed, match="larger than 2000 bytes"):
        small.query_raw("SELECT * WHERE { ?s ?p ?o }", ResultFormat.JSON)


# ---- auth (Virtuoso's /sparql-auth uses digest) -----------------------------------------


def test_virtuoso_digest_auth(virtuoso_server: RunningServer) -> None:
    store = RemoteStore(
        fresh_base(), virtuoso_server.auth_url, user="dba", password="dba", timeout=10
    )
    graph = f"{store.base}graph/source/auth"
    assert store.replace_graphs({graph: [ox.Triple(nn("a"), nn("p"), ox.Literal("v"))]}) == 1
    assert store.ask('ASK { ?s ?p "v" }')


def test_virtuoso_wrong_credentials_name_the_settings(virtuoso_server: RunningServer) -> None:
    store = RemoteStore(fresh_base(), virtuoso_server.auth_url, user="dba", password="nope")
    with pytest.raises(AccessDenied, match="RIIKG_REMOTE_USER / RIIKG_REMOTE_PASSWORD"):
        _ = store.version
    anonymous = RemoteStore(fresh_base(), virtuoso_server.auth_url)
    with pytest.raises(AccessDenied, match="no credentials"):
        _ = anonymous.version
    token = RemoteStore(fresh_base(), virtuoso_server.auth_url, token="not-a-token")
    with pytest.raises(AccessDenied, match="RIIKG_REMOTE_TOKEN"):
        _ = token.version


# ---- timeouts -------------------------------------------------------------------------

PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_virtuoso_timeout_is_a_query_timeout_not_partial_results(
    virtuoso_server: RunningServer,
) -> None:
    store = remote_store(virtuoso_server, gsp=True)
    _ = store.version  # learn the server kind (Virtuoso takes a `timeout` parameter)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.query_raw(
            PRODUCT,
            ResultFormat.JSON,
            default_graphs=["http://www.openlinksw.com/schemas/virtrdf#"],
            timeout=1,
        )
    assert time.monotonic() - started < 10


@pytest.fixture(scope="module")
def impatient_oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """An oxigraph serve that stops queries after 1 s (``--timeout-s 1``)."""
    server = start_oxigraph(tmp_path_factory.mktemp("impatient") / "data", timeout_s=1)
    try:
        yield server
    finally:
        server.stop()


def test_oxigraph_server_timeouts(impatient_oxigraph: RunningServer) -> None:
    store = remote_store(impatient_oxigraph, gsp=True)
    store.replace_graphs(
        {
            f"{store.base}graph/source/t": [
                ox.Triple(nn(f"s{i}"), nn("p"), ox.Literal(str(i))) for i in range(400)
            ]
        }
    )
    # the client's deadline
    with pytest.raises(QueryTimeout, match="no answer within 0.3 s"):
        store.query_raw(PRODUCT, ResultFormat.JSON, timeout=0.3)
    # the server's deadline (it cancels the query and ends the body with a message)
    with pytest.raises(QueryTimeout, match="time limit"):
        store.query_raw(PRODUCT, ResultFormat.JSON, timeout=20)
    assert store.count() == 402  # and the server is fine afterwards


# ---- write paths ----------------------------------------------------------------------


@pytest.mark.parametrize("gsp", [False, True], ids=["update", "gsp"])
def test_write_paths_keep_blank_nodes_and_bulk(server: RunningServer, gsp: bool) -> None:
    store = remote_store(server, gsp=gsp)
    b = ox.BlankNode()
    a_graph, c_graph = f"{store.base}graph/source/a", f"{store.base}graph/source/c"
    bulk = [ox.Triple(nn(f"s{i}"), nn("p"), ox.Literal(f"v{i}")) for i in range(4500)]
    if server.name == "virtuoso" and not gsp:
        # Virtuoso compiles one update request into SQL and gives up above about a thousand
        # triples: the error says what to do, and nothing is written
        with pytest.raises(QueryFailed, match="set RIIKG_REMOTE_GSP_URL"):
            store.replace_graphs({c_graph: bulk})
        assert store.version == 0
        assert store.named_graphs() == []
        bulk = bulk[:300]
    store.replace_graphs(
        {
            a_graph: [
                ox.Triple(nn("x"), nn("contact"), b),
                ox.Triple(b, nn("name"), ox.Literal("Ada")),
            ],
            c_graph: bulk,
        }
    )
    assert store.count(a_graph) == 2
    assert store.count(c_graph) == len(bulk)
    rows = store.select(f"SELECT ?n WHERE {{ <{EX}x> <{EX}contact> ?c . ?c <{EX}name> ?n }}")
    assert rows == [{"n": ox.Literal("Ada")}]
    assert store.named_graphs() == sorted([a_graph, c_graph, f"{store.base}graph/meta"])


def test_virtuoso_sponger_is_off(virtuoso_server: RunningServer) -> None:
    """docs/security.md A9: FROM with sponger pragmas must not make Virtuoso fetch anything."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            hits.append(self.path)
            body = b"<http://x/a> <http://x/b> <http://x/c> ."
            self.send_response(200)
            self.send_header("Content-Type", "application/n-triples")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    listener = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{listener.server_address[1]}/data.nt"
    store = remote_store(virtuoso_server, gsp=True)
    try:
        for pragma in ('DEFINE get:soft "replace"', 'DEFINE input:grab-all "yes"'):
            query = f"{pragma} SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}"
            try:
                raw = store.query_raw(query, ResultFormat.JSON, default_graphs=[url])
            except (QueryFailed, StoreUnavailable):
                continue
            parsed = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
            assert list(parsed) == []  # type: ignore[arg-type]
    finally:
        listener.shutdown()
        listener.server_close()
    assert hits == []


def test_dump_formats_from_a_server(server: RunningServer, tmp_path: Path) -> None:
    store = remote_store(server, gsp=True)
    graph = f"{store.base}graph/source/d"
    data = [ox.Triple(nn("a"), nn("p"), ox.Literal("é", language="fr"))]
    store.replace_graphs({graph: data})
    for fmt in (RdfFormat.NTRIPLES, RdfFormat.TURTLE, RdfFormat.RDFXML, RdfFormat.JSONLD):
        raw = store.dump(graph, fmt)
        parsed = [q.triple for q in ox.parse(raw, format=ox.RdfFormat.from_media_type(fmt.value))]
        assert parsed == data, fmt


@pytest.mark.parametrize("gsp", [False, True], ids=["update", "gsp"])
def test_replacement_is_atomic_on_both_write_paths(server: RunningServer, gsp: bool) -> None:
    from tests.store.test_contract import check_atomic_swap

    check_atomic_swap(remote_store(server, gsp=gsp), rounds=16)
