"""A crawler starting at the home page reaches every infrastructure by following links."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from riikg.store import Store

HREF = re.compile(r'href="([^"]+)"')
OTHER_AREAS = (
    "/static/",
    "/downloads/",
    "/sparql",
    "/ontology",
    "/graph/",
    "/catalog",
    "/dumps",
    "/oai",
)
TWINS = (".ttl", ".jsonld", ".nt", ".rdf", ".json", ".geojson", ".csv", ".html")
FOLLOWED_PARAMS = {"page", "in"}
RI_QUERY = (
    "SELECT DISTINCT ?i WHERE { ?i a <https://w3id.org/riikg/ontology/ResearchInfrastructure> }"
)


def crawl(app: Flask, limit: int = 5000) -> set[str]:
    """Paths of every HTML page reachable from ``/`` (plain links and paging links only)."""
    client = app.test_client()
    seen = {"/"}
    queue = deque(["/"])
    pages: set[str] = set()
    while queue:
        path = queue.popleft()
        response = client.get(path, headers={"Accept": "text/html"})
        response.close()
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages.add(path)
        assert len(pages) < limit, "crawl does not end"
        for raw in HREF.findall(response.data.decode("utf-8")):
            link = raw.replace("&amp;", "&")
            if link.startswith("?"):  # paging links are relative to the page
                link = path.split("?")[0] + link
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(OTHER_AREAS) or parts.path.endswith(TWINS):
                continue
            if parts.query and not set(parse_qs(parts.query)) <= FOLLOWED_PARAMS:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return pages


def check_reaches_every_infrastructure(app: Flask, store: Store) -> None:
    pages = crawl(app)
    expected = {row["i"].value for row in store.select(RI_QUERY)}
    assert expected, "the store has no infrastructures"
    reached = {store.base + p.lstrip("/") for p in pages if p.startswith("/id/infrastructure/")}
    assert expected - reached == set()


def test_crawl_page_dataset(pages_app: Flask, pages_store: Store) -> None:
    check_reaches_every_infrastructure(pages_app, pages_store)


@pytest.mark.slow
def test_crawl_bundled_dataset(app: Flask, bundled_store: Store) -> None:
    check_reaches_every_infrastructure(app, bundled_store)
