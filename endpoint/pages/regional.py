"""The region views of the ``pages`` blueprint: benchmarking regions side by side
(``/compare``, with its JSON and CSV tables) and the NUTS outlines the maps draw."""

from __future__ import annotations

from flask import Response, abort, render_template, request

from endpoint.cache import memo
from endpoint.pages.blueprint import bp
from endpoint.pages.browse import region_profile, region_tree
from endpoint.pages.compare import MAX_REGIONS, tables, to_csv
from endpoint.pages.geo import outlines
from endpoint.pages.queries import q
from endpoint.pages.web import linker, sparql_link, twin, wanted_langs
from endpoint.state import get_store


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


# ---- maps ----------------------------------------------------------------------------
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
