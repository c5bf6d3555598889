"""Content negotiation: the one engine of every route (pages, ``/sparql``, errors, catalogue,
ontology).

Offers are rows of :data:`riikg.formats.TABLE`, computed when a request comes (a row added to
the table is offered at once). A format is chosen from an explicit extension / ``format``
parameter first (:func:`named`), then from the ``Accept`` header with q-values
(:func:`negotiate`). ``None`` means nothing acceptable (answer 406, or 404 for an extension).
"""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.datastructures import MIMEAccept

from riikg import formats
from riikg.formats import Format, Kind


def rdf_offers() -> list[Format]:
    """What a linked-data resource offers: HTML, then every graph format (server order).

    >>> [f.key for f in rdf_offers()]
    ['html', 'ttl', 'jsonld', 'nt', 'rdf']
    """
    return [formats.HTML, *formats.of_kind(Kind.GRAPH)]


def graph_offers() -> list[Format]:
    """What an RDF graph answer offers: every graph format, then plain JSON (:func:`as_rdf`)."""
    return [*formats.of_kind(Kind.GRAPH), formats.JSON]


def as_rdf(fmt: Format) -> Format:
    """The RDF format that carries ``fmt``: plain ``application/json`` gets JSON-LD (it is JSON).

    >>> as_rdf(formats.JSON) is formats.JSONLD, as_rdf(formats.TURTLE) is formats.TURTLE
    (True, True)
    """
    return formats.JSONLD if fmt is formats.JSON else fmt


def named(word: str, offers: Sequence[Format]) -> Format | None:
    """The offer a URL extension, ``format=`` word or media type names (None: none of them).

    >>> named("turtle", rdf_offers()) is formats.TURTLE
    True
    >>> named("xml", formats.of_kind(Kind.RESULTS)) is formats.SPARQL_XML
    True
    >>> named("csv", rdf_offers()) is None
    True
    """
    return formats.by_word(word, among=offers)


def choose(word: str | None, accept: MIMEAccept, offers: Sequence[Format]) -> Format | None:
    """The offer a URL extension or ``format=`` word names when there is one (:func:`named`),
    else the best offer for the ``Accept`` header (:func:`negotiate`); None: nothing fits."""
    return named(word, offers) if word else negotiate(accept, offers)


def alternates(root: str, path: str, offers: Sequence[Format]) -> list[tuple[str, Format]]:
    """``(URL, format)`` of each document of the resource at ``path``: ``{path}.{extension}``.

    >>> [url for url, _ in alternates("/app", "/ontology", formats.of_kind(Kind.GRAPH))][:2]
    ['/app/ontology.ttl', '/app/ontology.jsonld']
    """
    return [(f"{root}{path}.{f.extension}", f) for f in offers]


def offered(offers: Sequence[Format]) -> str:
    """The media types of ``offers``, for a 406 message."""
    return ", ".join(f.media_type for f in offers)


def _range(value: str) -> str:
    return value.split(";")[0].strip().lower()


def _quality(accept: MIMEAccept, media: str) -> float:
    """RFC 9110 12.5.1: the most specific range matching ``media`` gives its quality."""
    main, _, _sub = media.partition("/")
    best: tuple[int, float] | None = None
    for value, quality in accept:
        kind = _range(value)
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


def _refused(explicit: dict[str, float], fmt: Format) -> bool:
    """The client gave the offer's own media type q=0 and named none of its aliases."""
    if explicit.get(fmt.media_type, 1) != 0:
        return False
    return not any(explicit.get(a, 0) > 0 for a in fmt.aliases)


def negotiate(accept: MIMEAccept, offers: Sequence[Format]) -> Format | None:
    """Pick the best offer for an ``Accept`` header (q-values, wildcards, browser strings).

    A missing or empty ``Accept`` means ``*/*`` and gives the first offer. The quality of a
    media type is that of the most specific range matching it (so ``*/*, text/html;q=0``
    refuses HTML). Among offers with the same quality an exact type beats a wildcard, the
    offer's own media type beats an alias it also answers to (``text/*`` gets CSV, not
    SPARQL XML for ``text/xml``), and then the server order decides.

    >>> from werkzeug.http import parse_accept_header as parse
    >>> negotiate(parse("*/*, text/html;q=0", MIMEAccept), rdf_offers()) is formats.TURTLE
    True
    >>> negotiate(parse("image/png", MIMEAccept), rdf_offers()) is None
    True
    """
    if not offers:
        return None
    if not accept:
        return offers[0]
    explicit: dict[str, float] = {}
    for value, quality in accept:
        explicit.setdefault(_range(value), quality)
    best: tuple[float, int, int, int] | None = None
    chosen: Format | None = None
    for order, fmt in enumerate(offers):
        if _refused(explicit, fmt):
            continue
        for index, media in enumerate((fmt.media_type, *fmt.aliases)):
            quality = _quality(accept, media)
            if quality <= 0:
                continue
            key = (quality, 1 if media in explicit else 0, 1 if index == 0 else 0, -order)
            if best is None or key > best:
                best, chosen = key, fmt
    return chosen
