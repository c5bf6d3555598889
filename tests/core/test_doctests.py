"""Run the ``>>>`` examples of the public helpers (pyoxigraph tests/test_doc.py style)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "riikg.namespaces",
    "riikg.errors",
    "riikg.queries",
    "riikg.resources",
    "endpoint.conneg",
    "endpoint.urls",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
