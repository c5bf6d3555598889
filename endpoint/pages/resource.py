"""Blueprint ``resource``: dereferencing of every IRI riikg describes (content negotiation).

``/id/{kind}/{slug}``, ``/region/{NUTS}``, ``/vocab/{scheme}[/{code}]`` answer ``200`` with
HTML or RDF by ``Accept`` (or a ``.ttl``/``.jsonld``/``.nt``/``.rdf``/``.html`` extension, or
``?format=``), ``Vary``, ``Content-Location`` and ``Link`` alternates; 404 for unknown IRIs,
406 for unsupported types. Registered by :func:`endpoint.pages.routes.init_app`.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, request
from jinja2 import Template
from pyoxigraph import NamedNode, Triple
from rdflib.namespace import OWL

from endpoint.cache import memo
from endpoint.http.errors import ResourceNotFound, error_response
from endpoint.http.links import iri_of_path, is_linkable
from endpoint.http.negotiate import as_rdf, choose, graph_offers, offered, rdf_offers
from endpoint.http.serialise import context, serialize
from endpoint.pages.browse import facts, infrastructures_in, region_profile, region_tree
from endpoint.pages.describe import Description, describe
from endpoint.pages.facets import Facet, Selection
from endpoint.pages.queries import q
from endpoint.pages.web import (
    NUTS_REGION,
    ORG,
    PRIORITY,
    RI,
    add_security_headers,
    alternates,
    link_header,
    linker,
    page_number,
    render_html,
    requested_lang,
    schema_org,
    sparql_link,
    wanted_langs,
)
from endpoint.state import get_settings, get_store
from riikg import formats
from riikg.formats import Format
from riikg.namespaces import NUTS_CODE, VOCAB

bp = Blueprint("resource", __name__)
bp.after_request(add_security_headers)

FACET_SCHEMES = {
    "ket": Facet.KET,
    "access-mode": Facet.ACCESS,
    "infrastructure-type": Facet.TYPE,
}


def _split(name: str) -> tuple[str, str | None]:
    """``alfa-lab.ttl`` -> ``("alfa-lab", "ttl")``: the extension of an offered format."""
    stem, dot, ext = name.rpartition(".")
    if dot and ext in {f.extension for f in rdf_offers()}:
        return stem, ext
    return name, None


def _choose(ext: str | None) -> Format | None:
    explicit = ext or request.args.get("format", "")
    # plain ``application/json`` gets the JSON-LD document (it is JSON), after every RDF type
    rep = choose(explicit, request.accept_mimetypes, [formats.HTML, *graph_offers()])
    if rep is None and explicit:
        abort(404, f"no {explicit!r} representation")
    return rep


def _serve_resource(iri: str, path: str, ext: str | None) -> Response:
    rep = _choose(ext)
    if rep is None:
        response = error_response(406, "Not Acceptable", f"available: {offered(rdf_offers())}")
        response.headers["Vary"] = "Accept"
        return response
    if rep is formats.HTML:
        langs = wanted_langs()
        page = page_number()
        key = (iri, path, langs, request.args.get("in", ""), page, request.script_root)
        html = memo("resource-html", key, lambda: _resource_html(iri, path, langs, page), 1024)
        if html is None:
            raise ResourceNotFound(f"nothing is known about {iri}")
        response = Response(html, mimetype="text/html")
    else:
        rdf = as_rdf(rep)
        body = memo("resource-rdf", (iri, path, rdf), lambda: _resource_rdf(iri, path, rdf), 1024)
        if body is None:
            raise ResourceNotFound(f"nothing is known about {iri}")
        # plain JSON keeps its own media type; the document (Content-Location) is the JSON-LD
        response = Response(body, content_type=rep.content_type)
        rep = rdf
    ext_used = rep.extension
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Content-Location"] = f"{request.script_root}{path}.{ext_used}"
    response.headers["Link"] = link_header(path)
    return response


def _resource_html(iri: str, path: str, langs: tuple[str, ...], page: int) -> str | None:
    """The HTML page of a resource (None if nothing is known about it)."""
    store = get_store()
    desc = describe(
        store, iri, linker(store.base, langs), incoming_key=request.args.get("in", ""), page=page
    )
    if desc is None:
        return None
    return render_html(_templates(desc), **_resource_context(desc, path, langs))


def _resource_rdf(iri: str, path: str, rep: Format) -> bytes | None:
    """An RDF representation of a resource (None if nothing is known about it)."""
    store = get_store()
    subject = NamedNode(iri)
    if not store.ask("ASK { ?s ?p ?o }", s=subject):
        return None
    triples = store.construct(q("resource_rdf"), s=subject)
    triples.extend(_same_as(iri, path))
    return serialize(triples, rep)


def _same_as(iri: str, path: str) -> list[Triple]:
    """``<{base}region/X> owl:sameAs <nuts:X>``: our page's IRI for an external resource."""
    local = get_settings().base_iri + path.lstrip("/")
    if local == iri or not iri.startswith(NUTS_CODE):
        return []
    return [Triple(NamedNode(local), NamedNode(str(OWL.sameAs)), NamedNode(iri))]


def _templates(desc: Description) -> list[str | Template]:
    names: list[str | Template] = []
    for t in desc.types:
        local = t.iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        if local.isalnum():
            names.append(f"pages/resource-{local}.html")
    return [*names, "pages/resource.html"]


def _resource_context(desc: Description, path: str, langs: tuple[str, ...]) -> dict[str, Any]:
    store = get_store()
    ctx: dict[str, Any] = {
        "d": desc,
        "path": path,
        "alternates": alternates(path),
        "sparql_href": sparql_link(desc.query),
        "schema": schema_org(desc, get_settings().base_iri + path.lstrip("/")),
        "canonical": get_settings().base_iri + path.lstrip("/"),
        "same_as": [desc.iri] if _same_as(desc.iri, path) and is_linkable(desc.iri) else [],
        "requested_lang": requested_lang(),
    }
    facet: tuple[Facet, str] | None = None
    if desc.iri.startswith(VOCAB):
        parts = desc.iri[len(VOCAB) :].split("/")
        if len(parts) == 2 and parts[0] in FACET_SCHEMES:
            facet = (FACET_SCHEMES[parts[0]], parts[1])
    elif desc.has_type(PRIORITY):
        facet = (Facet.PRIORITY, desc.iri.rsplit("/", 1)[-1])
    elif desc.has_type(ORG):
        facet = (Facet.HOST, desc.iri.rsplit("/", 1)[-1])
    elif desc.has_type(NUTS_REGION) and desc.iri.startswith(NUTS_CODE):
        code = desc.iri[len(NUTS_CODE) :]
        facet = (Facet.REGION, code)
        tree = region_tree()
        region = tree.by_code(code)
        ctx["region"] = region
        ctx["ancestors"] = list(reversed(tree.ancestors(desc.iri)))
        region_linker = linker(store.base, langs)
        ctx["children"] = [
            (region_linker.link(c.iri), c.total) for c in (region.children if region else [])
        ]
        ctx["profile"] = memo(
            "region-profile",
            (code, langs, request.script_root),
            lambda: region_profile(store, code, linker(store.base, langs)),
        )
        ctx["points_url"] = f"{request.script_root}/infrastructures.geojson?region={code}"
        if region is not None:
            level = min(region.level + 1, 3) if region.children else region.level
            ctx["outline_url"] = (
                f"{request.script_root}/geo/nuts/{level}.geojson?country={region.country}"
            )
    if facet is not None:
        selection = Selection(((facet[0], (facet[1],)),))
        if facet[0] is Facet.REGION:
            ctx["facet_count"] = len(infrastructures_in(facet[1]))
        else:
            ctx["facet_count"] = len(facts().linked(desc.iri))
        ctx["facet_href"] = f"{request.script_root}/infrastructures?{selection.query_string()}"
    if desc.has_type(RI) and desc.point:
        countries = {
            r.country
            for prop in desc.properties
            if prop.link.iri == "https://w3id.org/riikg/ontology/region"
            for v in prop.values
            if v.link and (r := region_tree().regions.get(v.link.iri)) is not None
        }
        if len(countries) == 1:
            ctx["outline_url"] = (
                f"{request.script_root}/geo/nuts/2.geojson?country={countries.pop()}"
            )
    return ctx


@bp.get("/id/<kind>/<name>")
def resource(kind: str, name: str) -> Response:
    stem, ext = _split(name)
    path = f"/id/{kind}/{stem}"
    return _serve_path(path, ext, f"no resource at {path}")


@bp.get("/region/<name>")
def region(name: str) -> Response:
    stem, ext = _split(name)
    return _serve_path(f"/region/{stem}", ext, f"{stem!r} is not a NUTS code")


@bp.get("/vocab/<scheme>")
@bp.get("/vocab/<scheme>/<name>")
def vocab(scheme: str, name: str | None = None) -> Response:
    if name is None:
        scheme, ext = _split(scheme)
        path = f"/vocab/{scheme}"
    else:
        name, ext = _split(name)
        path = f"/vocab/{scheme}/{name}"
    return _serve_path(path, ext, f"no vocabulary term at {path}")


def _serve_path(path: str, ext: str | None, missing: str) -> Response:
    """Serve the resource a local path stands for, or 404 with ``missing``."""
    iri = iri_of_path(path, get_store().base)
    if iri is None:
        raise ResourceNotFound(missing)
    return _serve_resource(iri, path, ext)


@bp.get("/context.jsonld")
def jsonld_context() -> Response:
    response = Response(json.dumps(context(), indent=1), content_type="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
