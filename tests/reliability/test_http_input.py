"""Request text that is not UTF-8 is a 400 on every route (one check before any view), in the
negotiated format; forged OAI-PMH resumption tokens are ``badResumptionToken``, never a 500
and never echoed."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from defusedxml import ElementTree as SafeET
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from endpoint.catalog.oai import encode_token

ROUTES = [
    "/sparql?query=",
    "/search?q=",
    "/infrastructures?ket=",
    "/oai?verb=ListRecords&resumptionToken=",
    "/oai?verb=",
    "/catalog?modified_since=",
    "/id/infrastructure/abisko?lang=",
    "/?anything=",
    "/dumps/riikg.ttl?x=",
    "/static/riikg.css?v=",
    "/no-such-route?x=",
    "/ontology?lang=",
    "/compare?ids=",
]
BAD = [
    "%FF%FE",
    "%ED%A0%80",  # an encoded lone surrogate
    "%C0%AF",  # overlong "/"
    "%E2%82",  # truncated sequence
    "abc%80",  # a continuation byte alone
    "%F4%90%80%80",  # beyond U+10FFFF
]
GOOD = ["%C3%A9", "%F0%9D%84%9E", "plain", "%E2%80%A8"]
FORM = "application/x-www-form-urlencoded"
NS = {"o": "http://www.openarchives.org/OAI/2.0/"}


def is_encoding_400(response: Any) -> bool:
    return response.status_code == 400 and b"not valid UTF-8" in response.data


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("route", ROUTES)
def test_bad_utf8_in_a_query_parameter_is_400(client: FlaskClient, route: str, bad: str) -> None:
    response = client.get(route + bad)
    assert is_encoding_400(response), (response.status_code, response.data[:200])
    assert "ETag" not in response.headers


@pytest.mark.parametrize("good", GOOD)
@pytest.mark.parametrize("route", ROUTES)
def test_good_utf8_is_never_refused_for_its_encoding(
    client: FlaskClient, route: str, good: str
) -> None:
    with client.get(route + good) as response:
        assert not is_encoding_400(response)


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("application/json", "application/json"),
        ("application/sparql-results+json", "application/json"),
        ("text/html", "text/html"),
        ("text/plain", "text/plain"),
        ("", "text/plain"),
    ],
)
def test_the_message_comes_in_the_negotiated_format(
    client: FlaskClient, accept: str, mimetype: str
) -> None:
    response = client.get("/sparql?query=ASK%20%7B%FF%7D", headers={"Accept": accept})
    assert response.status_code == 400 and response.mimetype == mimetype
    assert b"not valid UTF-8" in response.data
    if mimetype == "application/json":
        assert response.get_json()["status"] == 400


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize(
    ("url", "field"), [("/sparql", "query"), ("/oai", "resumptionToken"), ("/oai", "verb")]
)
def test_bad_utf8_in_a_form_body_is_400(
    client: FlaskClient, url: str, field: str, bad: str
) -> None:
    body = f"verb=ListRecords&{field}=x{bad}".encode() if url == "/oai" else f"{field}=x{bad}"
    response = client.post(url, data=body, content_type=FORM)
    assert is_encoding_400(response), response.data[:200]


@pytest.mark.parametrize("raw", [b"/id/infrastructure/\xff", b"/search/\xed\xa0\x80", b"/\xc0\xaf"])
def test_bad_utf8_in_the_path_is_400(client: FlaskClient, raw: bytes) -> None:
    # a WSGI server hands the percent-decoded path over as latin-1 text
    response = client.get("/", environ_overrides={"PATH_INFO": raw.decode("latin-1")})
    assert is_encoding_400(response)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.binary(max_size=24) | st.text(max_size=12).map(lambda t: t.encode("utf-8")),
    route=st.sampled_from(ROUTES),
)
def test_any_bytes_are_refused_exactly_when_not_utf8(
    client: FlaskClient, raw: bytes, route: str
) -> None:
    try:
        raw.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    with client.get(route + quote_from_bytes(raw, safe="")) as response:
        assert response.status_code < 500
        assert is_encoding_400(response) is not valid


# ---- OAI-PMH resumption tokens --------------------------------------------------------------
@pytest.fixture()
def version(client: FlaskClient) -> str:
    """The data version a real token carries (read from a first page's token)."""
    root = oai(client, {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    token = root.findtext(".//o:resumptionToken", namespaces=NS)
    assert token, "the bundled data spans more than one page"
    state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    return str(state["v"])


def oai(client: FlaskClient, args: dict[str, str]) -> Any:
    response = client.get("/oai", query_string=args)
    assert response.status_code == 200
    return SafeET.fromstring(response.data)


def forged(state: dict[str, Any]) -> str:
    return encode_token(state)


def answer(client: FlaskClient, token: str, verb: str = "ListIdentifiers") -> Any:
    return oai(client, {"verb": verb, "resumptionToken": token})


def error_code(root: Any) -> str | None:
    found = root.find("o:error", NS)
    return None if found is None else found.get("code")


def test_a_real_token_still_works(client: FlaskClient, version: str) -> None:
    token = forged(
        {"v": version, "verb": "ListIdentifiers", "args": {"metadataPrefix": "oai_dc"}, "o": 100}
    )
    root = answer(client, token)
    assert error_code(root) is None
    assert root.find(".//o:resumptionToken", NS).get("cursor") == "100"


def bad_states(version: str) -> list[dict[str, Any]]:
    good: dict[str, Any] = {
        "v": version,
        "verb": "ListIdentifiers",
        "args": {"metadataPrefix": "oai_dc"},
        "o": 100,
    }
    return [
        {**good, "o": True},
        {**good, "o": False},
        {**good, "o": -1},
        {**good, "o": 0},
        {**good, "o": 1.5},
        {**good, "o": "100"},
        {**good, "o": None},
        {**good, "o": 10**9},
        {**good, "o": 10**40},
        {**good, "args": {"metadataPrefix": "marc21"}},
        {**good, "args": {"metadataPrefix": True}},
        {**good, "args": {"metadataPrefix": "oai_dc", "from": "yesterday"}},
        {**good, "args": {"metadataPrefix": "oai_dc", "until": 2020}},
        {**good, "args": {"metadataPrefix": "oai_dc", "from": "2021-01-01", "until": "2020-01-01"}},
        {**good, "args": {"metadataPrefix": "oai_dc", "set": "no-such-set"}},
        {**good, "args": {"metadataPrefix": "oai_dc", "set": ["datasets"]}},
        {**good, "args": {"metadataPrefix": "oai_dc", "evil": "<x/>"}},
        {**good, "args": {}},
        {**good, "args": ["metadataPrefix"]},
        {**good, "verb": "ListRecords"},
        {**good, "v": True},
        {**good, "extra": 1},
        {k: v for k, v in good.items() if k != "o"},
    ]


def test_every_forged_field_is_a_bad_token(client: FlaskClient, version: str) -> None:
    for state in bad_states(version):
        root = answer(client, forged(state))
        assert error_code(root) == "badResumptionToken", state
        request = root.find("o:request", NS)
        assert request is not None and request.attrib == {}, state
        assert root.find(".//o:resumptionToken", NS) is None


@pytest.mark.parametrize(
    "token",
    ["", "!!!", "%", "e30", "W10", "bnVsbA", "a" * 5000, base64.b64encode(b"[" * 5000).decode()],
)
def test_undecodable_tokens(client: FlaskClient, token: str) -> None:
    assert error_code(answer(client, token, "ListRecords")) == "badResumptionToken"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    state=st.fixed_dictionaries(
        {},
        optional={
            "v": st.sampled_from(["VERSION"]) | json_values,
            "verb": st.sampled_from(["ListIdentifiers", "ListRecords"]) | json_values,
            "args": st.fixed_dictionaries(
                {},
                optional={
                    "metadataPrefix": st.sampled_from(["oai_dc", "dcat_ap"]) | json_values,
                    "from": st.sampled_from(["2020-01-01", "2020-01-01T00:00:00Z"]) | json_values,
                    "until": json_values,
                    "set": st.sampled_from(["datasets", "infrastructures"]) | json_values,
                },
            )
            | json_values,
            "o": st.integers(min_value=-5, max_value=10**6) | json_values,
        },
    ),
    raw=st.none() | st.binary(max_size=60),
)
def test_forged_tokens_never_fail_or_echo(
    client: FlaskClient, version: str, state: dict[str, Any], raw: bytes | None
) -> None:
    if state.get("v") == "VERSION":
        state["v"] = version
    token = forged(state) if raw is None else base64.urlsafe_b64encode(raw).decode().rstrip("=")
    response = client.get("/oai", query_string={"verb": "ListRecords", "resumptionToken": token})
    assert response.status_code == 200
    root = SafeET.fromstring(response.data)
    code = error_code(root)
    listed = root.find(".//o:resumptionToken", NS)
    if code is not None:
        assert code in ("badResumptionToken", "noRecordsMatch")
        assert root.find("o:request", NS).attrib == {}
    if listed is not None:
        cursor, size = listed.get("cursor", ""), listed.get("completeListSize", "")
        assert cursor.isdigit() and size.isdigit() and int(cursor) <= int(size)
    for element in root.iter():
        for value in element.attrib.values():
            assert value in (token, "ListRecords", "resumptionToken") or not _from_token(
                value, state
            )


def _from_token(value: str, state: dict[str, Any]) -> bool:
    """Whether an attribute value is one of the token's own scalar values (an echo)."""
    found: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            for v in item.values():
                walk(v)
        elif isinstance(item, list):
            for v in item:
                walk(v)
        elif isinstance(item, bool | str) and item not in ("", "oai_dc", "ListRecords"):
            found.append(str(item))

    walk(state)
    return value in found
