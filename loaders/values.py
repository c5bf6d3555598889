"""Values as people write them -> checked RDF terms: numbers, years, booleans, IRIs, e-mail
addresses, language tags, points and unique slugs.

Every check raises :class:`~riikg.errors.LoadError` at the place it is given (a
:class:`~riikg.errors.Location` or a short text) and shows at most :data:`SHOW` characters of
the bad value.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from riikg.errors import LoadError, Location

#: how many characters of a bad value an error message may show
SHOW = 60

_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def show(value: object) -> str:
    """A value shortened for an error message."""
    text = str(value)
    return repr(text if len(text) <= SHOW else text[:SHOW] + "…")


def is_lang_tag(lang: str) -> bool:
    """Whether ``lang`` is a BCP 47 language tag in the simple form riikg accepts."""
    return _LANG.match(lang) is not None


def lang_tag(lang: str, where: Location | str) -> str:
    """A BCP 47 language tag (simple form)."""
    if not is_lang_tag(lang):
        raise LoadError(where, f"a language tag such as en, it, nl-be (got {show(lang)})")
    return lang


def http_iri(value: str, where: Location | str, what: str = "an http(s) IRI") -> URIRef:
    """An ``http(s)`` IRI without characters that are illegal in IRIs."""
    text = value.strip()
    if not re.match(r"^https?://[^/\s]+", text, re.IGNORECASE) or _IRI_BAD.search(text):
        raise LoadError(where, f"{what} (got {show(value)})")
    return URIRef(text)


def any_iri(value: str, where: Location | str) -> URIRef:
    """An absolute IRI (http, https, urn, mailto…) without illegal characters."""
    text = value.strip()
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", text) or _IRI_BAD.search(text):
        raise LoadError(where, f"an absolute IRI (got {show(value)})")
    return URIRef(text)


def email_iri(value: str, where: Location | str) -> URIRef:
    """``mailto:`` IRI of an e-mail address."""
    text = value.strip().removeprefix("mailto:")
    if not _EMAIL.match(text) or _IRI_BAD.search(text):
        raise LoadError(where, f"an e-mail address (got {show(value)})")
    return URIRef("mailto:" + text)


def decimal_in(value: str, low: int, high: int, where: Location | str, what: str) -> Literal:
    """An ``xsd:decimal`` literal within ``[low, high]``."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or not low <= number <= high:
        raise LoadError(where, f"{what}: a number from {low} to {high} (got {show(value)})")
    # the canonical form (as the store writes it): "5.0" -> "5", "44.50" -> "44.5"
    return Literal(format(number.normalize(), "f"), datatype=XSD.decimal)


def point(
    lat: str, long: str, lat_at: Location | str, long_at: Location | str
) -> tuple[Literal, Literal]:
    """``(latitude, longitude)`` as ``xsd:decimal`` literals in degrees on the globe."""
    return (
        decimal_in(lat, -90, 90, lat_at, "latitude"),
        decimal_in(long, -180, 180, long_at, "longitude"),
    )


def year(value: str, where: Location | str, what: str) -> Literal:
    """An ``xsd:gYear`` literal from a four-digit year."""
    text = value.strip()
    if not re.fullmatch(r"\d{4}", text):
        raise LoadError(where, f"{what}: a four-digit year (got {show(value)})")
    return Literal(text, datatype=XSD.gYear)


def boolean(value: str, where: Location | str, what: str) -> Literal:
    """``xsd:boolean`` from yes/no/true/false/1/0."""
    text = value.strip().lower()
    if text in ("yes", "true", "1", "y"):
        return Literal(True)
    if text in ("no", "false", "0", "n"):
        return Literal(False)
    raise LoadError(where, f"{what}: yes or no (got {show(value)})")


def unique_slug(slug: str, used: set[str]) -> str:
    """``slug``, or ``slug-2``, ``slug-3``… if taken; the result is added to ``used``.

    >>> used = {"lab"}
    >>> unique_slug("lab", used), unique_slug("lab", used), unique_slug("fab", used)
    ('lab-2', 'lab-3', 'fab')
    """
    final, n = slug, 1
    while final in used:
        n += 1
        final = f"{slug}-{n}"
    used.add(final)
    return final
