"""Blueprint: what harvesters read (routes only; the logic lives in the other ``catalog`` modules).

``/catalog`` (DCAT-AP 3, Hydra paging), ``/graph/{source,meta,report}/<id>``, ``/oai``
(OAI-PMH 2.0), ``/.well-known/void``, ``/dumps/...``, ``/sitemap.xml``, ``/robots.txt``.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, date, datetime
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    render_template,
    request,
    send_file,
)
from rdflib import Graph, URIRef
from werkzeug.datastructures import MultiDict

from endpoint.cache import data_version as version_key
from endpoint.cache import per_version as cached
from endpoint.catalog.data import SourceRecord, parse_datetime, records
from endpoint.catalog.dcat import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    catalog_graph,
    dataset_graph,
    items,
    page_url,
    paginate,
)
from endpoint.catalog.dumps import DumpSet, load_or_build
from endpoint.catalog.oai import Repository
from endpoint.catalog.oai_records import build_records
from endpoint.catalog.sitemap import entries, index, page_count, robots, urlset
from endpoint.catalog.void import void_graph
from endpoint.http import negotiate, urls
from endpoint.http.errors import ResourceNotFound
from endpoint.http.negotiate import alternates, rdf_offers
from endpoint.state import get_settings, get_store
from riikg import formats
from riikg.formats import Format, Kind
from riikg.namespaces import PREFIXES, SPDX, meta_graph, report_graph
from riikg.store import RdfFormat

bp = Blueprint("catalog", __name__)


def void_offers() -> list[Format]:
    """VoID is for machines first: Turtle unless HTML is asked for explicitly."""
    return [*formats.of_kind(Kind.GRAPH), formats.HTML]


# ---- helpers --------------------------------------------------------------------------------
def dumps() -> DumpSet:
    settings = get_settings()
    return cached("dumps", lambda store: load_or_build(store, settings))


def choose(ext: str | None, offers: list[Format] | None = None) -> Format:
    """The representation from a URL suffix, else from ``Accept`` (406 when none fits);
    ``offers`` defaults to HTML and every graph format."""
    offers = rdf_offers() if offers is None else offers
    rep = negotiate.choose(ext, request.accept_mimetypes, offers)
    if rep is None:
        abort(404 if ext else 406)
    return rep


def rdf_response(graph: Graph, rep: Format) -> Response:
    if rep is formats.JSONLD:  # compact, with an inline context (never fetched)
        context = {**PREFIXES, "spdx": str(SPDX)}
        body = graph.serialize(format=rep.rdflib_name, context=context, encoding="utf-8")
    else:
        body = graph.serialize(format=rep.rdflib_name, encoding="utf-8")
    response = Response(body, mimetype=rep.media_type)
    response.vary.add("Accept")
    return response


def triple_rows(graph: Graph) -> list[dict[str, Any]]:
    """Rows for the HTML triple tables; only http(s) IRIs become links (F-2)."""

    def cell(term: Any) -> dict[str, str]:
        text = str(term)
        link = isinstance(term, URIRef) and text.startswith(("http://", "https://"))
        return {"text": text, "href": text if link else ""}

    return [
        {"s": cell(s), "p": cell(p), "o": cell(o)}
        for s, p, o in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    ]


def html(template: str, **context: Any) -> Response:
    response = Response(render_template(template, **context), mimetype="text/html")
    response.vary.add("Accept")
    return response


def source_record(source_id: str) -> SourceRecord:
    for record in records():
        if record.id == source_id:
            return record
    raise ResourceNotFound(f"no loaded source has the id '{source_id[:80]}'")


def split_name(name: str) -> tuple[str, str | None]:
    stem, dot, ext = name.partition(".")
    return stem, (ext if dot else None)


def parse_since(value: str) -> datetime:
    """``modified_since``: an ISO 8601 date or date-time (400 with a message otherwise)."""
    value = value.strip().replace(" ", "+")  # an unencoded '+01:00' arrives as ' 01:00'
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        return parse_datetime(value)
    except ValueError:
        abort(400, f"modified_since must be an ISO 8601 date or date-time, got '{value[:40]}'")


def int_arg(name: str, default: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        abort(400, f"{name} must be an integer from 1 to {maximum}")
    return int(raw)


# ---- catalogue ------------------------------------------------------------------------------
@bp.get("/catalog")
@bp.get("/catalog.<ext>")
def catalog(ext: str | None = None) -> Response:
    rep = choose(ext)
    settings = get_settings()
    since_text = request.args.get("modified_since", "")
    since = parse_since(since_text) if since_text else None
    number = int_arg("page", 1, 10**9)
    size = int_arg("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    all_records = records()
    page = paginate(items(all_records, since), number, size, since_text)
    if number > page.last:
        abort(404, f"the catalogue has {page.last} page(s)")
    graph = catalog_graph(settings, page, dumps(), all_records)
    if rep is not formats.HTML:
        return rdf_response(graph, rep)
    files = dumps().files
    return html(
        "catalog/catalog.html",
        formats=_alternates("/catalog"),
        page=page,
        files=files,
        settings=settings,
        first=page_url(settings, page, 1),
        last=page_url(settings, page, page.last),
        previous=page_url(settings, page, number - 1) if number > 1 else "",
        following=page_url(settings, page, number + 1) if number < page.last else "",
        dataset_iri=urls.dataset_iri(settings),
        sparql=urls.sparql_endpoint(settings),
    )


# ---- graph IRIs -----------------------------------------------------------------------------
@bp.get("/graph/source/<name>")
def source_description(name: str) -> Response:
    source_id, ext = split_name(name)
    rep = choose(ext)
    settings = get_settings()
    record = source_record(source_id)
    graph = dataset_graph(settings, record, dumps(), records())
    if rep is not formats.HTML:
        return rdf_response(graph, rep)
    return html(
        "catalog/graph.html",
        title=record.title,
        kind="Source dataset",
        iri=record.graph,
        record=record,
        rows=triple_rows(graph),
        formats=_alternates(f"/graph/source/{source_id}"),
        links={
            "Provenance record": f"{request.script_root}/graph/meta/{source_id}",
            "Validation report": f"{request.script_root}/graph/report/{source_id}",
        },
    )


def _alternates(path: str) -> list[tuple[str, Format]]:
    return alternates(request.script_root, path, formats.of_kind(Kind.GRAPH))


def _stored_graph(kind: str, name: str) -> Response:
    source_id, ext = split_name(name)
    rep = choose(ext)
    record = source_record(source_id)
    store, base = get_store(), get_settings().base_iri
    iri = str(meta_graph(base, source_id) if kind == "meta" else report_graph(base, source_id))
    if rep is not formats.HTML:
        response = Response(store.dump(iri, RdfFormat(rep.media_type)), mimetype=rep.media_type)
        response.vary.add("Accept")
        return response
    graph = Graph()
    graph.parse(data=store.dump(iri, RdfFormat.NTRIPLES), format=formats.NTRIPLES.rdflib_name)
    titles = {"meta": "Provenance record", "report": "Validation report"}
    return html(
        "catalog/graph.html",
        title=f"{titles[kind]}: {record.title}",
        kind=titles[kind],
        iri=iri,
        record=record,
        rows=triple_rows(graph),
        formats=_alternates(f"/graph/{kind}/{source_id}"),
        links={"Source dataset": f"{request.script_root}/graph/source/{source_id}"},
    )


@bp.get("/graph/meta")
@bp.get("/graph/meta.<ext>")
def store_record(ext: str | None = None) -> Response:
    """The store-wide record ``<{base}> riikg:dataVersion N ; dct:modified t``."""
    rep = choose(ext, formats.of_kind(Kind.GRAPH))
    iri = str(meta_graph(get_settings().base_iri))
    body = get_store().dump(iri, RdfFormat(rep.media_type))
    response = Response(body, mimetype=rep.media_type)
    response.vary.add("Accept")
    return response


@bp.get("/graph/meta/<name>")
def meta_description(name: str) -> Response:
    return _stored_graph("meta", name)


@bp.get("/graph/report/<name>")
def report_description(name: str) -> Response:
    return _stored_graph("report", name)


# ---- VoID -----------------------------------------------------------------------------------
@bp.get("/.well-known/void")
@bp.get("/.well-known/void.<ext>")
def void(ext: str | None = None) -> Response:
    rep = choose(ext, void_offers())
    graph = void_graph(get_settings(), dumps(), records())
    if rep is not formats.HTML:
        return rdf_response(graph, rep)
    return html(
        "catalog/graph.html",
        title="VoID description",
        kind="VoID description of the dataset",
        iri=urls.dataset_iri(get_settings()),
        record=None,
        rows=triple_rows(graph),
        formats=_alternates("/.well-known/void"),
        links={"Catalogue": f"{request.script_root}/catalog"},
    )


# ---- dumps ----------------------------------------------------------------------------------
@bp.get("/dumps/")
@bp.get("/dumps/manifest.json")
def dump_manifest() -> Response:
    body = json.dumps(dumps().manifest(get_settings()), indent=1, sort_keys=True)
    return Response(body, mimetype="application/json")


@bp.get("/dumps/SHA256SUMS")
def dump_checksums() -> Response:
    return Response(dumps().sha256sums(), mimetype="text/plain")


@bp.get("/dumps/<path:name>")
def dump_file(name: str) -> Response:
    """A dump by its published name; anything else is 404 (no path is ever built from input)."""
    dump_set = dumps()
    known = dump_set.files.get(name)
    if known is None:
        raise ResourceNotFound(f"there is no dump named '{name[:80]}'")
    data = dump_set.data(known.name)
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    modified = parse_datetime(known.modified) if known.modified else None
    response = send_file(
        source,
        mimetype=known.content_type,
        as_attachment=False,
        download_name=known.name.rsplit("/", 1)[-1],
        conditional=True,
        etag=known.sha256,
        last_modified=modified,
        max_age=60,
    )
    response.headers["Digest"] = f"sha-256={_b64(known.sha256)}"
    return response


def _b64(hexdigest: str) -> str:
    return base64.b64encode(bytes.fromhex(hexdigest)).decode()


# ---- OAI-PMH --------------------------------------------------------------------------------
@bp.route("/oai", methods=["GET", "POST"])
def oai() -> Response:
    settings = get_settings()
    store = get_store()
    args: MultiDict[str, str] = request.args if request.method == "GET" else request.form
    repo = Repository(
        settings,
        version_key(store),
        records(),
        dumps,
        lambda: cached("oai", lambda s: build_records(settings, s, records())),
    )
    body = repo.handle({k: args.getlist(k) for k in args})
    return Response(body, mimetype="text/xml")


# ---- sitemap --------------------------------------------------------------------------------
def _sitemap_entries() -> list[Any]:
    settings = get_settings()
    return cached("sitemap", lambda store: entries(settings, store, records()))


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    found, limit = _sitemap_entries(), get_settings().sitemap_max_urls
    if len(found) <= limit:
        return Response(urlset(found), mimetype="application/xml")
    return Response(index(get_settings(), found, limit), mimetype="application/xml")


@bp.get("/sitemap-<int:number>.xml")
def sitemap_page(number: int) -> Response:
    found, limit = _sitemap_entries(), get_settings().sitemap_max_urls
    if len(found) <= limit or not 1 <= number <= page_count(len(found), limit):
        raise ResourceNotFound(f"there is no sitemap page {number}")
    return Response(
        urlset(found[(number - 1) * limit : number * limit]), mimetype="application/xml"
    )


@bp.get("/robots.txt")
def robots_txt() -> Response:
    return Response(robots(get_settings()), mimetype="text/plain")


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
