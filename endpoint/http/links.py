"""Map IRIs to the local paths that describe them, and decide what may become a link.

Only ``http``/``https`` IRIs (and ``mailto:``) ever become ``href`` values; everything
else (``javascript:``, ``data:``, ``vbscript:``…) is shown as text (docs/security.md F-2, F9).
"""

from __future__ import annotations

import re

from riikg.namespaces import NUTS_CODE, RIIKG, VOCAB

ONTOLOGY = str(RIIKG)
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_LOCAL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
_NUTS = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")
_BAD_CHARS = re.compile(r"[\s<>\"'`\\^{}|]")
#: local paths served for IRIs under the base
_BASE_KINDS = ("id/", "graph/")


def local_path(iri: str, base: str) -> str | None:
    """The path (relative to the application root) describing an IRI, or None.

    >>> local_path("http://localhost:8080/id/infrastructure/x", "http://localhost:8080/")
    '/id/infrastructure/x'
    >>> local_path("http://data.europa.eu/nuts/code/ITH5", "http://localhost:8080/")
    '/region/ITH5'
    >>> local_path("https://w3id.org/riikg/vocab/ket/KET2018-AM", "http://x/")
    '/vocab/ket/KET2018-AM'
    >>> local_path("https://w3id.org/riikg/ontology/ket", "http://x/")
    '/ontology/ket'
    >>> local_path("javascript:alert(1)", "http://x/") is None
    True
    """
    if _BAD_CHARS.search(iri):
        return None
    if iri.startswith(base):
        rest = iri[len(base) :]
        if rest.startswith(_BASE_KINDS) and ".." not in rest and "?" not in rest:
            return "/" + rest
        return None
    if iri.startswith(NUTS_CODE):
        code = iri[len(NUTS_CODE) :]
        return f"/region/{code}" if _NUTS.match(code) else None
    if iri.startswith(VOCAB):
        parts = iri[len(VOCAB) :].split("/")
        if 1 <= len(parts) <= 2 and all(_LOCAL_NAME.match(p) for p in parts):
            return "/vocab/" + "/".join(parts)
        return None
    if iri.startswith(ONTOLOGY):
        term = iri[len(ONTOLOGY) :]
        return f"/ontology/{term}" if _LOCAL_NAME.match(term) else None
    return None


def is_linkable(iri: str) -> bool:
    """True for IRIs that may be an ``href``: http(s) or mailto, without odd characters.

    >>> is_linkable("https://example.org/a")
    True
    >>> is_linkable("javascript:alert(1)")
    False
    >>> is_linkable("JaVaScRiPt:alert(1)")
    False
    >>> is_linkable('http://x/"onmouseover="alert(1)')
    False
    """
    return iri.lower().startswith(_SAFE_SCHEMES) and not _BAD_CHARS.search(iri)


def href(iri: str, base: str, root: str = "") -> str | None:
    """Where a link to ``iri`` should point: our page for it, else the IRI itself if safe.

    Args:
        iri: the IRI.
        base: the configured base IRI.
        root: the application's script root (``request.script_root``).
    """
    path = local_path(iri, base)
    if path is not None:
        return root + path
    return iri if is_linkable(iri) else None


def iri_of_path(path: str, base: str) -> str | None:
    """Inverse of :func:`local_path` for the paths this blueprint serves.

    >>> iri_of_path("/region/ITH5", "http://x/")
    'http://data.europa.eu/nuts/code/ITH5'
    >>> iri_of_path("/id/infrastructure/a", "http://x/")
    'http://x/id/infrastructure/a'
    """
    if path.startswith("/region/"):
        code = path[len("/region/") :]
        return NUTS_CODE + code if _NUTS.match(code) else None
    if path.startswith("/vocab/"):
        parts = path[len("/vocab/") :].split("/")
        if 1 <= len(parts) <= 2 and all(_LOCAL_NAME.match(p) for p in parts):
            return VOCAB + "/".join(parts)
        return None
    if path.startswith("/id/"):
        parts = path[len("/id/") :].split("/")
        if len(parts) == 2 and all(_LOCAL_NAME.match(p) for p in parts):
            return base + "id/" + "/".join(parts)
    return None


def valid_lang(tag: str) -> str:
    """A BCP 47-looking language tag safe for ``lang=`` attributes, else ''.

    >>> valid_lang("it"), valid_lang("pt-BR"), valid_lang('x" onclick="')
    ('it', 'pt-BR', '')
    """
    return tag if re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", tag) else ""
