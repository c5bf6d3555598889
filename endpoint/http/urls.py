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


def dataset_iri(settings: Settings) -> str:
    """IRI of the whole knowledge graph as a dataset (VoID, DCAT-AP, Service Description).

    A hash IRI in the VoID document, so it dereferences to its description.

    >>> dataset_iri(Settings())
    'http://localhost:8080/.well-known/void#riikg'
    """
    return void_url(settings) + "#riikg"


def data_service_iri(settings: Settings) -> str:
    """IRI of the SPARQL endpoint as a ``dcat:DataService`` (described in the catalogue)."""
    return catalog_url(settings) + "#sparql"


def distribution_iri(settings: Settings, source_id: str | None, extension: str) -> str:
    """IRI of the ``dcat:Distribution`` whose download URL is :func:`dump_url`.

    >>> distribution_iri(Settings(), "nuts", "nt.gz")
    'http://localhost:8080/catalog#dist-source-nuts-nt-gz'
    """
    name = f"source-{source_id}" if source_id else "riikg"
    return catalog_url(settings) + f"#dist-{name}-{extension.replace('.', '-')}"


def dumps_url(settings: Settings, name: str = "") -> str:
    """URL under ``/dumps/`` (``SHA256SUMS``, ``manifest.json``)."""
    return public_url(settings, f"dumps/{name}")


def oai_url(settings: Settings) -> str:
    return public_url(settings, "oai")


def robots_url(settings: Settings) -> str:
    return public_url(settings, "robots.txt")


def sitemap_page_url(settings: Settings, number: int) -> str:
    """One page of a sitemap index (``/sitemap-N.xml``, N from 1)."""
    return public_url(settings, f"sitemap-{number}.xml")


def publisher_iri(settings: Settings) -> str:
    """IRI of the publisher (``foaf:Agent``) named by ``Settings.publisher_name``."""
    return public_url(settings, "#publisher")


def contact_iri(settings: Settings) -> str:
    """IRI of the contact point (``vcard:Kind``) with ``Settings.contact_email``."""
    return public_url(settings, "#contact")
