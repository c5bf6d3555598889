"""A remote store that goes down: 503 with a message, and recovery without a restart.

A real ``oxigraph serve`` (tests/servers.py) holds a small source; the app uses it as its
remote store. The server is killed: SPARQL, entity pages and /health answer 503 with a
message (never 500, never a hang). It is restarted on the same port and data: the same app
object answers 200 again.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest import require_tool
from tests.reliability.conftest import DATA, free_port

pytestmark = [pytest.mark.slow, pytest.mark.oxigraph_server]
ENTITY = "/id/infrastructure/reliability-lab-1"
OTHER = "/id/infrastructure/reliability-lab-3"


def test_remote_store_down_gives_503_then_recovers(tmp_path: Path) -> None:
    from tests.servers import oxigraph_program, start_oxigraph

    if oxigraph_program() is None:
        require_tool("oxigraph", "the remote-store tests run a real oxigraph server")
    from endpoint import create_app
    from loaders import get_loader
    from riikg.config import Settings, StoreKind
    from riikg.pipeline import load_source
    from riikg.sources import source_for_file
    from riikg.store import open_store

    port = free_port()
    data = tmp_path / "oxigraph"
    server = start_oxigraph(data, port)
    try:
        settings = Settings(
            store=StoreKind.REMOTE,
            remote_query_url=server.query_url,
            remote_update_url=server.update_url,
            remote_gsp_url=server.gsp_url,
            remote_timeout=5.0,
        )
        writer = open_store(settings, writable=True)
        load_source(writer, source_for_file(DATA / "small.ttl", "rdf_file"), get_loader("rdf_file"))
        app = create_app({"TESTING": True}, settings=settings)
        client = app.test_client()

        def sparql(n: int) -> tuple[int, str]:
            # a different query each time, so no cache can answer for the store
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} LIMIT {n}"
            r = client.get("/sparql?" + urlencode({"query": q}))
            return r.status_code, r.get_data(as_text=True)

        assert sparql(1)[0] == 200
        assert client.get(ENTITY, headers={"Accept": "text/html"}).status_code == 200
        assert client.get("/health").status_code == 200

        server.kill()
        status, body = sparql(2)
        assert status == 503, body[:300]
        assert body.strip() and "Traceback" not in body
        # an entity not shown before (a page already built may be served from a cache)
        page = client.get(OTHER, headers={"Accept": "text/html"})
        assert page.status_code == 503, page.get_data(as_text=True)[:300]
        # /health makes a real round trip: a load balancer stops routing here meanwhile
        health = client.get("/health")
        assert health.status_code == 503, health.get_data(as_text=True)[:300]

        server = start_oxigraph(data, port)
        assert sparql(3)[0] == 200, "the app did not recover when the store came back"
        assert client.get(OTHER, headers={"Accept": "text/html"}).status_code == 200
        assert client.get("/health").status_code == 200
    finally:
        server.stop()
