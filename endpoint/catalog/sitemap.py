"""Sitemaps (``/sitemap.xml``, ``/sitemap-N.xml``) and ``/robots.txt``.

Lists the main pages, each source's description and every entity page (data IRIs under
``{base}id/``), with ``lastmod`` from the ``dct:modified`` of the sources describing it.
Past ``max_urls`` (50,000 by the sitemaps protocol) ``/sitemap.xml`` becomes a sitemap
index of ``/sitemap-N.xml`` pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from endpoint.catalog.data import SourceRecord, entity_pages, latest
from endpoint.http import urls
from riikg.config import Settings
from riikg.namespaces import SITEMAP
from riikg.store import Store


@dataclass(frozen=True)
class Entry:
    loc: str
    lastmod: datetime | None


def _day(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00") if when else ""


def entries(settings: Settings, store: Store, records: list[SourceRecord]) -> list[Entry]:
    """Every URL of the sitemap, main pages first, then sorted."""
    newest = latest(records)
    main = [
        settings.base_iri,
        urls.sparql_endpoint(settings),
        urls.catalog_url(settings),
        urls.void_url(settings),
        urls.ontology_url(settings),
    ]
    out = [Entry(loc, newest) for loc in main]
    out.extend(Entry(r.graph, r.modified) for r in records)
    modified = {r.graph: r.modified for r in records}
    for iri, graphs in sorted(entity_pages(store).items()):
        dates = [modified[g] for g in graphs if g in modified]
        if dates:
            out.append(Entry(iri, max(dates)))
    return out


def page_count(total: int, max_urls: int) -> int:
    return max(1, -(-total // max_urls))


def urlset(items: list[Entry]) -> str:
    body = "".join(
        "<url><loc>"
        + escape(e.loc)
        + "</loc>"
        + (f"<lastmod>{_day(e.lastmod)}</lastmod>" if e.lastmod else "")
        + "</url>\n"
        for e in items
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP}">\n{body}</urlset>\n'


def index(settings: Settings, items: list[Entry], max_urls: int) -> str:
    body = ""
    for number in range(1, page_count(len(items), max_urls) + 1):
        chunk = items[(number - 1) * max_urls : number * max_urls]
        newest = max((e.lastmod for e in chunk if e.lastmod), default=None)
        lastmod = f"<lastmod>{_day(newest)}</lastmod>" if newest else ""
        loc = escape(urls.sitemap_page_url(settings, number))
        body += f"<sitemap><loc>{loc}</loc>{lastmod}</sitemap>\n"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP}">\n'
        f"{body}</sitemapindex>\n"
    )


def robots(settings: Settings) -> str:
    # query URLs of the SPARQL endpoint are for programs, not for crawlers
    sitemap = urls.sitemap_url(settings)
    return f"User-agent: *\nDisallow: /sparql?query=\nAllow: /\nSitemap: {sitemap}\n"
