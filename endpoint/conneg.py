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


def negotiate(
    accept: MIMEAccept, offers: tuple[Representation, ...] = RDF_OFFERS
) -> Representation | None:
    """Pick the best offer for an ``Accept`` header (q-values, wildcards, browser strings).

    A missing or empty ``Accept`` means ``*/*`` and gives the first offer. Among offers with
    the same quality the server order decides, except that an exact type beats a wildcard.
    """
    if not accept:
        return offers[0]
    best: tuple[float, int, int, Representation] | None = None
    for order, rep in enumerate(offers):
        info = FORMATS[rep]
        for media in (info.media_type, *info.aliases):
            quality = accept.quality(media)
            if quality <= 0:
                continue
            exact = 1 if any(v == media for v, _ in accept) else 0
            key = (quality, exact, -order, rep)
            if best is None or key[:3] > best[:3]:
                best = key
    return best[3] if best else None
