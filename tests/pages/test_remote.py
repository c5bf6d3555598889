"""The pages over the remote backend: a real ``oxigraph serve`` and a real Virtuoso."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from riikg.config import Settings
from riikg.store.remote import RemoteStore
from tests.conftest import require_tool
from tests.pages.conftest import DATA, load_trig
from tests.servers import (
    VIRTUOSO_DBA_PASSWORD,
    VIRTUOSO_DBA_USER,
    RunningServer,
    oxigraph_program,
    start_oxigraph,
    start_virtuoso,
)


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("oxigraph", marks=pytest.mark.oxigraph_server),
        pytest.param("virtuoso", marks=pytest.mark.virtuoso),
    ],
)
def server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    if request.param == "oxigraph":
        if oxigraph_program() is None:
            require_tool("oxigraph", "remote-store page tests")
        running = start_oxigraph()
    else:
        require_tool("virtuoso-t", "remote-store page tests")
        running = start_virtuoso()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def remote_app(server: RunningServer, settings: Settings) -> Flask:
    from endpoint import create_app

    virtuoso = server.name == "virtuoso"
    store = RemoteStore(
        settings.base_iri,
        server.query_url,
        server.update_url,
        server.gsp_url,
        user=VIRTUOSO_DBA_USER if virtuoso else "",
        password=VIRTUOSO_DBA_PASSWORD if virtuoso else "",
        timeout=30,
    )
    load_trig(store, DATA / "pages.trig")
    return create_app({"TESTING": True}, settings=settings, store=store)


@pytest.fixture()
def rclient(remote_app: Flask) -> Iterator[FlaskClient]:
    with remote_app.test_client() as c:
        yield c


def test_entity_page_and_rdf(rclient: FlaskClient) -> None:
    page = rclient.get("/id/infrastructure/alfa-lab", headers={"Accept": "text/html"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<a href="/id/organisation/exuni">Example University</a>' in text
    assert "INNO INFRA SHARE survey" in text
    turtle = rclient.get("/id/infrastructure/alfa-lab", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle" and b"Alfa Laboratory" in turtle.data
    assert rclient.get("/id/infrastructure/none").status_code == 404


def test_browse_views(rclient: FlaskClient) -> None:
    data = json.loads(rclient.get("/infrastructures.json?region=ITH5&ket=KET2018-AM").data)
    assert data["total"] == 2
    assert json.loads(rclient.get("/index.json").data)["figures"]["infrastructures"] == 5
    hits = json.loads(rclient.get("/search.json?q=universita").data)["results"]
    assert "Example University" in [h["label"] for h in hits]
    tables = json.loads(rclient.get("/compare.json?region=ITH5&region=NL41").data)["tables"]
    assert tables[0]["rows"][0][1:] == [3, 2, 2, 0]
    assert rclient.get("/region/ITH5").status_code == 200
