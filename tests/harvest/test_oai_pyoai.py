"""Interoperability: an independent OAI-PMH harvester (pyoai, the ``oaipmh`` package) reads us.

pyoai parses every response with lxml, checks arguments and follows resumption tokens on
its own; only its transport is replaced by the Flask test client.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

pytest.importorskip("oaipmh")

from oaipmh import error as oaipmh_error  # noqa: E402
from oaipmh import metadata as oaipmh_metadata  # noqa: E402
from oaipmh.client import BaseClient  # noqa: E402

ALFA = "http://localhost:8080/id/infrastructure/alfa-lab"


class TestClientHarvester(BaseClient):  # type: ignore[misc]
    """pyoai's client with the HTTP transport swapped for the Flask test client (GET)."""

    __test__ = False

    def __init__(self, client: FlaskClient) -> None:
        registry = oaipmh_metadata.MetadataRegistry()
        registry.registerReader("oai_dc", oaipmh_metadata.oai_dc_reader)
        super().__init__(registry)
        self.client = client
        self.requests = 0

    def makeRequest(self, **kw: Any) -> bytes:  # noqa: N802 (pyoai's API)
        self.requests += 1
        response = self.client.get("/oai", query_string=kw)
        assert response.status_code == 200
        body: bytes = response.data
        return body


@pytest.fixture()
def pyoai(app_with: Callable[..., Flask]) -> TestClientHarvester:
    harvester = TestClientHarvester(app_with(oai_page_size=2).test_client())
    harvester.updateGranularity()
    return harvester


def test_pyoai_identify_formats_sets(pyoai: TestClientHarvester) -> None:
    identify = pyoai.identify()
    assert identify.protocolVersion() == "2.0"
    assert identify.baseURL() == "http://localhost:8080/oai"
    assert identify.granularity() == "YYYY-MM-DDThh:mm:ssZ"
    assert [f[0] for f in pyoai.listMetadataFormats()] == ["oai_dc", "dcat_ap"]
    assert {s[0] for s in pyoai.listSets()} >= {"datasets", "infrastructures", "source:infra"}


def test_pyoai_harvests_everything(pyoai: TestClientHarvester) -> None:
    records = list(pyoai.listRecords(metadataPrefix="oai_dc"))
    identifiers = [header.identifier() for header, _, _ in records]
    assert len(identifiers) == len(set(identifiers)) == 5
    assert pyoai.requests >= 1 + 3  # Identify, then three pages of two
    titles = {header.identifier(): md.getField("title") for header, md, _ in records}
    assert titles[ALFA] == ["Alfa laboratory"]
    since = list(pyoai.listIdentifiers(metadataPrefix="oai_dc", from_=datetime(2000, 1, 1)))
    assert len(since) == 5
    in_set = list(pyoai.listIdentifiers(metadataPrefix="oai_dc", set="infrastructures"))
    assert len(in_set) == 2
    header, metadata, _ = pyoai.getRecord(identifier=ALFA, metadataPrefix="oai_dc")
    assert header.identifier() == ALFA and metadata.getField("type") == ["Research infrastructure"]


def test_pyoai_sees_protocol_errors(pyoai: TestClientHarvester) -> None:
    with pytest.raises(oaipmh_error.IdDoesNotExistError):
        pyoai.getRecord(identifier="oai:nowhere:1", metadataPrefix="oai_dc")
    with pytest.raises(oaipmh_error.NoRecordsMatchError):
        list(pyoai.listIdentifiers(metadataPrefix="oai_dc", from_=datetime(2999, 1, 1)))
