"""Docs stay honest: every route, .rq file, CLI command and make target is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from riikg.cli import cli

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _documented(prefix: str) -> bool:
    bare = prefix.rstrip(".")
    candidates = {prefix, bare, re.sub(r"\.(json|geojson|csv|xml|jsonld)$", "", bare)}
    return any(c and c in README for c in candidates)


def test_every_route_is_documented(app: Flask) -> None:
    undocumented = []
    for rule in app.url_map.iter_rules():
        prefix = str(rule.rule).split("<")[0]
        if prefix.startswith("/static/"):
            continue
        if not _documented(prefix):
            undocumented.append(str(rule.rule))
    assert undocumented == []


@pytest.mark.parametrize(
    "path",
    sorted(
        p.relative_to(ROOT)
        for pattern in ("riikg/rq/*.rq", "endpoint/queries/**/*.rq")
        for p in ROOT.glob(pattern)
    ),
    ids=str,
)
def test_every_query_file_is_documented(path: Path) -> None:
    assert path.name in README, f"{path} is not mentioned in README.md"


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_cli_command_is_documented(command: str) -> None:
    assert f"riikg {command}" in README


@pytest.mark.parametrize("target", ["serve", "test", "lint", "typecheck", "bench", "help"])
def test_make_targets_exist_and_are_documented(target: str) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(rf"^{target}:", makefile, re.M), target
    assert f"make {target}" in README


def test_quick_start_is_the_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1]
    commands = re.findall(r"^make \w+", quick.split("```")[1], re.M)
    assert commands == ["make serve", "make test"]
