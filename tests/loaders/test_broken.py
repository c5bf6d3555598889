"""Broken inputs give located errors and, through the pipeline, change nothing."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from loaders import get_loader
from riikg.errors import LoadError
from riikg.pipeline import load_source
from riikg.sources import Source
from riikg.store.oxigraph import OxigraphStore
from tests.loaders.conftest import CSV_FILES, VARIANTS

HEADER = CSV_FILES[0].read_text(encoding="utf-8").splitlines()[0]
GOOD_ROW = CSV_FILES[0].read_text(encoding="utf-8").splitlines()[1]
SECRET = "s3cr3t-token-from-the-file"


def _xlsx(rows: list[list[object]], sheet: str = "infrastructures") -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _deep_json(depth: int) -> bytes:
    return b'{"format": "riikg-export/1", "infrastructures": ' + b"[" * depth + b"]" * depth + b"}"


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    loader: str
    content: bytes
    where: str  # the location the message must start with
    expected: str  # words the message must contain


def _entity(level: int) -> bytes:
    """One level of the billion-laughs bomb: ten references to the level below."""
    below = f"&lol{level - 1};" if level > 1 else "&lol;"
    return f' <!ENTITY lol{level} "{below * 10}">\n'.encode()


BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(_entity(i) for i in range(1, 10))
    + b']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/a">'
    b"<ex:p>&lol9;</ex:p></rdf:Description></rdf:RDF>\n"
)

CASES = [
    Case(
        "csv-unknown-column",
        "bad-infrastructures.csv",
        "survey_csv",
        (HEADER + ",colour\n" + GOOD_ROW + ",red\n").encode(),
        "bad-infrastructures.csv:1",
        "unknown column(s): 'colour'",
    ),
    Case(
        "csv-missing-column",
        "bad-infrastructures.csv",
        "survey_csv",
        b"name@en,acronym\nExample Lab,EL\n",
        "bad-infrastructures.csv:1",
        "missing column(s): source_url",
    ),
    Case(
        "csv-bad-value",
        "bad-infrastructures.csv",
        "survey_csv",
        (
            HEADER + "\n" + GOOD_ROW + "\n" + GOOD_ROW.replace(",operational,", ",sleeping,")
        ).encode(),
        "bad-infrastructures.csv:3:15 (status)",
        "one of operational",
    ),
    Case(
        "csv-bad-region",
        "bad-infrastructures.csv",
        "survey_csv",
        (HEADER + "\n" + GOOD_ROW.replace(",ITH55,", ",ZZ999,")).encode(),
        "bad-infrastructures.csv:2:10 (region)",
        "NUTS 2024 code",
    ),
    Case(
        "csv-bad-iri",
        "bad-infrastructures.csv",
        "survey_csv",
        (
            HEADER + "\n" + GOOD_ROW.replace("https://enl.example.org/,", 'https://x/"onload=,')
        ).encode(),
        "bad-infrastructures.csv:2:16 (homepage)",
        "http(s) IRI",
    ),
    Case(
        "csv-latin1",
        "bad-infrastructures.csv",
        "survey_csv",
        (HEADER + "\n" + GOOD_ROW + "\n").encode()
        + "Caf\xe9 Lab,,,,,,,,,,,,,,,,,,,https://x.example.org/\n".encode("latin-1"),
        "bad-infrastructures.csv:3:4",
        "UTF-8",
    ),
    Case(
        "csv-huge-cell",
        "bad-infrastructures.csv",
        "survey_csv",
        (HEADER + '\n"' + "x" * 200_000 + '",' + ",".join([""] * 19) + "\n").encode(),
        "bad-infrastructures.csv:2",
        "cells of at most",
    ),
    Case(
        "csv-equipment-unknown-infrastructure",
        "bad-equipment.csv",
        "survey_csv",
        b"infrastructure,name@en\nNo Such Lab,Microscope\n",
        "bad-equipment.csv:2:1 (infrastructure)",
        "no row has 'No Such Lab'",
    ),
    Case(
        "xlsx-bad-value",
        "bad.xlsx",
        "survey_xlsx",
        _xlsx(
            [
                ["name@en", "lat", "long", "source_url"],
                ["Example Lab", 95, 10, "https://x.example.org/"],
            ]
        ),
        "bad.xlsx:infrastructures:2:2",
        "latitude",
    ),
    Case(
        "xlsx-no-sheet",
        "bad.xlsx",
        "survey_xlsx",
        _xlsx([["name@en", "source_url"]], sheet="Sheet1"),
        "bad.xlsx",
        "a sheet named 'infrastructures'",
    ),
    Case("xlsx-not-zip", "bad.xlsx", "survey_xlsx", b"not a workbook", "bad.xlsx", "XLSX"),
    Case(
        "json-syntax",
        "bad.json",
        "json_export",
        b'{"format": "riikg-export/1",\n "infrastructures": [\n  {"name": }]}',
        "bad.json:3:12",
        "well-formed JSON",
    ),
    Case(
        "json-schema",
        "bad.json",
        "json_export",
        b'{"format": "riikg-export/1", "infrastructures": [{"name": {"en": "X"}, '
        b'"source_url": ["https://x.example.org/"], "status": "sleeping"}]}',
        "bad.json (/infrastructures/0/status)",
        "expected one of operational",
    ),
    Case(
        "json-missing-member",
        "bad.json",
        "json_export",
        b'{"format": "riikg-export/1", "infrastructures": [{"name": {"en": "X"}}]}',
        "bad.json (/infrastructures/0)",
        "expected a member 'source_url'",
    ),
    Case(
        "json-bad-year",
        "bad.json",
        "json_export",
        b'{"format": "riikg-export/1", "infrastructures": [{"name": {"en": "X"}, '
        b'"source_url": ["https://x.example.org/"], "operation_start": 99999}]}',
        "bad.json (/infrastructures/0/operation_start)",
        "a four-digit year",
    ),
    Case("json-deep", "bad.json", "json_export", _deep_json(100_000), "bad.json", "nested"),
    Case(
        "turtle-syntax",
        "bad.ttl",
        "rdf_file",
        f"@prefix ex: <http://example.org/> .\nex:a ex:b {SECRET} .\n".encode(),
        "bad.ttl:2:11",
        "well-formed turtle",
    ),
    Case("rdfxml-entity-bomb", "bomb.rdf", "rdf_file", BOMB, "bomb.rdf:2:1", "<!DOCTYPE"),
    Case(
        "rdfxml-xxe",
        "xxe.rdf",
        "rdf_file",
        b'<?xml version="1.0"?>\n<!ENTITY x SYSTEM "file:///etc/passwd">\n<rdf:RDF/>',
        "xxe.rdf:2:1",
        "DTDs are not allowed",
    ),
    Case(
        "jsonld-remote-context",
        "remote.jsonld",
        "rdf_file",
        b'{"@context": "http://169.254.169.254/latest/meta-data/", "@id": "http://example.org/a"}',
        "remote.jsonld (/@context)",
        "remote contexts are never fetched",
    ),
    Case(
        "jsonld-nested-remote-context",
        "remote.jsonld",
        "rdf_file",
        b'{"@context": {"ex": "http://example.org/"}, "@graph": [{"@context": '
        b'["https://w3id.org/riikg/context.jsonld", "file:///etc/passwd"], "@id": "ex:a"}]}',
        "remote.jsonld (/@graph/0/@context/1)",
        "remote contexts are never fetched",
    ),
    Case(
        "jsonld-import",
        "import.jsonld",
        "rdf_file",
        b'{"@context": {"@import": "https://example.org/ctx.jsonld"}, "@id": "http://example.org/a"}',
        "import.jsonld (/@context/@import)",
        "no @import",
    ),
]


def _write(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / case.filename
    path.write_bytes(case.content)
    return path


def _files(tmp_path: Path, case: Case) -> tuple[Path, ...]:
    path = _write(tmp_path, case)
    if case.filename.endswith("equipment.csv"):
        return (CSV_FILES[0], path)
    return (path,)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_input_is_located(case: Case, tmp_path: Path) -> None:
    source = Source(id="broken", loader=case.loader, files=_files(tmp_path, case))
    from riikg.sources import SourceGraph

    started = time.monotonic()
    with pytest.raises(LoadError) as info:
        get_loader(case.loader)(source, SourceGraph(), base_iri="http://localhost:8080/")
    assert time.monotonic() - started < 5
    message = str(info.value)
    assert message.startswith(case.where), message
    assert case.expected in message, message
    assert SECRET not in message


def snapshot(store: OxigraphStore) -> list[str]:
    """Every quad of the store, as sorted N-Quads lines."""
    return sorted(str(q) for q in store.quads())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_input_changes_nothing(
    case: Case, tmp_path: Path, vocab_store: OxigraphStore
) -> None:
    before = snapshot(vocab_store)
    version = vocab_store.version
    source = Source(id="broken", loader=case.loader, files=_files(tmp_path, case))
    with pytest.raises(LoadError):
        load_source(vocab_store, source, get_loader(case.loader))
    assert vocab_store.count() == len(before)
    assert snapshot(vocab_store) == before
    assert vocab_store.version == version


def test_remote_context_reference_to_the_bundled_one_is_allowed() -> None:
    from tests.loaders.conftest import run_loader

    graph = run_loader("rdf_file", VARIANTS / "example.jsonld")
    assert len(graph) > 40


def test_validation_findings_point_back_to_the_cell(vocab_store: OxigraphStore) -> None:
    """Regions unknown to the store: the refusal names file, row and column of each."""
    from riikg.errors import SourceRefused

    before = snapshot(vocab_store)
    source = Source(id="survey", loader="survey_csv", files=CSV_FILES)
    with pytest.raises(SourceRefused) as info:
        load_source(vocab_store, source, get_loader("survey_csv"))
    summary = info.value.summary
    assert "example-infrastructures.csv:2:10 (region)" in summary, summary
    assert "example-infrastructures.csv:3:10 (region)" in summary, summary
    assert snapshot(vocab_store) == before
