"""Global HTTP caching: ETag, Last-Modified, Cache-Control and 304s on every GET."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

ROUTES = [
    "/catalog",
    "/catalog.jsonld",
    "/.well-known/void",
    "/graph/source/infra",
    "/graph/meta/infra.ttl",
    "/sitemap.xml",
    "/robots.txt",
    "/oai?verb=Identify",
    "/dumps/manifest.json",
]


@pytest.mark.parametrize("url", ROUTES)
def test_validators_and_304(hclient: FlaskClient, url: str) -> None:
    first = hclient.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"v2-')  # strong, from the data version
    assert first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = hclient.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    since = hclient.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    other = hclient.get(url, headers={"If-None-Match": '"v1-stale"'})
    assert other.status_code == 200


def test_etag_depends_on_the_representation(hclient: FlaskClient) -> None:
    turtle = hclient.get("/catalog", headers={"Accept": "text/turtle"}).headers["ETag"]
    rdfxml = hclient.get("/catalog", headers={"Accept": "application/rdf+xml"}).headers["ETag"]
    paged = hclient.get("/catalog?page_size=1", headers={"Accept": "text/turtle"}).headers["ETag"]
    assert len({turtle, rdfxml, paged}) == 3
    assert hclient.get("/catalog", headers={"Accept": "text/turtle"}).headers["ETag"] == turtle
    vary = hclient.get("/catalog").headers["Vary"]
    assert "Accept" in vary


def test_not_on_errors_health_or_posts(hclient: FlaskClient) -> None:
    missing = hclient.get("/graph/source/nope")
    assert missing.status_code == 404
    assert "ETag" not in missing.headers and "Cache-Control" not in missing.headers
    health = hclient.get("/health")
    assert "ETag" not in health.headers
    assert hclient.get("/health", headers={"If-None-Match": "*"}).status_code == 200
    post = hclient.post("/oai", data={"verb": "Identify"})
    assert "ETag" not in post.headers


def test_if_modified_since_older_than_the_data(hclient: FlaskClient) -> None:
    response = hclient.get(
        "/catalog", headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}
    )
    assert response.status_code == 200


def test_head_gets_the_same_validators(hclient: FlaskClient) -> None:
    get = hclient.get("/.well-known/void")
    head = hclient.head("/.well-known/void")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]


def test_star_does_not_hide_a_missing_resource(hclient: FlaskClient) -> None:
    assert hclient.get("/graph/source/nope", headers={"If-None-Match": "*"}).status_code == 404
    # "*" matches any current representation (RFC 9110 §13.1.2): 304 for a GET
    assert hclient.get("/catalog", headers={"If-None-Match": "*"}).status_code == 304
