"""Test helpers: the official DCAT-AP shapes, parsing responses, a tiny harvester."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import pyshacl
from flask.testing import FlaskClient
from rdflib import Graph
from rdflib.namespace import SH

DATA = Path(__file__).parent / "data"
DCAT_AP = DATA / "dcat-ap"


@cache
def dcat_ap_shapes() -> tuple[Graph, int]:
    """DCAT-AP 3.0.1 shapes and ranges, parsed from bytes (no import is ever fetched).

    The official ``ranges.ttl`` lists five ``sh:property`` shapes it never defines, which
    pySHACL rightly refuses; those dangling references are dropped (returned as a count).
    """
    shapes = Graph()
    for name in ("dcat-ap-SHACL.ttl", "ranges.ttl"):
        shapes.parse(data=(DCAT_AP / name).read_bytes(), format="turtle")
    dangling = [
        (s, o) for s, o in shapes.subject_objects(SH.property) if shapes.value(o, SH.path) is None
    ]
    for s, o in dangling:
        shapes.remove((s, SH.property, o))
    return shapes, len(dangling)


def violations(data: Graph) -> tuple[int, str]:
    """Number of sh:Violation results of the DCAT-AP shapes on ``data``, and the report text."""
    shapes, _ = dcat_ap_shapes()
    _, report, text = pyshacl.validate(data, shacl_graph=shapes, allow_warnings=True)
    assert isinstance(report, Graph)
    count = len(set(report.subjects(SH.resultSeverity, SH.Violation)))
    return count, str(text)


def get_graph(client: FlaskClient, url: str, accept: str = "text/turtle") -> Graph:
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200, (url, response.status_code, response.data[:300])
    fmt = {
        "text/turtle": "turtle",
        "application/rdf+xml": "xml",
        "application/ld+json": "json-ld",
        "application/n-triples": "nt",
    }[accept]
    return Graph().parse(data=response.data, format=fmt)


def local(url: object, base: str = "http://localhost:8080/") -> str:
    """The path part of a public URL (the test client talks to the app directly)."""
    text = str(url)
    assert text.startswith(base), text
    return "/" + text[len(base) :]


def nt_lines(client: FlaskClient, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return gzip.decompress(response.data).decode("utf-8").splitlines()
