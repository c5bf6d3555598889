"""Hostile inputs given to ``riikg load``: located one-line errors, exit 2, the store unchanged.

* characters XML 1.0 forbids, in every kind of source (CSV, XLSX, JSON export, RDF files);
* spreadsheet padding bombs (declared dimension, real row/column references, empty rows,
  shared strings), each refused in well under a second;
* numbers, nesting and encodings that used to end in a traceback;
* invalid source ids, unusable store paths, a full disk and permission errors.
"""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.survey import read_xlsx
from riikg.cli import cli
from riikg.errors import LoadError
from riikg.pipeline import xml_char_problem
from riikg.resources import ontology_dir

ROOT = Path(__file__).resolve().parents[2]
HEADER = "name@en,source_url\n"
#: characters XML 1.0 does not allow, by name
FORBIDDEN = {
    "nul": "\x00",
    "soh": "\x01",
    "vt": "\x0b",
    "ff": "\x0c",
    "esc": "\x1b",
    "us": "\x1f",
    "fffe": "\ufffe",
    "ffff": "\uffff",
}
VOCAB = ontology_dir() / "vocab" / "status.ttl"
LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


# ---- helpers ------------------------------------------------------------------------------
@pytest.fixture()
def store(tmp_path: Path) -> list[str]:
    """Options of a fresh on-disk store that already holds one source (data to protect)."""
    options = ["--store-path", str(tmp_path / "store")]
    first = CliRunner().invoke(cli, [*options, "load", str(VOCAB)])
    assert first.exit_code == 0, first.output
    return options


def state(options: list[str]) -> str:
    result = CliRunner().invoke(cli, [*options, "stats"])
    assert result.exit_code == 0, result.output
    return result.output


def refused(options: list[str], *args: str) -> str:
    """Run ``riikg load``; assert exit 2, one line, no traceback, the store unchanged."""
    before = state(options)
    result: Result = CliRunner().invoke(cli, [*options, "load", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"raised {type(result.exception).__name__}: {result.exception}"
    )
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    assert state(options) == before
    return lines[0]


def survey(name: str) -> bytes:
    return f"{HEADER}{name},https://example.org/fictional-lab\n".encode()


def cli_subprocess(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("RIIKG_")}
    environ["PYTHONPATH"] = str(ROOT)
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", "from riikg.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        timeout=120,
        check=False,
    )


XLSX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
XLSX_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
XLSX_BOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="infrastructures" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
XLSX_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(rows: str, *, dimension: str | None = None, strings: str = "") -> bytes:
    """A minimal .xlsx built with zipfile: one sheet ``infrastructures`` with ``rows`` XML."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">{dim}'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )
    sst = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">{strings}</sst>'
    parts = {
        "[Content_Types].xml": XLSX_TYPES,
        "_rels/.rels": XLSX_RELS,
        "xl/workbook.xml": XLSX_BOOK,
        "xl/_rels/workbook.xml.rels": XLSX_BOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": sst,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buf.getvalue()


HEAD_ROW = '<row r="1">' + inline("A1", "name@en") + inline("B1", "source_url") + "</row>"


def data_row(number: int, name: str = "Fictional Lab") -> str:
    return (
        f'<row r="{number}">'
        + inline(f"A{number}", name)
        + inline(f"B{number}", "https://example.org/fictional-lab")
        + "</row>"
    )


# ---- 1. characters XML 1.0 forbids --------------------------------------------------------
@pytest.mark.parametrize("name", sorted(FORBIDDEN))
def test_forbidden_character_in_csv_is_refused_at_its_cell(
    name: str, tmp_path: Path, store: list[str]
) -> None:
    file = tmp_path / f"ctl-{name}.csv"
    file.write_bytes(survey(f"Lab{FORBIDDEN[name]}name"))
    line = refused(store, str(file))
    assert f"ctl-{name}.csv:2:1 (name@en): characters allowed in XML 1.0" in line
    assert f"U+{ord(FORBIDDEN[name]):04X} at character 4" in line


def test_forbidden_character_in_xlsx_cannot_pass(tmp_path: Path, store: list[str]) -> None:
    """A sheet can only carry one as a character reference, which is not well-formed XML."""
    file = tmp_path / "ctl.xlsx"
    file.write_bytes(workbook(HEAD_ROW + data_row(2, "Lab&#x1B;name")))
    line = refused(store, str(file))
    assert "ctl.xlsx:infrastructures: well-formed XML in xl/worksheets/sheet1.xml" in line


def test_ooxml_escape_stays_plain_text(tmp_path: Path) -> None:
    """openpyxl does not decode ``_x001B_``: it is ordinary text, loaded as written."""
    tables = read_xlsx(Path("esc.xlsx"), workbook(HEAD_ROW + data_row(2, "Lab_x001B_name")))
    assert tables["infrastructures"].rows[0].text("name@en") == "Lab_x001B_name"


@pytest.mark.parametrize("escape", ["\\u0000", "\\u001b", "\\u000b", "\\ud800", "\\uffff"])
def test_forbidden_character_in_json_export_names_the_member(
    escape: str, tmp_path: Path, store: list[str]
) -> None:
    file = tmp_path / "ctl.json"
    record = '{"name": {"en": "Lab' + escape + 'name"}, "source_url": ["https://example.org/l"]}'
    file.write_text('{"format": "riikg-export/1", "infrastructures": [' + record + "]}")
    line = refused(store, str(file))
    assert "ctl.json (/infrastructures/0/name): characters allowed in XML 1.0" in line


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".nt", f'<http://localhost:8080/id/x> <{LABEL}> "a\\u0000b" .\n'),
        (".nt", f'<http://localhost:8080/id/x> <{LABEL}> "a\\u001Bb"@en .\n'),
        (".ttl", f'<http://localhost:8080/id/x> <{LABEL}> "a\x01b" .\n'),
        (".ttl", f'<http://localhost:8080/id/x> <{LABEL}> """a\x0bb""" .\n'),
        (".jsonld", json.dumps({"@id": "http://localhost:8080/id/x", LABEL: "a\x1fb"})),
    ],
)
def test_forbidden_character_in_rdf_names_file_and_triple(
    suffix: str, text: str, tmp_path: Path, store: list[str]
) -> None:
    file = tmp_path / f"ctl{suffix}"
    file.write_text(text, encoding="utf-8")
    line = refused(store, str(file))
    assert line.startswith(f"Error: ctl{suffix}: characters allowed in XML 1.0")
    assert f"triple <http://localhost:8080/id/x> <{LABEL}>" in line


def test_validate_command_refuses_them_too(tmp_path: Path) -> None:
    file = tmp_path / "ctl.csv"
    file.write_bytes(survey("Lab\x00name"))
    result = CliRunner().invoke(cli, ["--store", "memory", "validate", str(file)])
    assert result.exit_code == 2, result.output
    assert "ctl.csv:2:1 (name@en): characters allowed in XML 1.0" in result.output


def test_manifest_title_with_a_control_character_is_refused(
    tmp_path: Path, store: list[str]
) -> None:
    (tmp_path / "fine.ttl").write_text(f'<http://localhost:8080/id/f> <{LABEL}> "Fine" .\n')
    manifest = tmp_path / "m.toml"
    manifest.write_text(
        '[[source]]\nid = "fine"\nloader = "rdf_file"\nfiles = ["fine.ttl"]\n'
        'title = "Fictional \\u001b title"\n'
    )
    line = refused(store, "--manifest", str(manifest))
    assert "source 'fine': characters allowed in XML 1.0" in line


@given(st.text(min_size=1, max_size=40))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_rule_matches_the_xml_char_production(text: str) -> None:
    def allowed(ch: str) -> bool:
        code = ord(ch)
        return (
            code in (0x9, 0xA, 0xD)
            or 0x20 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF
        )

    assert (xml_char_problem(text) is None) == all(allowed(ch) for ch in text)


@given(
    prefix=st.text(st.characters(min_codepoint=0x41, max_codepoint=0x5A), min_size=1, max_size=10),
    bad=st.sampled_from(sorted(set(map(chr, range(0x20))) - {"\t", "\n", "\r"})),
)
@settings(max_examples=60, deadline=None)
def test_loaded_csv_cell_with_any_c0_control_is_refused(prefix: str, bad: str) -> None:
    """(Leading and trailing ones that ``str.strip`` removes never reach the store.)"""
    from loaders.tables import Columns, read_csv_table

    data = f'name@en\n"{prefix}{bad}x"\n'.encode()
    with pytest.raises(LoadError) as info:
        read_csv_table(Path("p.csv"), Columns(["name"], [], ["name"]), data=data)
    assert f"at character {len(prefix) + 1}" in str(info.value)


# ---- 2. spreadsheet padding bombs ---------------------------------------------------------
BOMBS = {
    "dimension": (
        lambda: workbook(HEAD_ROW + data_row(1_048_576), dimension="A1:SR1048576"),
        r"infrastructures: a sheet of at most 100000 rows \(it declares 1048576\)",
    ),
    "last-row": (
        lambda: workbook(HEAD_ROW + data_row(1_048_576), dimension="A1:B2"),
        r"infrastructures:1048576: a sheet of at most 100000 rows",
    ),
    "last-row-no-dimension": (
        lambda: workbook(HEAD_ROW + f'<row r="1048576">{inline("B1048576", "x")}</row>'),
        r"infrastructures:1048576: a sheet of at most 100000 rows",
    ),
    "column-xfd": (
        lambda: workbook(HEAD_ROW + f'<row r="2">{inline("XFD2", "x")}</row>'),
        r"infrastructures:2:16384: a sheet of at most 512 columns",
    ),
    "declared-xfd": (
        lambda: workbook(HEAD_ROW, dimension="A1:XFD2"),
        r"at most 512 columns \(it declares 16384\)",
    ),
    "declared-area": (
        lambda: workbook(HEAD_ROW, dimension="A1:SR99999"),
        r"at most 1000000 cells \(it declares 99999 rows x 512 columns\)",
    ),
    "used-area": (
        lambda: workbook(
            HEAD_ROW
            + f'<row r="99999">{inline("A99999", "x")}</row>'
            + f'<row r="99999">{inline("SR99999", "x")}</row>'
        ),
        r"infrastructures:99999:512: a sheet of at most 1000000 cells",
    ),
    "empty-rows": (
        lambda: workbook(HEAD_ROW + "".join(f'<row r="{n}"/>' for n in range(2, 200_000))),
        r"infrastructures:100001: a sheet of at most 100000 rows",
    ),
    "rows-without-numbers": (
        lambda: workbook(HEAD_ROW + "<row/>" * 120_000),
        r"infrastructures:100001: a sheet of at most 100000 rows",
    ),
    "shared-strings": (
        lambda: workbook(
            HEAD_ROW + data_row(2),
            strings="".join(f"<si><t>s{i}</t></si>" for i in range(400_000)),
        ),
        r"a shared-strings table of at most 100000 entries",
    ),
}


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_spreadsheet_bomb_is_refused_in_milliseconds(kind: str, tmp_path: Path) -> None:
    build, message = BOMBS[kind]
    data = build()
    file = tmp_path / f"{kind}.xlsx"
    file.write_bytes(data)
    read_xlsx(Path("warm.xlsx"), workbook(HEAD_ROW + data_row(2)))  # openpyxl imported
    started = time.monotonic()
    with pytest.raises(LoadError, match=message):
        read_xlsx(file)
    seconds = time.monotonic() - started
    assert seconds < 1.0, f"{kind}: refused after {seconds:.2f} s"


#: a part of a valid workbook edited: (part, text, replacement, the refusal)
EDITED_PARTS = {
    "shared-strings-count": (
        "xl/sharedStrings.xml",
        b"<sst ",
        b'<sst uniqueCount="9000000" ',
        r"at most 100000 entries \(it declares 9000000\)",
    ),
    "doctype-in-a-sheet": (
        "xl/worksheets/sheet1.xml",
        b"?>",
        b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>',
        "without DTD",
    ),
}


@pytest.mark.parametrize("case", sorted(EDITED_PARTS))
def test_edited_workbook_part_is_refused_before_openpyxl_reads_it(case: str) -> None:
    """A declared shared-strings count over the limit, or a DTD in a sheet."""
    member, old, new, message = EDITED_PARTS[case]
    buf = io.BytesIO()
    data = workbook(HEAD_ROW + data_row(2))
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            body = src.read(info.filename)
            out.writestr(
                info.filename, body.replace(old, new, 1) if info.filename == member else body
            )
    with pytest.raises(LoadError, match=message):
        read_xlsx(Path(f"{case}.xlsx"), buf.getvalue())


def test_padding_bomb_through_the_cli(tmp_path: Path, store: list[str]) -> None:
    file = tmp_path / "pad.xlsx"
    file.write_bytes(workbook(HEAD_ROW + data_row(1_048_576), dimension="A1:SR1048576"))
    started = time.monotonic()
    line = refused(store, str(file))
    assert time.monotonic() - started < 5
    assert "pad.xlsx:infrastructures: a sheet of at most 100000 rows" in line


def test_sparse_but_legal_workbook_still_loads(tmp_path: Path) -> None:
    """Gaps between rows and a generous dimension within the limits are fine."""
    data = workbook(HEAD_ROW + data_row(2) + data_row(5000), dimension="A1:Z5000")
    tables = read_xlsx(Path("sparse.xlsx"), data)
    assert [r.where.row for r in tables["infrastructures"].rows] == [2, 5000]


# ---- 3. numbers, nesting, encodings -------------------------------------------------------
def test_json_export_with_a_5000_digit_number(tmp_path: Path, store: list[str]) -> None:
    file = tmp_path / "digits.json"
    file.write_text(
        '{"format": "riikg-export/1",\n "infrastructures": [{"lat": ' + "9" * 5000 + "}]}"
    )
    line = refused(store, str(file))
    assert "digits.json:2:30: a number of at most 100 digits (it has 5000)" in line


@pytest.mark.parametrize("number", ["9" * 5000, "-" + "1" * 4301, "1" * 101])
def test_jsonld_with_a_huge_integer(number: str, tmp_path: Path, store: list[str]) -> None:
    file = tmp_path / "digits.jsonld"
    file.write_text('{"@id": "http://localhost:8080/id/n", "http://example.org/p": ' + number + "}")
    line = refused(store, str(file))
    assert "digits.jsonld:1:" in line
    assert "a number of at most 100 digits" in line


def test_deeply_nested_json_is_refused(tmp_path: Path, store: list[str]) -> None:
    file = tmp_path / "deep.json"
    file.write_text("[" * 100_000 + "]" * 100_000)
    line = refused(store, str(file))
    assert "deep.json: JSON nested less deeply" in line


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("latin1.csv", HEADER.encode() + b"M\xfcnchen Lab,https://example.org/m\n", ":2:2: UTF-8"),
        ("nul.csv", HEADER.encode() + b"Lab\x00,https://example.org/m\n", ":2:1 (name@en)"),
        ("surrogate.csv", HEADER.encode() + b"\xed\xa0\x80,https://example.org/m\n", ":2:1: UTF-8"),
        ("bom-bad.csv", b"\xef\xbb\xbf" + survey("Lab\x1b"), ":2:1 (name@en)"),
        ("lat.csv", b"name@en,source_url,lat,long\nLab,https://example.org/l,1e999999,2\n", "lat"),
    ],
)
def test_csv_encoding_and_number_problems(
    name: str, data: bytes, expected: str, tmp_path: Path, store: list[str]
) -> None:
    file = tmp_path / name
    file.write_bytes(data)
    line = refused(store, str(file))
    assert f"{name}{expected}" in line or (expected in line and name in line)


def test_xlsx_number_too_long_for_python_is_refused(tmp_path: Path, store: list[str]) -> None:
    row = f'<row r="2">{inline("A2", "Lab")}<c r="B2"><v>{"9" * 5000}</v></c></row>'
    file = tmp_path / "num.xlsx"
    file.write_bytes(workbook(HEAD_ROW + row))
    line = refused(store, str(file))
    assert "num.xlsx:infrastructures:2" in line


# ---- 3. ids, store paths, disk full, permissions ------------------------------------------
@pytest.mark.parametrize("sid", ["../../x", "/etc/passwd", "a/b", "UPPER", "-x", "x" * 65, ""])
def test_invalid_source_id_is_refused(sid: str, tmp_path: Path, store: list[str]) -> None:
    file = tmp_path / "fine.ttl"
    file.write_text(f'<http://localhost:8080/id/f> <{LABEL}> "Fine" .\n')
    line = refused(store, "--id", sid, str(file))
    assert line.startswith("Error: --id: a source id of 1 to 64 lower-case letters")


@pytest.mark.parametrize("kind", ["file-as-dir", "existing-file", "proc"])
def test_unusable_store_path_is_one_line(kind: str, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a store")
    path, reason = {
        "file-as-dir": (blocker / "store", "Not a directory"),
        "existing-file": (blocker, "File exists"),
        "proc": (Path("/proc/riikg-no-such/store"), "No such file or directory"),
    }[kind]
    result = CliRunner().invoke(cli, ["--store-path", str(path), "load", str(VOCAB)])
    assert result.exit_code == 2, result.output
    shown = "/proc/riikg-no-such" if kind == "proc" else str(path)  # the part that failed
    assert result.output == f"Error: {shown}: cannot open the store ({reason})\n"
    assert "Traceback" not in result.output


def test_permission_denied_on_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from riikg.store.oxigraph import OxigraphStore

    def denied(cls: object, base: str, root: Path) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(root))

    monkeypatch.setattr(OxigraphStore, "open_writer", classmethod(denied))
    store_path = tmp_path / "store"
    result = CliRunner().invoke(cli, ["--store-path", str(store_path), "load", str(VOCAB)])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        f"Error: {store_path}: cannot open the store (Permission denied)"
    )


def test_permission_denied_on_the_input(tmp_path: Path, store: list[str]) -> None:
    file = tmp_path / "secret.ttl"
    file.write_text(f'<http://localhost:8080/id/f> <{LABEL}> "Fine" .\n')
    if os.geteuid() == 0:  # root reads anything: refuse the read itself
        real = Path.read_bytes

        def read_bytes(self: Path) -> bytes:
            if self.name == "secret.ttl":
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real(self)

        mp = pytest.MonkeyPatch()
        mp.setattr(Path, "read_bytes", read_bytes)
        mp.setattr("riikg.sources.Source.sha256", lambda self: "0" * 64)
    else:
        file.chmod(0)
        mp = None
    try:
        line = refused(store, str(file))
    finally:
        if mp is not None:
            mp.undo()
    assert "secret.ttl: a readable file (Permission denied)" in line


@pytest.mark.parametrize("step", ["publish", "switch-current"])
def test_disk_full_during_the_write_keeps_the_previous_version(
    step: str, tmp_path: Path, store: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from riikg.store import oxigraph

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    if step == "publish":
        monkeypatch.setattr(oxigraph.OxigraphStore, "_publish", full)
    else:
        monkeypatch.setattr(oxigraph, "_write_atomically", full)
    current = (tmp_path / "store" / "CURRENT").read_text().strip()
    file = tmp_path / "more.ttl"
    file.write_text(f'<http://localhost:8080/id/m> <{LABEL}> "More" .\n')
    line = refused(store, str(file))
    assert line == (
        f"Error: {tmp_path / 'store'}: writing source 'more' failed (the disk is full); "
        f"nothing was published; the previous version ({current}) is still served"
    )
    assert (tmp_path / "store" / "CURRENT").read_text().strip() == current
    # the next writer (a new process: this one still holds the store's lock through the
    # failed write's traceback) restores master from the published snapshot and loads
    again = cli_subprocess(*store, "load", str(file))
    assert again.returncode == 0, again.stderr
    assert "more: loaded 1 triples" in again.stdout


def test_disk_full_on_a_real_tmpfs(tmp_path: Path) -> None:
    """A 3 MiB tmpfs (needs root and mount; the monkeypatched variants above run anywhere)."""
    mount = tmp_path / "fs"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
            capture_output=True,
            check=False,
        ).returncode
    ):
        pytest.skip("mounting a tmpfs needs root")
    try:
        store_path = mount / "store"
        first = cli_subprocess("--store-path", str(store_path), "load", str(VOCAB))
        assert first.returncode == 0, first.stderr
        current = (store_path / "CURRENT").read_text().strip()
        big = tmp_path / "big.nt"
        big.write_text(
            "".join(
                f'<http://localhost:8080/id/n{i}> <{LABEL}> "label {i}" .\n' for i in range(20000)
            )
        )
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        (mount / "filler").write_bytes(b"\0" * max(free - 100_000, 0))
        done = cli_subprocess("--store-path", str(store_path), "load", str(big))
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "No space left on device" in done.stderr or "disk is full" in done.stderr
        assert (store_path / "CURRENT").read_text().strip() == current
        (mount / "filler").unlink()
        stats = cli_subprocess("--store-path", str(store_path), "stats")
        assert stats.returncode == 0 and "/graph/source/status" in stats.stdout, stats.stdout
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_unexpected_error_is_one_line_unless_debugging(tmp_path: Path) -> None:
    """The safety net of ``main``: a bug still ends with exit 2 and one line."""
    script = (
        "import riikg.cli as c\n"
        "def boom(*a, **k):\n    raise RuntimeError('fictional bug\\nsecond line')\n"
        "c.load_settings = boom\nc.main()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIIKG_")}
    env["PYTHONPATH"] = str(ROOT)
    quiet = subprocess.run(
        [sys.executable, "-c", script, "stats"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert quiet.returncode == 2
    assert quiet.stderr.strip() == (
        "Error: unexpected RuntimeError: fictional bug second line (set RIIKG_DEBUG=1 to see where)"
    )
    loud = subprocess.run(
        [sys.executable, "-c", script, "stats"],
        capture_output=True,
        text=True,
        env={**env, "RIIKG_DEBUG": "1"},
        check=False,
    )
    assert "Traceback" in loud.stderr
