"""The SPARQL harvest loader against real servers on loopback (oxigraph serve, Virtuoso)."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic
from requests.auth import HTTPDigestAuth

from loaders.sparql_harvest import load_sparql_harvest
from riikg.errors import LoadError
from riikg.pipeline import Status, load_source
from riikg.sources import Source, SourceGraph
from riikg.store.base import RdfFormat
from riikg.store.oxigraph import OxigraphStore
from tests.conftest import require_tool
from tests.servers import (
    VIRTUOSO_DBA_PASSWORD,
    VIRTUOSO_DBA_USER,
    RunningServer,
    start_oxigraph,
    start_virtuoso,
)

UPSTREAM = "http://example.org/upstream"
QUERY = f"""
CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{UPSTREAM}> {{ ?s ?p ?o }} }}
ORDER BY ?s ?p ?o
"""
BASE = "http://localhost:8080/"


def upstream_triples(n: int = 41) -> list[ox.Triple]:
    ex = "http://example.org/harvest/"
    out = []
    for i in range(n):
        s = ox.NamedNode(f"{ex}item{i:03d}")
        out.append(
            ox.Triple(s, ox.NamedNode(f"{ex}label"), ox.Literal(f'Item "{i}"\n', language="en"))
        )
        if i % 3 == 0:
            out.append(
                ox.Triple(
                    s,
                    ox.NamedNode(f"{ex}size"),
                    ox.Literal(
                        str(i), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
                    ),
                )
            )
    return out


def as_rdflib(triples: list[ox.Triple]) -> Graph:
    return Graph().parse(data="".join(f"{t} .\n" for t in triples), format="nt")


def put_upstream(server: RunningServer, triples: list[ox.Triple]) -> None:
    auth = None
    if server.name == "virtuoso":
        auth = HTTPDigestAuth(VIRTUOSO_DBA_USER, VIRTUOSO_DBA_PASSWORD)
    r = requests.put(
        server.gsp_url,
        params={"graph": UPSTREAM},
        data="".join(f"{t} .\n" for t in triples).encode(),
        headers={"Content-Type": "application/n-triples"},
        auth=auth,
        timeout=30,
    )
    assert r.status_code in (200, 201, 204), r.text


def source(endpoint: str, tmp_path: Path, **options: Any) -> Source:
    opts: dict[str, Any] = {
        "endpoint": endpoint,
        "query": QUERY,
        "page_size": 10,
        "timeout": 10,
        "retries": 1,
        "backoff": 0.05,
        "checkpoint": str(tmp_path / "checkpoint"),
    }
    opts.update(options)
    return Source(
        id="harvest",
        loader="sparql_harvest",
        files=(),
        title="Harvest",
        homepage=endpoint,
        options=opts,
    )


def harvest(src: Source) -> Graph:
    return load_sparql_harvest(src, SourceGraph(), base_iri=BASE)


@pytest.fixture(params=["oxigraph-server", "virtuoso"])
def upstream(request: pytest.FixtureRequest) -> RunningServer:
    name = "oxigraph_server" if request.param == "oxigraph-server" else "virtuoso_server"
    server: RunningServer = request.getfixturevalue(name)
    put_upstream(server, upstream_triples())
    return server


def test_harvest_pages_through_a_server(upstream: RunningServer, tmp_path: Path) -> None:
    pages: list[int] = []
    src = source(upstream.query_url, tmp_path, progress=lambda page, n: pages.append(page))
    graph = harvest(src)
    assert isomorphic(graph, as_rdflib(upstream_triples()))
    assert pages == [0, 1, 2, 3, 4, 5]  # 55 triples = 55 solutions, 10 per page
    assert not (tmp_path / "checkpoint").exists()


def test_harvest_through_the_pipeline(upstream: RunningServer, tmp_path: Path) -> None:
    store = OxigraphStore.memory(BASE)
    report = load_source(store, source(upstream.query_url, tmp_path), load_sparql_harvest)
    assert report.status is Status.LOADED
    assert report.triples == len(upstream_triples())
    rows = store.select(
        "SELECT * WHERE { GRAPH ?m { ?g <http://purl.org/dc/terms/source> ?src } }",
        m=ox.NamedNode(f"{BASE}graph/meta/harvest"),
    )
    assert [r["src"].value for r in rows] == [upstream.query_url]


def test_bad_query_is_a_load_error_naming_endpoint_and_page(
    oxigraph_server: RunningServer, tmp_path: Path
) -> None:
    src = source(
        oxigraph_server.query_url,
        tmp_path,
        query="CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?x ?",
    )
    with pytest.raises(LoadError) as info:
        harvest(src)
    assert f"{oxigraph_server.query_url} page 1" in str(info.value)
    assert "HTTP 400" in str(info.value)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"endpoint": "file:///etc/passwd"}, "http(s) 'endpoint'"),
        ({"query": "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s"}, "CONSTRUCT"),
        ({"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, "ORDER BY"),
        ({"query": "CONSTRUCT WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 10"}, "no LIMIT"),
        ({"page_size": 0}, "page_size >= 1"),
    ],
)
def test_bad_options(tmp_path: Path, options: dict[str, Any], expected: str) -> None:
    endpoint = options.pop("endpoint", "http://127.0.0.1:9/sparql")
    src = source(endpoint, tmp_path, **options)
    with pytest.raises(LoadError, match=re.escape(expected)):
        harvest(src)


# ---- hostile endpoints (a tiny loopback server that misbehaves on purpose) --------------


def serve(handler: Callable[[http.server.BaseHTTPRequestHandler], None]) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            handler(self)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


def _reply(
    h: http.server.BaseHTTPRequestHandler, status: int, ctype: str, body: bytes, **hdr: str
) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for k, v in hdr.items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(body)


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/x">
  <ex:p>&b;</ex:p></rdf:Description></rdf:RDF>"""


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        (
            lambda h: _reply(h, 302, "text/plain", b"", Location="http://169.254.169.254/"),
            "redirect",
        ),
        (lambda h: _reply(h, 200, "application/rdf+xml", BOMB), "DOCTYPE"),
        (
            lambda h: _reply(
                h,
                200,
                "application/n-triples",
                b'<http://x/a> <http://x/b> "' + b"x" * 5000 + b'" .\n',
            ),
            "larger than 1000 bytes",
        ),
        (lambda h: _reply(h, 200, "text/html", b"<html></html>"), "unexpected answer type"),
        (lambda h: _reply(h, 503, "text/plain", b"busy"), "after 2 tries (HTTP 503: busy)"),
    ],
    ids=["redirect", "xml-doctype", "too-big", "html", "unavailable"],
)
def test_hostile_endpoints_are_refused(
    tmp_path: Path,
    behaviour: Callable[[http.server.BaseHTTPRequestHandler], None],
    expected: str,
) -> None:
    for url in serve(behaviour):
        src = source(url, tmp_path, max_bytes=1000)
        with pytest.raises(LoadError, match=re.escape(expected)):
            harvest(src)


# ---- resume after failure ---------------------------------------------------------------


def _start(kind: str, data_dir: Path, port: int | None = None) -> RunningServer:
    if kind == "virtuoso":
        require_tool("virtuoso-t", "harvest resume test against Virtuoso")
        return start_virtuoso(data_dir, http_port=port)
    return start_oxigraph(data_dir, port=port)


def _port(server: RunningServer) -> int:
    return int(server.query_url.rsplit(":", 1)[1].split("/", 1)[0])


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_stopped_server_then_resume(kind: str, tmp_path: Path) -> None:
    """Kill the server after 3 pages: the load fails and writes nothing, the checkpoint keeps
    3 pages; restart the server on the same data: the rerun fetches only the rest."""
    data_dir = tmp_path / "upstream-data"
    server = _start(kind, data_dir)
    port = _port(server)
    try:
        put_upstream(server, upstream_triples(57))  # 76 triples: 8 pages of 10
        first_run: list[int] = []

        def kill_after_three(page: int, _n: int) -> None:
            first_run.append(page)
            if page == 2:
                server.kill()

        store = OxigraphStore.memory(BASE)
        src = source(server.query_url, tmp_path, progress=kill_after_three)
        with pytest.raises(LoadError) as info:
            load_source(store, src, load_sparql_harvest)
        assert f"{server.query_url} page 4" in str(info.value)
        assert "connection refused" in str(info.value)
        assert first_run == [0, 1, 2]
        assert store.version == 0 and store.named_graphs() == []
        saved = sorted(p.name for p in (tmp_path / "checkpoint").glob("page-*.nt"))
        assert saved == ["page-000000.nt", "page-000001.nt", "page-000002.nt"]

        server = _start(kind, data_dir, port)
        second_run: list[int] = []
        src = source(server.query_url, tmp_path, progress=lambda p, n: second_run.append(p))
        report = load_source(store, src, load_sparql_harvest)
        assert second_run == [3, 4, 5, 6, 7]
        assert report.status is Status.LOADED
        dump = store.dump(f"{BASE}graph/source/harvest", RdfFormat.NTRIPLES)
        harvested = Graph().parse(data=dump.decode(), format="nt")
        assert isomorphic(harvested, as_rdflib(upstream_triples(57)))
        assert not (tmp_path / "checkpoint").exists()
    finally:
        server.stop()


def test_max_pages_stops_and_the_next_run_continues(
    oxigraph_server: RunningServer, tmp_path: Path
) -> None:
    put_upstream(oxigraph_server, upstream_triples())
    src = source(oxigraph_server.query_url, tmp_path, max_pages=2)
    with pytest.raises(LoadError, match="max_pages=2"):
        harvest(src)
    with pytest.raises(LoadError, match="continue from page 5"):
        harvest(src)
    with pytest.raises(LoadError, match="continue from page 7"):
        harvest(src)
    graph = harvest(src)  # the empty 7th page ends the harvest
    assert isomorphic(graph, as_rdflib(upstream_triples()))


def test_checkpoint_of_another_query_is_discarded(
    oxigraph_server: RunningServer, tmp_path: Path
) -> None:
    put_upstream(oxigraph_server, upstream_triples())
    with pytest.raises(LoadError):
        harvest(source(oxigraph_server.query_url, tmp_path, max_pages=1))
    other = QUERY.replace("ORDER BY ?s ?p ?o", "ORDER BY DESC(?s) ?p ?o")
    graph = harvest(source(oxigraph_server.query_url, tmp_path, query=other))
    assert isomorphic(graph, as_rdflib(upstream_triples()))


def test_manifest_entry_through_the_loader_registry(
    oxigraph_server: RunningServer, tmp_path: Path
) -> None:
    from loaders import get_loader
    from riikg.sources import read_manifest

    put_upstream(oxigraph_server, upstream_triples())
    manifest = tmp_path / "sources.toml"
    manifest.write_text(
        f'''
[[source]]
id = "upstream-ri"
loader = "sparql_harvest"
title = "Upstream"
homepage = "{oxigraph_server.query_url}"
[source.options]
endpoint = "{oxigraph_server.query_url}"
query = """{QUERY}"""
page_size = 25
timeout = 10
retries = 0
checkpoint = "{tmp_path / "cp"}"
''',
        encoding="utf-8",
    )
    (src,) = read_manifest(manifest)
    store = OxigraphStore.memory(BASE)
    report = load_source(store, src, get_loader(src.loader))
    assert report.status is Status.LOADED
    assert store.count(f"{BASE}graph/source/upstream-ri") == len(upstream_triples())
    again = load_source(store, src, get_loader(src.loader))
    assert again.status is Status.UNCHANGED  # same content harvested: nothing written
    assert store.version == 1
