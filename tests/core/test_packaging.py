"""ontology/, shapes/ and data/ are found from a checkout and from an installed wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from riikg.resources import data_dir, ontology_dir, shapes_dir

ROOT = Path(__file__).parents[2]


def test_checkout_resources() -> None:
    assert ontology_dir() == ROOT / "ontology"
    assert shapes_dir() == ROOT / "shapes"
    assert data_dir() == ROOT / "data"


@pytest.mark.slow
def test_wheel_ships_and_finds_resources(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("riikg-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(site)
    for tree in ("ontology", "shapes", "data"):
        assert any(n.startswith(f"riikg/_resources/{tree}/") for n in names), tree
    for package in ("riikg/__init__.py", "loaders/__init__.py", "endpoint/__init__.py"):
        assert package in names
    assert any(n.startswith("endpoint/templates/") for n in names)
    code = (
        "import riikg.resources as r; "
        "print(r.ontology_dir()); print(r.shapes_dir()); print(r.data_dir())"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.split()
    assert out == [str(site / "riikg" / "_resources" / t) for t in ("ontology", "shapes", "data")]
