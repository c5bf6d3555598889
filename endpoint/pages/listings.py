"""The list views of the ``pages`` blueprint: regions, infrastructures (faceted, with their
map points), search, organisations and RIS3 strategies, each with its ``.json`` twin."""

from __future__ import annotations

import copy
import json

from flask import Response, abort, render_template, request

from endpoint.cache import memo
from endpoint.http.links import href
from endpoint.pages.blueprint import bp
from endpoint.pages.browse import facts, region_tree
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
from endpoint.pages.labels import labels, sort_by_label
from endpoint.pages.queries import q
from endpoint.pages.search import kind_label, search_index
from endpoint.pages.web import (
    link_json,
    linker,
    outline_url,
    page_number,
    paged,
    render_page,
    sparql_link,
    twin,
    wanted_langs,
)
from endpoint.state import get_store

SEARCH_PAGE = 20
FACET_CACHE = 64  # entries hold up to every infrastructure IRI: keep the worst case small
LIST_PAGE = 100


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
    shown = paged(ordered, PAGE_SIZE, selection.page)
    lk = linker(store.base, langs)
    items = [lk.link(i) for i in shown.items]
    facets = memo("facet-labelled", (selection.filters, langs), lambda: _labelled(counted, langs))
    query = list_query(selection, store.base)
    if fmt == "json":
        return twin(
            {
                **shown.numbers(),
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
        **shown.numbers(),
        facets=facets,
        facet_titles={f: FACETS[f].title for f in Facet},
        chip_labels={
            (f.facet.value, v.param): v.label for f in facets for v in f.values if v.selected
        },
        sparql_href=sparql_link(query),
        points_url=f"{request.script_root}/infrastructures.geojson?{selection.query_string()}",
        outline_url=outline_url(),
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
    return Response(
        json.dumps({"type": "FeatureCollection", "features": features}),
        content_type="application/geo+json",
    )


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
    shown = paged([r for r in everything if not kind or r[1] == kind], SEARCH_PAGE)
    index = search_index()
    hits = [(lk.link(iri), kind_label(t), score) for iri, t, score in shown.items]
    snippets = {iri: index.snippet(iri, langs) for iri, _, _ in shown.items}
    if request.path.endswith(".json"):
        return twin(
            {
                "q": text,
                **shown.numbers(),
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
        **shown.numbers(),
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
    shown = paged(hosts, LIST_PAGE)
    rows = [(lk.link(h), len(known.linked(h)), h.rsplit("/", 1)[-1]) for h in shown.items]
    if request.path.endswith(".json"):
        return twin(
            {
                **shown.numbers(),
                "items": [{**link_json(link), "infrastructures": n} for link, n, _ in rows],
            }
        )
    return render_page(
        "pages/organisations.html",
        rows=rows,
        **shown.numbers(),
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
    shown = paged(strategies, LIST_PAGE)
    blocks = [
        (
            lk.link(strategy),
            [
                (lk.link(p), len(known.linked(p)))
                for p in sort_by_label(by_strategy[strategy], langs)
            ],
        )
        for strategy in shown.items
    ]
    if request.path.endswith(".json"):
        return twin(
            {
                **shown.numbers(),
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
        **shown.numbers(),
        sparql_href=sparql_link(q("ris3_priorities")),
    )
