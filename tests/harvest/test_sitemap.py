"""Sitemaps and robots.txt."""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from flask import Flask
from flask.testing import FlaskClient

from tests.harvest.helpers import local

SM = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def parse(client: FlaskClient, url: str) -> Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/xml"
    root: Element = SafeET.fromstring(response.data)
    return root


def test_sitemap_lists_entities_and_main_pages(hclient: FlaskClient) -> None:
    root = parse(hclient, "/sitemap.xml")
    assert root.tag == "{{{}}}urlset".format(SM["s"])
    locs = {
        u.findtext("s:loc", namespaces=SM): u.findtext("s:lastmod", namespaces=SM)
        for u in root.findall("s:url", SM)
    }
    for page in ("", "sparql", "catalog", ".well-known/void", "graph/source/infra"):
        assert "http://localhost:8080/" + page in locs
    alfa = locs["http://localhost:8080/id/infrastructure/alfa-lab"]
    assert alfa is not None and alfa.endswith("+00:00")
    meta = hclient.get("/graph/meta/infra.ttl").data.decode()
    assert alfa[:19] in meta  # lastmod is the source's dct:modified
    assert len(locs) == 5 + 2 + 2


def test_robots_points_to_the_sitemap(hclient: FlaskClient) -> None:
    from urllib.robotparser import RobotFileParser

    text = hclient.get("/robots.txt").data.decode()
    assert "Sitemap: http://localhost:8080/sitemap.xml" in text.splitlines()
    robots = RobotFileParser()
    robots.parse(text.splitlines())
    assert robots.site_maps() == ["http://localhost:8080/sitemap.xml"]
    for allowed in (
        "/",
        "/sparql",
        "/catalog",
        "/id/infrastructure/delta-lab",
        "/dumps/riikg.nt.gz",
    ):
        assert robots.can_fetch("*", "http://localhost:8080" + allowed), allowed
    assert not robots.can_fetch("*", "http://localhost:8080/sparql?query=SELECT%20*")


def test_sitemap_index_past_the_limit(app_with: Callable[..., Flask]) -> None:
    client = app_with(sitemap_max_urls=4).test_client()
    root = parse(client, "/sitemap.xml")
    assert root.tag == "{{{}}}sitemapindex".format(SM["s"])
    pages = [s.findtext("s:loc", namespaces=SM) for s in root.findall("s:sitemap", SM)]
    assert pages == [f"http://localhost:8080/sitemap-{n}.xml" for n in (1, 2, 3)]
    seen: list[str | None] = []
    for page in pages:
        urls = parse(client, local(page)).findall("s:url", SM)
        assert 1 <= len(urls) <= 4
        seen.extend(u.findtext("s:loc", namespaces=SM) for u in urls)
    assert len(seen) == len(set(seen)) == 9
    assert client.get("/sitemap-4.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_every_sitemap_url_resolves(hclient: FlaskClient) -> None:
    root = parse(hclient, "/sitemap.xml")
    for loc in root.iterfind("s:url/s:loc", SM):
        response = hclient.get(local(loc.text), headers={"Accept": "text/html"})
        assert response.status_code == 200, loc.text
