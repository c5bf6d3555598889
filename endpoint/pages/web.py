"""Helpers shared by the page views: language choice, headers, schema.org, CSP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from flask import Response, jsonify, render_template, request
from jinja2 import Template

from endpoint.http.links import valid_lang
from endpoint.http.negotiate import alternates as documents
from endpoint.http.negotiate import rdf_offers
from endpoint.pages.describe import Description, Linker
from endpoint.pages.labels import lang_order
from endpoint.state import get_settings
from riikg.namespaces import NUTS_CODE

RI = "https://w3id.org/riikg/ontology/ResearchInfrastructure"
ORG = "http://www.w3.org/ns/org#Organization"
NUTS_REGION = "https://w3id.org/riikg/ontology/NUTSRegion"
CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"
SCHEME = "http://www.w3.org/2004/02/skos/core#ConceptScheme"
PRIORITY = "https://w3id.org/riikg/ontology/RIS3Priority"


def requested_lang() -> str:
    """``?lang=`` if valid, else the best ``Accept-Language`` entry, else ''."""
    lang = valid_lang(request.args.get("lang", "").strip())
    if lang:
        return lang
    best = request.accept_languages.best
    return valid_lang(best) if best and best != "*" else ""


def wanted_langs() -> tuple[str, ...]:
    """Label languages for this request, best first."""
    return lang_order(requested_lang())


def page_number() -> int:
    """The ``page`` parameter (1 when missing or not a number)."""
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


T = TypeVar("T")


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a list: how many in all, the page shown, the page count and its items."""

    total: int
    page: int
    pages: int
    items: Sequence[T]

    def numbers(self) -> dict[str, int]:
        """``total``, ``page`` and ``pages``, as templates and ``.json`` twins name them."""
        return {"total": self.total, "page": self.page, "pages": self.pages}


def paged(items: Sequence[T], size: int, requested: int | None = None) -> Paged[T]:
    """The requested page (default: the ``page`` parameter) of ``items``, clamped to the last."""
    pages = max(1, -(-len(items) // size))
    page = min(page_number() if requested is None else requested, pages)
    return Paged(len(items), page, pages, items[(page - 1) * size : page * size])


def render_html(template: str | list[str | Template], **ctx: Any) -> str:
    """Render an HTML template (templates get ``tiles``, the ``map_tile_url`` setting)."""
    return render_template(template, tiles=get_settings().map_tile_url, **ctx)


def render_page(template: str | list[str | Template], **ctx: Any) -> Response:
    """An HTML page response (:func:`render_html`)."""
    return Response(render_html(template, **ctx), mimetype="text/html")


def twin(data: Any) -> Response:
    """The ``.json`` twin of a view."""
    response = jsonify(data)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def link_json(link: Any) -> dict[str, Any]:
    return {"iri": link.iri, "label": link.label, "href": link.href}


def linker(base: str, langs: tuple[str, ...]) -> Linker:
    return Linker(base, request.script_root, langs)


def csp() -> str:
    """The Content-Security-Policy of every HTML page (no inline script may run)."""
    img = "'self' data:"
    tiles = get_settings().map_tile_url
    if tiles:
        origin = "/".join(tiles.split("/")[:3]).replace("{s}.", "*.")
        img += f" {origin}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {img}; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def add_security_headers(response: Response) -> Response:
    """CSP and friends on HTML; ``Vary: Accept-Language`` everywhere (labels follow it)."""
    response.vary.add("Accept-Language")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", csp())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def alternates(path: str) -> list[tuple[str, str, str]]:
    """``(url, media type, label)`` of every representation of a resource page."""
    offers = rdf_offers()
    return [(url, f.media_type, f.label) for url, f in documents(request.script_root, path, offers)]


def link_header(path: str) -> str:
    return ", ".join(
        f'<{url}>; rel="alternate"; type="{media}"' for url, media, _ in alternates(path)
    )


def outline_url(level: int = 0) -> str:
    """Where the map reads the NUTS outlines of one level."""
    return f"{request.script_root}/geo/nuts/{level}.geojson"


def sparql_link(query: str) -> str:
    return f"{request.script_root}/sparql?{urlencode({'query': query})}"


def schema_org(desc: Description, page_url: str) -> dict[str, Any]:
    """A schema.org description for search engines (embedded as a JSON-LD data block)."""
    if desc.has_type(RI):
        kind: Any = ["Place", "ResearchProject"]
    elif desc.has_type(ORG):
        kind = "Organization"
    elif desc.has_type(NUTS_REGION):
        kind = "AdministrativeArea"
    elif desc.has_type(CONCEPT):
        kind = "DefinedTerm"
    elif desc.has_type(SCHEME):
        kind = "DefinedTermSet"
    else:
        kind = "Thing"
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": kind,
        "@id": desc.iri,
        "name": desc.label,
        "url": page_url,
    }
    if desc.description:
        doc["description"] = desc.description
    if desc.point:
        doc["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": desc.point[0],
            "longitude": desc.point[1],
        }
    alternates_names = sorted(set(desc.labels.values()) - {desc.label})
    if alternates_names:
        doc["alternateName"] = alternates_names
    for prop in desc.properties:
        iri = prop.link.iri
        if iri == "https://w3id.org/riikg/ontology/region":
            doc["containedInPlace"] = [
                {"@type": "AdministrativeArea", "@id": v.link.iri, "name": v.link.label}
                for v in prop.values
                if v.link and v.link.iri.startswith(NUTS_CODE)
            ]
        elif iri == "http://xmlns.com/foaf/0.1/homepage":
            doc["sameAs"] = [v.text for v in prop.values if v.link]
        elif iri == "https://w3id.org/riikg/ontology/hostedBy":
            doc["parentOrganization"] = [
                {"@type": "Organization", "@id": v.link.iri, "name": v.link.label}
                for v in prop.values
                if v.link
            ]
    return doc
