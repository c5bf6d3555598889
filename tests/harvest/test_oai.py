"""OAI-PMH 2.0: verbs, records, resumption tokens, date ranges and error conditions."""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT

from tests.harvest.helpers import violations

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
INFRA_GRAPH = "http://localhost:8080/graph/source/infra"
ALFA = "http://localhost:8080/id/infrastructure/alfa-lab"


@pytest.fixture()
def oai(app_with: Callable[..., Flask]) -> FlaskClient:
    return app_with(oai_page_size=2).test_client()


def call(client: FlaskClient, **args: str) -> Element:
    response = client.get("/oai", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert b"<!DOCTYPE" not in response.data
    root: Element = SafeET.fromstring(response.data)
    assert root.tag == "{http://www.openarchives.org/OAI/2.0/}OAI-PMH"
    assert root.find("o:responseDate", NS) is not None
    assert root.findtext("o:request", namespaces=NS) == "http://localhost:8080/oai"
    return root


def error_code(root: Element) -> str | None:
    error = root.find("o:error", NS)
    return error.get("code") if error is not None else None


def test_identify_formats_and_sets(oai: FlaskClient) -> None:
    root = call(oai, verb="Identify")
    assert root.findtext("o:Identify/o:protocolVersion", namespaces=NS) == "2.0"
    assert root.findtext("o:Identify/o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert root.findtext("o:Identify/o:adminEmail", namespaces=NS) == "riikg@example.org"
    formats = call(oai, verb="ListMetadataFormats")
    prefixes = [e.text for e in formats.iter("{{{}}}metadataPrefix".format(NS["o"]))]
    assert prefixes == ["oai_dc", "dcat_ap"]
    only_dc = call(oai, verb="ListMetadataFormats", identifier=ALFA)
    assert [e.text for e in only_dc.iter("{{{}}}metadataPrefix".format(NS["o"]))] == ["oai_dc"]
    sets = [e.text for e in call(oai, verb="ListSets").iter("{{{}}}setSpec".format(NS["o"]))]
    assert sets == ["datasets", "infrastructures", "source", "source:infra", "source:regions"]


def harvest(client: FlaskClient, verb: str, **args: str) -> tuple[list[Element], int]:
    items: list[Element] = []
    calls = 0
    root = call(client, verb=verb, **args)
    while True:
        calls += 1
        tag = "o:record" if verb == "ListRecords" else "o:header"
        items.extend(root.findall(f"o:{verb}/{tag}", NS))
        token = root.find(f"o:{verb}/o:resumptionToken", NS)
        if token is None or not token.text:
            return items, calls
        assert token.get("completeListSize") is not None
        root = call(client, verb=verb, resumptionToken=token.text)


def test_harvest_every_record_through_resumption_tokens(oai: FlaskClient) -> None:
    records, calls = harvest(oai, "ListRecords", metadataPrefix="oai_dc")
    identifiers = [r.findtext("o:header/o:identifier", namespaces=NS) for r in records]
    # 3 datasets + 2 infrastructures, 2 per page
    assert len(identifiers) == len(set(identifiers)) == 5
    assert calls == 3
    assert ALFA in identifiers and INFRA_GRAPH in identifiers
    alfa = records[identifiers.index(ALFA)]
    description = alfa.findtext("o:metadata/oai_dc:dc/dc:description", namespaces=NS)
    assert description == 'Laboratory for materials & <advanced> manufacturing "tests".'
    coverage = alfa.findtext("o:metadata/oai_dc:dc/dc:coverage", namespaces=NS)
    assert coverage is not None and coverage.endswith("ITH55")
    headers, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc")
    assert [h.findtext("o:identifier", namespaces=NS) for h in headers] == identifiers
    datasets, _ = harvest(oai, "ListRecords", metadataPrefix="dcat_ap")
    assert len(datasets) == 3


def test_dcat_ap_records_are_valid_dcat_ap(oai: FlaskClient) -> None:
    root = call(oai, verb="GetRecord", metadataPrefix="dcat_ap", identifier=INFRA_GRAPH)
    rdf = root.find("o:GetRecord/o:record/o:metadata/rdf:RDF", NS)
    assert rdf is not None
    graph = Graph().parse(data=SafeET.tostring(rdf), format="xml")
    assert (URIRef(INFRA_GRAPH), None, DCAT.Dataset) in graph
    assert violations(graph)[0] == 0


def test_sets_and_dates(oai: FlaskClient) -> None:
    infra, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc", set="infrastructures")
    assert {h.findtext("o:identifier", namespaces=NS) for h in infra} == {
        ALFA,
        "http://localhost:8080/id/infrastructure/delta-lab",
    }
    by_source, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc", set="source:regions")
    assert len(by_source) == 1
    recent, _ = harvest(oai, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2000-01-01"})
    assert len(recent) == 5
    old = call(oai, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2000-01-01T00:00:00Z")
    assert error_code(old) == "noRecordsMatch"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Explode"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-13-45"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2021-01-01",
                "until": "2020-01-01",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2021-01-01",
                "until": "2022-01-01T00:00:00Z",
            },
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "x:y"}, "idDoesNotExist"),
        (
            {"verb": "GetRecord", "metadataPrefix": "dcat_ap", "identifier": ALFA},
            "cannotDisseminateFormat",
        ),
        ({"verb": "ListRecords", "resumptionToken": "garbage!!"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "nope"}, "noRecordsMatch"),
    ],
)
def test_error_conditions(oai: FlaskClient, args: dict[str, str], code: str) -> None:
    root = call(oai, **args)
    assert error_code(root) == code
    if code in ("badVerb", "badArgument"):
        request = root.find("o:request", NS)
        assert request is not None and request.attrib == {}


def test_repeated_argument_is_bad(oai: FlaskClient) -> None:
    response = oai.get("/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=dcat_ap")
    assert error_code(SafeET.fromstring(response.data)) == "badArgument"


def test_post_is_supported(oai: FlaskClient) -> None:
    response = oai.post("/oai", data={"verb": "Identify"})
    assert b"<Identify>" in response.data


def test_tokens_expire_with_the_data_version(
    oai: FlaskClient, loaded: tuple[object, object]
) -> None:
    from pathlib import Path

    from riikg.pipeline import load_source
    from tests.harvest.conftest import turtle_loader, turtle_source

    first = call(oai, verb="ListRecords", metadataPrefix="oai_dc")
    token = first.find("o:ListRecords/o:resumptionToken", NS)
    assert token is not None and token.text
    store, tmp = loaded
    assert isinstance(tmp, Path)
    path = tmp / "infrastructures.ttl"
    path.write_text(path.read_text().replace("Delta Laboratory", "Delta Lab"), encoding="utf-8")
    load_source(store, turtle_source("infra", path, "Test infrastructures"), turtle_loader)  # type: ignore[arg-type]
    stale = call(oai, verb="ListRecords", resumptionToken=token.text)
    assert error_code(stale) == "badResumptionToken"


def test_xml_text_is_always_well_formed() -> None:
    from endpoint.catalog.oai_records import el

    element = SafeET.fromstring(el("x", 'a\x0bb <&> é "q"', code="\x01'\""))
    assert element.text == 'a\ufffdb <&> é "q"'
    assert element.get("code") == "\ufffd'\""
