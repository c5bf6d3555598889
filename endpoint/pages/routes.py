"""Blueprint ``pages``: browsing, search, maps and region benchmarking.

The blueprint lives in ``blueprint``; this module registers it with the home page, the
survey template downloads and the template helpers, and imports the modules whose views
register on it too: ``listings`` (regions, infrastructures, search, organisations, RIS3)
and ``regional`` (compare, NUTS outlines). Its ``init_app`` also registers the ``resource``
blueprint (dereferencing, in ``endpoint/pages/resource.py``). Routes only; the data access
lives in ``describe``, ``browse``, ``facets``, ``search``, ``compare`` and ``geo``. The URL
space is documented in the README (section "URLs").
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Response, abort, request, send_from_directory

from endpoint.pages import listings, regional, resource
from endpoint.pages.blueprint import bp
from endpoint.pages.browse import figures
from endpoint.pages.labels import sources
from endpoint.pages.queries import q
from endpoint.pages.web import CONCEPT, outline_url, render_page, sparql_link, twin
from riikg.resources import data_dir

#: the modules whose views register on ``bp`` when imported (here, before ``init_app``)
VIEWS = (listings, regional)


def init_app(app: Flask) -> None:
    """Register the blueprint and the template helpers."""
    app.register_blueprint(bp)
    app.register_blueprint(resource.bp)


# ---- home and downloads --------------------------------------------------------------
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
        outline_url=outline_url(),
        sparql_href=sparql_link(q("figures")),
    )


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
    pairs = [(k, v) for k, v in parse_qsl(query_string) if k not in changes]
    pairs.extend((k, str(v)) for k, v in changes.items() if v not in (None, ""))
    return urlencode(pairs)


@bp.app_context_processor
def template_globals() -> dict[str, Any]:
    return {"concept_iri": CONCEPT}
