"""Hostile data renders as text: no script from the data runs, no script-scheme links."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from endpoint.http.links import href, is_linkable
from riikg.config import Settings
from tests.pages.conftest import DATA, app_with

PAGES = [
    "/",
    "/id/infrastructure/evil",
    "/id/organisation/evil-org",
    "/region/ITH55",
    "/region/ITH5",
    "/vocab/ket/KET2018-AM",
    "/infrastructures",
    "/infrastructures?region=ITH5",
    "/organisations",
    "/search?q=evil",
    "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
    "/compare?region=ITH5&region=NL41",
]
SCRIPT_SCHEMES = re.compile(r"""(href|src)\s*=\s*["']?\s*(javascript|data|vbscript):""", re.I)


@pytest.fixture(scope="module")
def evil_app(settings: Settings) -> Flask:
    return app_with(settings, (DATA / "xss.trig").read_text(encoding="utf-8"))


@pytest.fixture()
def evil(evil_app: Flask) -> Iterator[FlaskClient]:
    with evil_app.test_client() as c:
        yield c


@pytest.mark.parametrize("path", PAGES)
def test_markup_in_data_is_escaped(evil: FlaskClient, path: str) -> None:
    response = evil.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.data.decode("utf-8")
    for raw in ("<script>alert", "<img src=x", "<b onmouseover", '"onmouseover="alert'):
        assert raw not in html, (path, raw)
    assert not SCRIPT_SCHEMES.search(html), path
    # the only script elements are our own files and JSON-LD data blocks
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'type="application/ld+json"' in tag or re.search(r'src="/static/', tag), tag
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_entity_page_shows_the_text(evil: FlaskClient) -> None:
    html = evil.get("/id/infrastructure/evil").data.decode("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Evil lab" in html
    assert "javascript:alert(5)" in html  # shown as text, not linked
    assert 'href="javascript' not in html.lower()
    # the JSON-LD data block cannot be closed by the data
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block is not None
    assert "<" not in block.group(1)


def test_json_twins_and_csv(evil: FlaskClient) -> None:
    csv_text = evil.get("/compare.csv?region=ITH5&region=NL41&table=hosts").data.decode()
    assert "'=HYPERLINK" in csv_text
    assert '\r\nITH5,"=HYPERLINK' not in csv_text


@pytest.mark.parametrize(
    "iri",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        'http://x/"onmouseover="alert(1)',
        "http://x/<script>",
    ],
)
def test_unsafe_iris_never_become_links(iri: str) -> None:
    assert not is_linkable(iri)
    assert href(iri, "http://localhost:8080/") is None


@pytest.mark.parametrize(
    "path",
    [
        "/compare?region=%3Cscript%3Ealert(1)%3C/script%3E",
        "/infrastructures?ket=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/id/infrastructure/alfa-lab?lang=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/id/infrastructure/alfa-lab?in=%3Cscript%3E&page=%3Cscript%3E",
        "/search?q=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E&page=x",
        "/geo/nuts/0.geojson?country=%3Cscript%3E",
    ],
)
def test_reflected_parameters_are_escaped(evil: FlaskClient, path: str) -> None:
    response = evil.get(path, headers={"Accept": "text/html"})
    assert response.status_code in (200, 400, 404)
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x" not in body
