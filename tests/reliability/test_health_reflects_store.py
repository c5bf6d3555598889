"""/health does not say "ok" while the remote store is unreachable.

A load balancer must stop routing to an instance that cannot serve data: with the remote
Oxigraph server killed, /health answers 503 (it makes a real round trip to the store rather
than reporting a cached data version).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.conftest import DATA, free_port

pytestmark = [pytest.mark.slow, pytest.mark.oxigraph_server]


def test_health_is_503_while_the_remote_store_is_down(tmp_path: Path) -> None:
    from endpoint import create_app
    from loaders import get_loader
    from riikg.config import Settings, StoreKind
    from riikg.pipeline import load_source
    from riikg.sources import source_for_file
    from riikg.store import open_store
    from tests.servers import start_oxigraph

    port = free_port()
    server = start_oxigraph(tmp_path / "oxigraph", port)
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
        client = create_app({"TESTING": True}, settings=settings).test_client()
        assert client.get("/health").status_code == 200
        server.kill()
        health = client.get("/health")
        assert health.status_code == 503, health.get_data(as_text=True)[:300]
    finally:
        server.stop()
