"""Public URLs of the service, built from the configured base IRI (never the request host).

One source of truth for the Service Description, VoID, the DCAT-AP catalogue and the sitemap.
"""

from __future__ import annotations

from riikg.config import Settings


def public_url(settings: Settings, path: str = "") -> str:
    """Absolute public URL of a path of this service.

    >>> public_url(Settings(), "sparql")
    'http://localhost:8080/sparql'
    """
    return settings.base_iri + path.lstrip("/")


def sparql_endpoint(settings: Settings) -> str:
    return public_url(settings, "sparql")


def void_url(settings: Settings) -> str:
    return public_url(settings, ".well-known/void")


def catalog_url(settings: Settings) -> str:
    return public_url(settings, "catalog")


def sitemap_url(settings: Settings) -> str:
    return public_url(settings, "sitemap.xml")


def ontology_url(settings: Settings) -> str:
    return public_url(settings, "ontology")


def dump_url(settings: Settings, source_id: str | None, extension: str) -> str:
    """URL of a dump: the whole graph (``source_id`` None) or one source.

    >>> dump_url(Settings(), None, "nt.gz")
    'http://localhost:8080/dumps/riikg.nt.gz'
    >>> dump_url(Settings(), "nuts", "ttl")
    'http://localhost:8080/dumps/source/nuts.ttl'
    """
    name = f"source/{source_id}" if source_id else "riikg"
    return public_url(settings, f"dumps/{name}.{extension}")
