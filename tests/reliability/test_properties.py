"""Property-based tests (hypothesis, bounded): content negotiation, slugs, the survey loader.

Each property runs a bounded number of examples so the file finishes in seconds.
"""

from __future__ import annotations

import re
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from endpoint.conneg import FORMATS, RDF_OFFERS, Representation, negotiate
from riikg.namespaces import MAX_SLUG, slugify

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MEDIA_TYPES = sorted(
    {info.media_type for info in FORMATS.values()}
    | {a for info in FORMATS.values() for a in info.aliases}
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


def acceptable(header: MIMEAccept, rep: Representation) -> bool:
    info = FORMATS[rep]
    return any(rfc_quality(header, m) > 0 for m in (info.media_type, *info.aliases))


def refused(header: MIMEAccept, rep: Representation) -> bool:
    """The client gave the offer's own media type q=0 and named no alias of it explicitly."""
    info = FORMATS[rep]
    explicit = {v.split(";")[0].strip().lower(): q for v, q in header}
    if explicit.get(info.media_type, 1) != 0:
        return False
    return not any(explicit.get(a, 0) > 0 for a in info.aliases)


@FAST
@given(st.text(alphabet=string.printable + "äé\u2028\x00", max_size=200))
def test_negotiate_never_raises_on_any_header(raw: str) -> None:
    result = negotiate(parse_accept_header(raw, MIMEAccept))
    assert result is None or result in RDF_OFFERS


@FAST
@given(accept_headers())
def test_negotiate_picks_an_acceptable_offer_when_one_exists(raw: str) -> None:
    header = parse_accept_header(raw, MIMEAccept)
    result = negotiate(header)
    if any(acceptable(header, rep) for rep in RDF_OFFERS):
        assert result is not None, f"Accept: {raw} -> nothing, though an offer is acceptable"
        assert acceptable(header, result), f"Accept: {raw} -> {result}, which it does not accept"


@FAST
@given(accept_headers())
def test_negotiate_is_deterministic(raw: str) -> None:
    header = parse_accept_header(raw, MIMEAccept)
    assert negotiate(header) == negotiate(parse_accept_header(raw, MIMEAccept))


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
