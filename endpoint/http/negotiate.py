"""Content negotiation shared by every linked-data route.

Formats are chosen from an explicit extension / ``format`` parameter first, then the
``Accept`` header with q-values. ``None`` means nothing acceptable (answer 406).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from werkzeug.datastructures import MIMEAccept


class Representation(StrEnum):
    """Representations of a linked-data resource."""

    HTML = "html"
    TURTLE = "ttl"
    JSONLD = "jsonld"
    NTRIPLES = "nt"
    RDFXML = "rdf"
    JSON = "json"


@dataclass(frozen=True)
class FormatInfo:
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()


FORMATS: dict[Representation, FormatInfo] = {
    Representation.HTML: FormatInfo("text/html", "html", ("application/xhtml+xml",)),
    Representation.TURTLE: FormatInfo("text/turtle", "ttl", ("application/x-turtle",)),
    Representation.JSONLD: FormatInfo("application/ld+json", "jsonld"),
    Representation.NTRIPLES: FormatInfo("application/n-triples", "nt", ("text/plain",)),
    Representation.RDFXML: FormatInfo(
        "application/rdf+xml", "rdf", ("application/xml", "text/xml")
    ),
    Representation.JSON: FormatInfo("application/json", "json"),
}

#: what linked-data resources offer, in server preference order (first wins ties)
RDF_OFFERS = (
    Representation.HTML,
    Representation.TURTLE,
    Representation.JSONLD,
    Representation.NTRIPLES,
    Representation.RDFXML,
)


def by_extension(ext: str) -> Representation | None:
    """The representation for a URL extension or ``format`` value (``ttl``, ``turtle``…).

    >>> by_extension("ttl")
    <Representation.TURTLE: 'ttl'>
    >>> by_extension("text/turtle")
    <Representation.TURTLE: 'ttl'>
    """
    key = ext.lower().lstrip(".")
    for rep, info in FORMATS.items():
        if key in (rep.value, info.extension, info.media_type, *info.aliases):
            return rep
    return {
        "turtle": Representation.TURTLE,
        "json-ld": Representation.JSONLD,
        "ntriples": Representation.NTRIPLES,
        "n-triples": Representation.NTRIPLES,
        "xml": Representation.RDFXML,
        "rdfxml": Representation.RDFXML,
    }.get(key)


def _quality(accept: MIMEAccept, media: str) -> float:
    """RFC 9110 12.5.1: the most specific range matching ``media`` gives its quality."""
    main, _, sub = media.partition("/")
    best: tuple[int, float] | None = None
    for value, quality in accept:
        kind = value.split(";")[0].strip().lower()
        k_main, _, k_sub = kind.partition("/")
        if kind == media:
            rank = 3
        elif k_main == main and k_sub == "*":
            rank = 2
        elif kind in ("*/*", "*"):
            rank = 1
        else:
            continue
        if best is None or rank > best[0] or (rank == best[0] and quality > best[1]):
            best = (rank, quality)
    return best[1] if best else 0.0


def _refused(accept: MIMEAccept, info: FormatInfo) -> bool:
    """The client gave the offer's own media type q=0 and named none of its aliases."""
    explicit: dict[str, float] = {}
    for value, quality in accept:
        explicit.setdefault(value.split(";")[0].strip().lower(), quality)
    if explicit.get(info.media_type, 1) != 0:
        return False
    return not any(explicit.get(a, 0) > 0 for a in info.aliases)


def negotiate(
    accept: MIMEAccept, offers: tuple[Representation, ...] = RDF_OFFERS
) -> Representation | None:
    """Pick the best offer for an ``Accept`` header (q-values, wildcards, browser strings).

    A missing or empty ``Accept`` means ``*/*`` and gives the first offer. The quality of a
    media type is that of the most specific range matching it (so ``*/*, text/html;q=0``
    refuses HTML). Among offers with the same quality the server order decides, except
    that an exact type beats a wildcard.
    """
    if not accept:
        return offers[0]
    best: tuple[float, int, int, Representation] | None = None
    for order, rep in enumerate(offers):
        info = FORMATS[rep]
        if _refused(accept, info):
            continue
        for media in (info.media_type, *info.aliases):
            quality = _quality(accept, media)
            if quality <= 0:
                continue
            exact = 1 if any(v.split(";")[0].strip().lower() == media for v, _ in accept) else 0
            key = (quality, exact, -order, rep)
            if best is None or key[:3] > best[:3]:
                best = key
    return best[3] if best else None
