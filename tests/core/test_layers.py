"""The one-way import rule of docs/architecture.md, checked on every module's source.

``riikg`` is the core: it imports neither ``loaders`` nor ``endpoint`` (the ``riikg/cli/``
package is the one composition root that wires them together). ``loaders`` and ``endpoint``
never import each other. Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSITION_ROOT = ROOT / "riikg" / "cli"
FORBIDDEN = {
    "riikg": {"loaders", "endpoint"},
    "loaders": {"endpoint"},
    "endpoint": {"loaders"},
}


def imported_packages(path: Path) -> set[str]:
    """Top-level package names a module imports (absolute imports, at any depth)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    broken = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in modules(package)
        if COMPOSITION_ROOT not in path.parents
    }
    assert {k: v for k, v in broken.items() if v} == {}


def test_the_composition_root_is_a_package() -> None:
    """The exemption names a real package, so moving the CLI cannot exempt nothing silently."""
    assert (COMPOSITION_ROOT / "__init__.py").is_file()
    assert {"loaders", "endpoint"} <= set().union(
        *(imported_packages(path) for path in COMPOSITION_ROOT.rglob("*.py"))
    )


def test_the_rule_sees_function_level_imports(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from endpoint.state import get_store\n    import loaders\n")
    assert imported_packages(sample) == {"endpoint", "loaders"}
