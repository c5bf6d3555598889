"""Property-based tests (hypothesis, bounded): content negotiation, slugs, the survey loader.

Each property runs a bounded number of examples so the file finishes in seconds.
"""

from __future__ import annotations

import io
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from endpoint.http.negotiate import negotiate, rdf_offers
from riikg import formats
from riikg.errors import LoadError
from riikg.formats import Format
from riikg.namespaces import MAX_SLUG, slugify

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MEDIA_TYPES = sorted(
    {f.media_type for f in formats.TABLE}
    | {a for f in formats.TABLE for a in f.aliases}
    | {"image/png", "application/json", "text/*", "application/*", "*/*"}
)
QUALITIES = st.sampled_from(["", ";q=0", ";q=0.0", ";q=0.1", ";q=0.5", ";q=0.9", ";q=1", ";q=1.0"])


@st.composite
def accept_headers(draw: st.DrawFn) -> str:
    """Realistic Accept headers: known and wildcard ranges with random q-values."""
    ranges = draw(st.lists(st.sampled_from(MEDIA_TYPES), min_size=1, max_size=6, unique=True))
    return ", ".join(r + draw(QUALITIES) for r in ranges)


def rfc_quality(header: MIMEAccept, media: str) -> float:
    """Quality of ``media`` by RFC 9110 12.5.1: the most specific matching range decides."""
    kind, _, sub = media.partition("/")
    best: tuple[int, float] | None = None
    for value, quality in header:
        rkind, _, rsub = value.split(";")[0].strip().lower().partition("/")
        if (rkind, rsub) == (kind, sub):
            spec = 3
        elif rkind == kind and rsub == "*":
            spec = 2
        elif (rkind, rsub) == ("*", "*"):
            spec = 1
        else:
            continue
        if best is None or spec > best[0]:
            best = (spec, float(quality))
    return best[1] if best else 0.0


def acceptable(header: MIMEAccept, info: Format) -> bool:
    return any(rfc_quality(header, m) > 0 for m in (info.media_type, *info.aliases))


def refused(header: MIMEAccept, info: Format) -> bool:
    """The client gave the offer's own media type q=0 and named no alias of it explicitly."""
    explicit = {v.split(";")[0].strip().lower(): q for v, q in header}
    if explicit.get(info.media_type, 1) != 0:
        return False
    return not any(explicit.get(a, 0) > 0 for a in info.aliases)


@FAST
@given(st.text(alphabet=string.printable + "äé\u2028\x00", max_size=200))
def test_negotiate_never_raises_on_any_header(raw: str) -> None:
    result = negotiate(parse_accept_header(raw, MIMEAccept), rdf_offers())
    assert result is None or result in rdf_offers()


@FAST
@given(accept_headers())
def test_negotiate_picks_an_acceptable_offer_when_one_exists(raw: str) -> None:
    header = parse_accept_header(raw, MIMEAccept)
    result = negotiate(header, rdf_offers())
    if any(acceptable(header, rep) for rep in rdf_offers()):
        assert result is not None, f"Accept: {raw} -> nothing, though an offer is acceptable"
        assert acceptable(header, result), f"Accept: {raw} -> {result}, which it does not accept"


@FAST
@given(accept_headers())
def test_negotiate_is_deterministic(raw: str) -> None:
    header = parse_accept_header(raw, MIMEAccept)
    again = parse_accept_header(raw, MIMEAccept)
    assert negotiate(header, rdf_offers()) == negotiate(again, rdf_offers())


SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NAMES = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=300
)


@FAST
@given(NAMES)
def test_slugify_shape(name: str) -> None:
    slug = slugify(name)
    assert SLUG.match(slug), slug
    assert len(slug) <= MAX_SLUG


@FAST
@given(NAMES)
def test_slugify_idempotent_and_stable(name: str) -> None:
    slug = slugify(name)
    assert slugify(slug) == slug
    assert slugify(name) == slug  # no hidden state


@FAST
@given(st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=MAX_SLUG))
def test_slugify_keeps_simple_slugs(word: str) -> None:
    assert slugify(word) == word


@FAST
@given(NAMES, NAMES)
def test_slugify_ignores_case_and_punctuation_runs(a: str, b: str) -> None:
    assert slugify(f"{a} -- {b}") == slugify(f"{a.upper()}  ,;  {b.upper()}") or (
        # upper() may change length or letters (e.g. 'ß' -> 'SS'); then only the shape holds
        a.upper().lower() != a.lower() or b.upper().lower() != b.lower()
    )


@FAST
@given(accept_headers())
def test_negotiate_q0_excludes(raw: str) -> None:
    header = parse_accept_header(raw, MIMEAccept)
    result = negotiate(header, rdf_offers())
    if result is not None:
        assert not refused(header, result), f"Accept: {raw} -> {result}, which it gave q=0"


@pytest.mark.parametrize(
    ("raw", "forbidden"),
    [
        ("*/*, text/html;q=0", formats.HTML),
        ("text/html;q=0, */*;q=0.8", formats.HTML),
        ("application/n-triples;q=0, text/*", formats.NTRIPLES),
        ("text/turtle;q=0, text/*", formats.TURTLE),
    ],
)
def test_negotiate_q0_excludes_examples(raw: str, forbidden: Format) -> None:
    """Shrunk examples of the q=0 property (RFC 9110: a q=0 type is "not acceptable")."""
    assert negotiate(parse_accept_header(raw, MIMEAccept), rdf_offers()) is not forbidden


# ---- the spreadsheet (survey) loader: random cells never crash with anything but LoadError --


def _survey_loader(suffix: str):  # type: ignore[no-untyped-def]
    from loaders import LOADERS, loader_for_path

    try:
        return LOADERS[loader_for_path(Path("survey" + suffix))]
    except LoadError:
        pytest.fail(f"no loader is registered for {suffix} survey files (loaders engineer)")


CELLS = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.text(max_size=40),
    st.sampled_from(
        ["ITH55", "KET2009-MNE", "http://example.org/x", "javascript:alert(1)", "=1+1"]
    ),
)


def _header_strategy() -> st.SearchStrategy[list[str]]:
    try:
        from loaders import survey_columns  # type: ignore[attr-defined]

        known = list(survey_columns())
    except ImportError:
        known = []
    known += ["name", "acronym", "nuts3_code", "ket", "host", "lat", "long", "homepage", "junk"]
    return st.lists(st.sampled_from(known) | st.text(max_size=12), min_size=0, max_size=10)


def _run_loader(suffix: str, path: Path) -> None:
    from riikg.sources import Source, SourceGraph

    loader = _survey_loader(suffix)
    source = Source(id="fuzz", loader="survey", files=(path,))
    try:
        loader(source, SourceGraph(), base_iri="http://localhost:8080/")
    except LoadError:
        pass


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(header=_header_strategy(), rows=st.lists(st.lists(CELLS, max_size=10), max_size=6))
def test_survey_xlsx_random_cells_only_load_error(
    tmp_path_factory: pytest.TempPathFactory, header: list[str], rows: list[list[object]]
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", h) for h in header])
    for row in rows:
        ws.append([c if not isinstance(c, str) else ILLEGAL_CHARACTERS_RE.sub("", c) for c in row])
    path = tmp_path_factory.mktemp("xlsx") / "survey.xlsx"
    wb.save(path)
    _run_loader(".xlsx", path)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(header=_header_strategy(), rows=st.lists(st.lists(CELLS, max_size=10), max_size=6))
def test_survey_csv_random_cells_only_load_error(
    tmp_path_factory: pytest.TempPathFactory, header: list[str], rows: list[list[object]]
) -> None:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(["" if c is None else str(c) for c in row] for row in rows)
    path = tmp_path_factory.mktemp("csv") / "survey.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    _run_loader(".csv", path)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=400))
def test_survey_csv_random_bytes_only_load_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("csvb") / "survey.csv"
    path.write_bytes(data)
    _run_loader(".csv", path)
