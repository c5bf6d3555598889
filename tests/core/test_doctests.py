"""Every ``>>>`` example in the project's modules runs (collected, not listed by hand)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("riikg", "loaders", "endpoint")


def all_modules() -> list[str]:
    names: list[str] = []
    for package in PACKAGES:
        root = importlib.import_module(package)
        names.append(package)
        names += [m.name for m in pkgutil.walk_packages(root.__path__, package + ".")]
    return sorted(names)


def with_examples() -> list[str]:
    finder = doctest.DocTestFinder()
    found = []
    for name in all_modules():
        module = importlib.import_module(name)
        if any(test.examples for test in finder.find(module)):
            found.append(name)
    return found


MODULES = with_examples()


def test_examples_are_found() -> None:
    """The collection itself works (a broken walk would make the suite pass vacuously)."""
    assert "riikg.formats" in MODULES and "riikg.sparql.text" in MODULES
    assert len(MODULES) >= 10


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
