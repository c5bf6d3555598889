"""Blueprint ``pages``: browsing, search, maps and region benchmarking.

Its ``init_app`` also registers the ``resource`` blueprint (dereferencing, in
``endpoint/pages/resource.py``). Routes only; the data access lives in ``describe``, ``browse``,
``facets``, ``search``, ``compare`` and ``geo``. The URL space is documented in the README
(section "URLs").
"""

from __future__ import annotations

import copy
import json
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    render_template,
    request,
    send_from_directory,
)

from endpoint.cache import memo
from endpoint.http.links import href
from endpoint.pages import resource
from endpoint.pages.browse import facts, figures, region_profile, region_tree
from endpoint.pages.compare import MAX_REGIONS, tables, to_csv
from endpoint.pages.facets import (
    FACETS,
    PAGE_SIZE,
    BadFilter,
    Facet,
    FacetResult,
    Selection,
    list_query,
    run_counts,
    run_list,
)
from endpoint.pages.geo import outlines
from endpoint.pages.labels import labels, sort_by_label, sources
from endpoint.pages.queries import q
from endpoint.pages.search import kind_label, search_index
from endpoint.pages.web import (
    CONCEPT,
    add_security_headers,
    link_json,
    linker,
    page_number,
    render_page,
    sparql_link,
    twin,
    wanted_langs,
)
from endpoint.state import get_store
from riikg.resources import data_dir

bp = Blueprint("pages", __name__)
bp.after_request(add_security_headers)

SEARCH_PAGE = 20
FACET_CACHE = 64  # entries hold up to every infrastructure IRI: keep the worst case small
LIST_PAGE = 100


def init_app(app: Flask) -> None:
    """Register the blueprint and the template helpers."""
    app.register_blueprint(bp)
    app.register_blueprint(resource.bp)


# ---- browsing ------------------------------------------------------------------------
@bp.get("/")
@bp.get("/index.json")
def home() -> Response:
    figs = figures()
    srcs = sorted(sources().values(), key=lambda s: s.title.casefold())
    if request.path.endswith(".json"):
        return twin({"figures": figs.__dict__, "sources": [s.__dict__ for s in srcs]})
    return render_page(
        "pages/home.html",
        figures=figs,
        sources=srcs,
        templates=_survey_templates(),
        points_url=f"{request.script_root}/infrastructures.geojson",
        outline_url=f"{request.script_root}/geo/nuts/0.geojson",
        sparql_href=sparql_link(q("figures")),
    )


@bp.get("/regions")
@bp.get("/regions.json")
def regions() -> Response:
    tree = region_tree()
    show_all = request.args.get("all") == "1"
    langs = wanted_langs()
    index = labels()
    if request.path.endswith(".json"):
        return twin(
            [
                {
                    "code": r.code,
                    "iri": r.iri,
                    "label": index.display(r.iri, langs),
                    "level": r.level,
                    "parent": r.parent,
                    "infrastructures": r.total,
                    "direct": r.direct,
                }
                for r in sorted(tree.regions.values(), key=lambda r: r.code)
                if show_all or r.total
            ]
        )
    html = memo(
        "regions-html",
        (show_all, langs, request.script_root),
        lambda: render_template(
            "pages/regions.html",
            roots=[r for r in tree.roots if show_all or r.total],
            show_all=show_all,
            name=lambda iri: index.display(iri, langs),
            sparql_href=sparql_link(q("region_infrastructure_counts")),
        ),
    )
    return Response(html, mimetype="text/html")


@bp.get("/infrastructures")
@bp.get("/infrastructures.<fmt>")
def infrastructures(fmt: str = "html") -> Response:
    if fmt not in ("html", "json", "geojson"):
        abort(404)
    store = get_store()
    try:
        selection = Selection.from_args(request.args.to_dict(flat=False), page_number())
        found, counted = _facet_data(selection)
    except BadFilter as exc:
        abort(400, str(exc))
    langs = wanted_langs()
    if fmt == "geojson":
        return _points(found, langs)
    ordered = memo("facet-sorted", (selection.filters, langs), lambda: sort_by_label(found, langs))
    pages = max(1, -(-len(ordered) // PAGE_SIZE))
    page = min(selection.page, pages)
    lk = linker(store.base, langs)
    items = [lk.link(i) for i in ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
    facets = memo("facet-labelled", (selection.filters, langs), lambda: _labelled(counted, langs))
    query = list_query(selection, store.base)
    if fmt == "json":
        return twin(
            {
                "total": len(ordered),
                "page": page,
                "pages": pages,
                "filters": dict((f.value, list(v)) for f, v in selection.filters),
                "items": [link_json(i) for i in items],
                "facets": {
                    f.facet.value: [
                        {"value": v.param, "iri": v.iri, "label": v.label, "count": v.count}
                        for v in f.values
                    ]
                    for f in facets
                },
                "query": query,
            }
        )
    return render_page(
        "pages/infrastructures.html",
        selection=selection,
        items=items,
        total=len(ordered),
        page=page,
        pages=pages,
        facets=facets,
        facet_titles={f: FACETS[f].title for f in Facet},
        chip_labels={
            (f.facet.value, v.param): v.label for f in facets for v in f.values if v.selected
        },
        sparql_href=sparql_link(query),
        points_url=f"{request.script_root}/infrastructures.geojson?{selection.query_string()}",
        outline_url=f"{request.script_root}/geo/nuts/0.geojson",
    )


def _labelled(counted: list[FacetResult], langs: tuple[str, ...]) -> list[FacetResult]:
    """Facet results with labels in the wanted language, selected and biggest first."""
    index = labels()
    out = copy.deepcopy(counted)
    for result in out:
        for value in result.values:
            value.label = (
                index.display(value.iri, langs)
                if value.iri.startswith(("http://", "https://"))
                else value.param
            )
        result.values.sort(key=lambda v: (not v.selected, -v.count, v.label.casefold()))
    return out


def _facet_data(selection: Selection) -> tuple[list[str], list[FacetResult]]:
    """Matching infrastructures and facet counts, kept per data version (FACET_CACHE selections)."""

    def build() -> tuple[list[str], list[FacetResult]]:
        store = get_store()
        tree = region_tree()

        def parents(iri: str) -> list[str]:
            return [r.iri for r in tree.ancestors(iri)]

        found = run_list(store, selection)
        return found, [run_counts(store, selection, facet, parents) for facet in Facet]

    return memo("facets", selection.filters, build, FACET_CACHE)


def _points(found: list[str], langs: tuple[str, ...]) -> Response:
    store = get_store()
    index = labels()
    wanted = set(found)
    features = []
    for row in store.select(q("located")):
        iri = row["i"].value
        if iri not in wanted:
            continue
        try:
            lat, lon = float(row["lat"].value), float(row["long"].value)
        except ValueError:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "iri": iri,
                    "label": index.display(iri, langs),
                    "href": href(iri, store.base, request.script_root),
                },
            }
        )
    response = Response(
        json.dumps({"type": "FeatureCollection", "features": features}),
        content_type="application/geo+json",
    )
    return response


@bp.get("/search")
@bp.get("/search.json")
def search() -> Response:
    text = request.args.get("q", "")[:200]
    kind = request.args.get("type", "")
    store = get_store()
    langs = wanted_langs()
    lk = linker(store.base, langs)
    everything = (
        memo("search-results", text.strip(), lambda: search_index().search(text), 16)
        if text.strip()
        else []
    )
    kinds: dict[str, int] = {}
    for _, type_iri, _ in everything:
        kinds[type_iri] = kinds.get(type_iri, 0) + 1
    results = [r for r in everything if not kind or r[1] == kind]
    pages = max(1, -(-len(results) // SEARCH_PAGE))
    page = min(page_number(), pages)
    shown = results[(page - 1) * SEARCH_PAGE : page * SEARCH_PAGE]
    index = search_index()
    hits = [(lk.link(iri), kind_label(t), score) for iri, t, score in shown]
    snippets = {iri: index.snippet(iri, langs) for iri, _, _ in shown}
    if request.path.endswith(".json"):
        return twin(
            {
                "q": text,
                "total": len(results),
                "page": page,
                "pages": pages,
                "results": [
                    {
                        **link_json(link),
                        "kind": k,
                        "score": round(s, 2),
                        "description": snippets[link.iri],
                    }
                    for link, k, s in hits
                ],
                "kinds": {kind_label(t): n for t, n in kinds.items()},
            }
        )
    return render_page(
        "pages/search.html",
        q=text,
        hits=hits,
        total=len(results),
        page=page,
        pages=pages,
        kind=kind,
        snippets=snippets,
        kinds=sorted(((t, kind_label(t), n) for t, n in kinds.items()), key=lambda k: -k[2]),
    )


@bp.get("/organisations")
@bp.get("/organisations.json")
def organisations() -> Response:
    store = get_store()
    langs = wanted_langs()
    lk = linker(store.base, langs)
    known = facts()
    hosts = memo(
        "organisations",
        langs,
        lambda: sort_by_label({h for hs in known.hosts.values() for h in hs}, langs),
    )
    pages = max(1, -(-len(hosts) // LIST_PAGE))
    page = min(page_number(), pages)
    rows = [
        (lk.link(h), len(known.linked(h)), h.rsplit("/", 1)[-1])
        for h in hosts[(page - 1) * LIST_PAGE : page * LIST_PAGE]
    ]
    if request.path.endswith(".json"):
        return twin(
            {
                "total": len(hosts),
                "page": page,
                "pages": pages,
                "items": [{**link_json(link), "infrastructures": n} for link, n, _ in rows],
            }
        )
    return render_page(
        "pages/organisations.html",
        rows=rows,
        total=len(hosts),
        page=page,
        pages=pages,
        sparql_href=sparql_link(q("infrastructure_facts")),
    )


@bp.get("/ris3")
@bp.get("/ris3.json")
def ris3() -> Response:
    store = get_store()
    langs = wanted_langs()
    lk = linker(store.base, langs)
    known = facts()
    by_strategy: dict[str, list[str]] = {}
    for priority, (strategy, _covered, _kets) in known.priorities.items():
        by_strategy.setdefault(strategy, []).append(priority)
    strategies = memo("ris3-strategies", langs, lambda: sort_by_label(by_strategy, langs))
    pages = max(1, -(-len(strategies) // LIST_PAGE))
    page = min(page_number(), pages)
    blocks = [
        (
            lk.link(strategy),
            [
                (lk.link(p), len(known.linked(p)))
                for p in sort_by_label(by_strategy[strategy], langs)
            ],
        )
        for strategy in strategies[(page - 1) * LIST_PAGE : page * LIST_PAGE]
    ]
    if request.path.endswith(".json"):
        return twin(
            {
                "total": len(strategies),
                "page": page,
                "pages": pages,
                "items": [
                    {
                        **link_json(s),
                        "priorities": [{**link_json(p), "infrastructures": n} for p, n in ps],
                    }
                    for s, ps in blocks
                ],
            }
        )
    return render_page(
        "pages/ris3.html",
        blocks=blocks,
        page=page,
        pages=pages,
        sparql_href=sparql_link(q("ris3_priorities")),
    )


# ---- benchmarking --------------------------------------------------------------------
@bp.get("/compare")
@bp.get("/compare.<fmt>")
def compare(fmt: str = "html") -> Response:
    if fmt not in ("html", "json", "csv"):
        abort(404)
    store = get_store()
    langs = wanted_langs()
    tree = region_tree()
    codes = []
    for code in request.args.getlist("region"):
        if not code.strip():
            continue
        code = code.strip().upper()
        if code and code not in codes:
            if tree.by_code(code) is None:
                abort(404, f"unknown NUTS region {code!r}")
            codes.append(code)
    if len(codes) > MAX_REGIONS:
        abort(400, f"compare at most {MAX_REGIONS} regions")
    lk = linker(store.base, langs)
    profiles = [
        memo(
            "region-profile",
            (code, langs, request.script_root),
            lambda code=code: region_profile(store, code, lk),  # type: ignore[misc]
        )
        for code in codes
    ]
    result = tables(profiles)
    if fmt == "csv":
        name = request.args.get("table", "summary")
        table = next((t for t in result if t.name == name), None)
        if table is None:
            abort(404, f"no table {name!r}")
        response = Response(to_csv(table), content_type="text/csv; charset=utf-8")
        stem = "-".join(codes) or "none"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="riikg-compare-{stem}-{table.name}.csv"'
        )
        return response
    if fmt == "json":
        return twin(
            {
                "regions": codes,
                "tables": [
                    {
                        "name": t.name,
                        "title": t.title,
                        "columns": t.columns,
                        "rows": [[r.text, *r.cells] for r in t.rows],
                    }
                    for t in result
                ],
            }
        )
    choices = sorted(
        (r for r in tree.regions.values() if r.total),
        key=lambda r: (r.country, r.level, r.code),
    )
    query_string = request.query_string.decode("ascii", "replace")
    html = memo(
        "compare-html",
        (tuple(codes), langs, query_string, request.script_root),
        lambda: render_template(
            "pages/compare.html",
            codes=codes,
            profiles=profiles,
            tables=result,
            choices=choices,
            name=lambda iri: lk.index.label(iri, langs) or "",
            query_string=query_string,
            sparql_href=sparql_link(q("infrastructure_facts")),
        ),
    )
    return Response(html, mimetype="text/html")


# ---- maps and downloads --------------------------------------------------------------
@bp.get("/geo/nuts/<int:level>.geojson")
def nuts_outlines(level: int) -> Response:
    if level not in (0, 1, 2, 3):
        abort(404)
    country = request.args.get("country", "").upper()
    if country and not (len(country) == 2 and country.isalpha()):
        abort(400, "country must be a two-letter code")
    body = outlines(level, country)
    if body is None:
        abort(404, "the NUTS outlines file is not installed")
    response = Response(body, content_type="application/geo+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def _survey_templates() -> list[str]:
    try:
        folder = data_dir() / "templates"
    except FileNotFoundError:
        return []
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


@bp.get("/downloads/templates/<name>")
def survey_template(name: str) -> Response:
    if name not in _survey_templates():
        abort(404, "no such template")
    return send_from_directory(data_dir() / "templates", name, as_attachment=True)


# ---- template helpers ----------------------------------------------------------------
@bp.app_template_filter("query_with")
def query_with(query_string: str, **changes: Any) -> str:
    """Used by templates to build paging links that keep the other parameters."""
    from urllib.parse import parse_qsl, urlencode

    pairs = [(k, v) for k, v in parse_qsl(query_string) if k not in changes]
    pairs.extend((k, str(v)) for k, v in changes.items() if v not in (None, ""))
    return urlencode(pairs)


@bp.app_context_processor
def template_globals() -> dict[str, Any]:
    return {"concept_iri": CONCEPT}
