"""Find the Turtle and data directories both in a checkout and in an installed wheel.

The wheel ships ``ontology/``, ``shapes/`` and ``data/`` under ``riikg/_resources/``
(see ``pyproject.toml``); a checkout (or an editable install) has them at the top level.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the directory of a bundled resource tree.

    Args:
        name: ``"ontology"``, ``"shapes"`` or ``"data"``.

    Returns:
        The existing directory, from the installed wheel if present, else the checkout.

    Raises:
        FileNotFoundError: if neither location exists.

    >>> resource_dir("ontology").name
    'ontology'
    """
    for candidate in (_PACKAGE_DIR / "_resources" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled resource directory {name!r} not found")


def ontology_dir() -> Path:
    return resource_dir("ontology")


def shapes_dir() -> Path:
    return resource_dir("shapes")


def data_dir() -> Path:
    return resource_dir("data")
