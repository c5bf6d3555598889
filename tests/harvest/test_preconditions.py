"""Preconditions (RFC 9110 §13.2) on every route family: evaluated only when the answer would
otherwise be a success; an error is sent as it is; 304 has no body, 412 only a message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUTURE = "Sun, 01 Jan 2090 00:00:00 GMT"
PAST = "Sat, 01 Jan 2000 00:00:00 GMT"
SERVICE = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
UNKNOWN_FROM = "SELECT * FROM <http://example.org/not-a-graph> WHERE { ?s ?p ?o }"

#: (url, the answer without any precondition)
ERRORS = [
    ("/id/infrastructure/no-such-thing", 404),
    ("/id/infrastructure/no-such-thing.ttl", 404),
    ("/dumps/source/no-such-source.nt.gz", 404),
    ("/dumps/riikg.nope", 404),
    ("/graph/source/no-such-source", 404),
    ("/ontology/NoSuchTerm", 404),
    ("/static/no-such-file.js", 404),
    ("/catalog?page=99999", 404),
    ("/catalog?page=abc", 400),
    ("/catalog.nope", 404),
    ("/sitemap-7.xml", 404),
]
SPARQL_ERRORS = [
    ({"query": "SELECT WHERE"}, 400),
    ({"query": SERVICE}, 403),
    ({"query": UNKNOWN_FROM}, 400),
    ({"query": "ASK {}", "format": "nope"}, 400),
    ({"update": "CLEAR ALL"}, 403),
]
#: every kind of precondition a client (or an attacker) can send
CONDITIONS: list[dict[str, str]] = [
    {"If-Modified-Since": FUTURE},
    {"If-Modified-Since": PAST},
    {"If-Modified-Since": "not a date"},
    {"If-None-Match": "*"},
    {"If-None-Match": '"v1-0123456789abcdef"'},
    {"If-None-Match": 'W/"anything", "else"'},
    {"If-Match": '"nope"'},
    {"If-Match": "*"},
    {"If-Unmodified-Since": PAST},
    {"If-Unmodified-Since": FUTURE},
    {"If-None-Match": "*", "If-Modified-Since": FUTURE, "If-Match": '"x"'},
]
SUCCESSES = [
    "/id/infrastructure/abisko",
    "/id/infrastructure/abisko.ttl",
    "/id/infrastructure/abisko.rdf",
    "/catalog",
    "/catalog.jsonld",
    "/oai?verb=Identify",
    "/ontology",
    "/.well-known/void",
    "/dumps/manifest.json",
    "/dumps/riikg.ttl",
    "/static/riikg.css",
    "/sparql?query=ASK%20%7B%7D",
    "/search?q=laser",
]


def status_without_conditions(client: FlaskClient, url: str) -> int:
    return client.get(url).status_code


# ---- errors are sent as they are -----------------------------------------------------------
@pytest.mark.parametrize(
    "headers", CONDITIONS, ids=lambda h: "+".join(f"{k}={v}" for k, v in h.items())
)
@pytest.mark.parametrize(("url", "expected"), ERRORS, ids=[u for u, _ in ERRORS])
def test_an_error_stays_an_error(
    client: FlaskClient, url: str, expected: int | None, headers: dict[str, str]
) -> None:
    plain = status_without_conditions(client, url)
    assert plain >= 400 and (expected is None or plain == expected)
    got = client.get(url, headers=headers)
    assert got.status_code == plain
    assert got.data.strip(), "an error comes with its message"
    assert "ETag" not in got.headers
    head = client.head(url, headers=headers)
    assert head.status_code == plain


@pytest.mark.parametrize("headers", CONDITIONS)
@pytest.mark.parametrize(("args", "expected"), SPARQL_ERRORS)
def test_a_sparql_error_stays_an_error(
    client: FlaskClient, args: dict[str, str], expected: int, headers: dict[str, str]
) -> None:
    got = client.get("/sparql", query_string=args, headers=headers)
    assert got.status_code == expected, got.data[:200]
    posted = client.post("/sparql", data=args, headers=headers)
    assert posted.status_code == expected, posted.data[:200]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(["If-Modified-Since", "If-None-Match", "If-Match", "If-Unmodified-Since"]),
    value=st.one_of(
        st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
        st.datetimes(
            min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
        ).map(lambda d: format_datetime(d, usegmt=True)),
        st.sampled_from(["*", 'W/"x"', '"x", *', "W/*", '""']),
    ),
    target=st.sampled_from(
        [*(u for u, _ in ERRORS[:8]), "/sparql?query=SELECT%20WHERE", "/sparql?query=" + SERVICE]
    ),
)
def test_no_precondition_turns_an_error_into_304_or_412(
    client: FlaskClient, name: str, value: str, target: str
) -> None:
    plain = status_without_conditions(client, target)
    got = client.get(target, headers={name: value})
    assert got.status_code == plain


# ---- successful answers: 304 / 412 by the rules ---------------------------------------------
@pytest.mark.parametrize("url", SUCCESSES)
def test_preconditions_of_a_successful_answer(client: FlaskClient, url: str) -> None:
    with client.get(url) as first:
        assert first.status_code == 200
        etag, body = first.headers["ETag"], first.data
    weak = f"W/{etag}"

    def status(headers: dict[str, str], method: str = "GET") -> int:
        with client.open(url, method=method, headers=headers) as response:
            if response.status_code == 304:
                assert response.data == b"" and response.headers["ETag"] == etag
            if response.status_code == 412:
                assert len(response.data) < 400 and body[:200] not in response.data
            return response.status_code

    assert status({"If-None-Match": etag}) == 304
    assert status({"If-None-Match": etag}, "HEAD") == 304
    assert status({"If-None-Match": weak}) == 304  # weak comparison
    assert status({"If-None-Match": f'"other", {etag}'}) == 304
    assert status({"If-None-Match": "*"}) == 304
    assert status({"If-None-Match": '"other"'}) == 200
    assert status({"If-Modified-Since": FUTURE}) == 304
    assert status({"If-Modified-Since": PAST}) == 200
    assert status({"If-Modified-Since": "garbage"}) == 200
    # If-None-Match wins over If-Modified-Since
    assert status({"If-None-Match": '"other"', "If-Modified-Since": FUTURE}) == 200
    assert status({"If-Match": etag}) == 200
    assert status({"If-Match": "*"}) == 200
    assert status({"If-Match": '"other"'}) == 412
    assert status({"If-Match": weak}) == 412  # strong comparison
    assert status({"If-Match": '"other"'}, "HEAD") == 412
    assert status({"If-Unmodified-Since": PAST}) == 412
    assert status({"If-Unmodified-Since": FUTURE}) == 200
    assert status({"If-Unmodified-Since": "garbage"}) == 200
    # If-Match is evaluated first, and If-Unmodified-Since only without it
    assert status({"If-Match": '"other"', "If-None-Match": etag}) == 412
    assert status({"If-Match": etag, "If-Unmodified-Since": PAST}) == 200
    assert status({"If-Match": etag, "If-None-Match": etag}) == 304


def test_last_modified_boundary(client: FlaskClient) -> None:
    first = client.get("/catalog")
    modified = first.headers["Last-Modified"]
    when = datetime.strptime(modified, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    before = format_datetime(when - timedelta(seconds=1), usegmt=True)
    assert client.get("/catalog", headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/catalog", headers={"If-Modified-Since": before}).status_code == 200
    assert client.get("/catalog", headers={"If-Unmodified-Since": modified}).status_code == 200
    assert client.get("/catalog", headers={"If-Unmodified-Since": before}).status_code == 412


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/sparql", {"query": "ASK {}"}),
        ("/oai", {"verb": "Identify"}),
    ],
)
def test_if_none_match_on_a_post_is_412(
    client: FlaskClient, url: str, data: dict[str, str]
) -> None:
    assert client.post(url, data=data).status_code == 200
    assert client.post(url, data=data, headers={"If-None-Match": "*"}).status_code == 412
    assert client.post(url, data=data, headers={"If-Match": '"x"'}).status_code == 412
    assert client.post(url, data=data, headers={"If-Match": "*"}).status_code == 200
    # a date is no precondition of a POST
    assert client.post(url, data=data, headers={"If-Modified-Since": FUTURE}).status_code == 200


def test_options_ignores_preconditions(client: FlaskClient) -> None:
    response = client.options("/sparql", headers={"If-None-Match": "*", "If-Match": '"x"'})
    assert response.status_code == 200


def test_health_ignores_preconditions(client: FlaskClient) -> None:
    for headers in CONDITIONS:
        assert client.get("/health", headers=headers).status_code == 200


# ---- dumps: Werkzeug's conditional answers follow the same rules ----------------------------
def test_failed_if_match_on_a_dump_sends_no_dump(client: FlaskClient) -> None:
    full = client.get("/dumps/riikg.nt.gz")
    assert full.status_code == 200 and full.data[:2] == b"\x1f\x8b"
    etag = full.headers["ETag"]
    for headers in (
        {"If-Match": '"not-the-etag"'},
        {"If-Match": '"not-the-etag"', "Range": "bytes=0-99"},
        {"If-Unmodified-Since": PAST},
        {"If-Unmodified-Since": PAST, "Range": "bytes=0-99"},
        {"If-Match": f"W/{etag}"},
    ):
        failed = client.get("/dumps/riikg.nt.gz", headers=headers)
        assert failed.status_code == 412, headers
        assert b"\x1f\x8b" not in failed.data and len(failed.data) < 400
        assert int(failed.headers["Content-Length"]) == len(failed.data)
        assert b"Precondition Failed" in failed.data
        assert "Content-Range" not in failed.headers
    ranged = client.get("/dumps/riikg.nt.gz", headers={"If-Match": etag, "Range": "bytes=0-9"})
    assert ranged.status_code == 206 and ranged.data == full.data[:10]
    unchanged = client.get(
        "/dumps/riikg.nt.gz", headers={"If-None-Match": etag, "Range": "bytes=0-9"}
    )
    assert unchanged.status_code == 304 and unchanged.data == b""
    both = client.get("/dumps/riikg.nt.gz", headers={"If-Match": etag, "If-None-Match": etag})
    assert both.status_code == 304


def test_412_is_in_the_negotiated_format(client: FlaskClient) -> None:
    url = "/sparql?query=ASK%20%7B%7D"
    got = client.get(url, headers={"If-Match": '"x"', "Accept": "application/sparql-results+json"})
    assert got.status_code == 412 and got.is_json
    assert got.get_json()["status"] == 412
    page = client.get("/catalog", headers={"If-Match": '"x"', "Accept": "text/html"})
    assert page.status_code == 412 and page.mimetype == "text/html"
