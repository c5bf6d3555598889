"""Lookups into the bundled reference data: KETs by code or label, NUTS regions by code or label.

Survey sheets and curated files name KETs and regions the way people write them; these
indexes turn that into concept IRIs, or explain what was expected.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rdflib import URIRef

from riikg.errors import LoadError, Location
from riikg.namespaces import nuts, vocab_concept
from riikg.resources import data_dir

KET_2009 = "2009"
KET_2018 = "2018"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


@dataclass(frozen=True)
class Ket:
    ket_id: str
    list_version: str
    label: str


@lru_cache(maxsize=1)
def kets() -> tuple[Ket, ...]:
    """The KETs of ``data/curated/kets.csv`` (codes as in the KET vocabulary)."""
    text = (data_dir() / "curated" / "kets.csv").read_text(encoding="utf-8")
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        version = KET_2018 if row["ket_id"].startswith("KET2018") else KET_2009
        out.append(Ket(row["ket_id"], version, row["label"]))
    return tuple(out)


def _names(ket: Ket) -> list[str]:
    """Ways to write a KET: code, code suffix, label, label without and inside brackets."""
    label = _norm(ket.label)
    names = [ket.ket_id.lower(), ket.ket_id.split("-", 1)[1].lower(), label]
    bare = re.sub(r"\s*\(.*?\)\s*", " ", label).strip()
    names.append(bare)
    names += [_norm(m) for m in re.findall(r"\((.*?)\)", label)]
    return names


def find_ket(text: str, where: Location | str, version: str | None = None) -> URIRef:
    """The KET concept for a code or label (``KET2009-NANO``, ``nanotechnology``, ``AI``).

    Args:
        text: what the input says.
        where: location for the error.
        version: ``"2009"`` or ``"2018"`` to look only in one list.

    Raises:
        LoadError: no KET, or more than one, matches.

    Matching order: exact code or label, then label without/inside brackets or code suffix,
    then a unique label prefix ("advanced manufacturing").
    """
    query = _norm(text)
    pool = [k for k in kets() if version is None or k.list_version == version]
    tests: list[Callable[[Ket], bool]] = [
        lambda k: query in (k.ket_id.lower(), _norm(k.label)),
        lambda k: query in _names(k),
        lambda k: _norm(k.label).startswith(query + " "),
    ]
    for test in tests:
        hits = [k for k in pool if test(k)]
        if len(hits) == 1:
            return vocab_concept("ket", hits[0].ket_id)
        if len(hits) > 1:
            codes = ", ".join(k.ket_id for k in hits)
            raise LoadError(where, f"one KET, but {text!r} matches {codes}: write the code")
    codes = ", ".join(k.ket_id for k in pool)
    raise LoadError(where, f"a KET code or label (one of {codes}); got {text!r}")


@dataclass(frozen=True)
class Region:
    code: str
    country: str
    level: int
    label: str
    parent: str


@lru_cache(maxsize=1)
def nuts_2024() -> dict[str, Region]:
    """NUTS 2024 regions by code, from ``data/nuts/nuts_2024.csv``."""
    text = (data_dir() / "nuts" / "nuts_2024.csv").read_text(encoding="utf-8")
    return {
        row["nuts_code"]: Region(
            row["nuts_code"],
            row["country_code"],
            int(row["level"]),
            row["label"],
            row["parent_code"],
        )
        for row in csv.DictReader(io.StringIO(text))
    }


def correspondence_rows(text: str) -> list[dict[str, str]]:
    """Rows of the Eurostat NUTS 2021-2024 correspondence table (CSV text)."""
    return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(io.StringIO(text))]


def replacements(rows: list[dict[str, str]]) -> dict[str, str]:
    """NUTS 2024 code -> the 2021 code it replaces (when the code changed).

    A row with both codes different is a code change. Otherwise the table lists the
    discontinued 2021 code and the new 2024 code on two rows (``Boundary shift`` and
    ``New region``); they are paired when country, level and label are equal. A 2021 code
    without such a partner (merged away, e.g. LV007, DEG0N) replaces nothing.
    """
    out: dict[str, str] = {}
    old_only: dict[tuple[str, str, str], list[str]] = {}
    new_only: dict[tuple[str, str, str], list[str]] = {}
    for r in rows:
        old, new = r["code_2021"], r["code_2024"]
        key = (r["country_code"], r["level"], r["label"])
        if old and new and old != new:
            out[new] = old
        elif old and not new:
            old_only.setdefault(key, []).append(old)
        elif new and not old:
            new_only.setdefault(key, []).append(new)
    for key, olds in old_only.items():
        news = new_only.get(key, [])
        if len(olds) == 1 and len(news) == 1:
            out[news[0]] = olds[0]
    return out


def splits(rows: list[dict[str, str]]) -> dict[str, list[str]]:
    """Discontinued 2021 code of a ``Split`` row -> the new 2024 codes it was split into.

    The Eurostat table lists the parts right after the ``Split`` row, as ``New region`` rows
    of the same country and level with no 2021 code (PT17 -> PT1A, PT1B). ``Merged`` rows
    name no successor (code_2024 is empty and the next rows are other regions), so merged
    codes (LV007, DEG0N) are not in the result.
    """
    out: dict[str, list[str]] = {}
    for i, r in enumerate(rows):
        if r["change"].lower() != "split" or not r["code_2021"] or r["code_2024"]:
            continue
        parts: list[str] = []
        for nxt in rows[i + 1 :]:
            same = (nxt["country_code"], nxt["level"]) == (r["country_code"], r["level"])
            if not same or nxt["code_2021"] or not nxt["code_2024"]:
                break
            if nxt["change"].lower() == "new region":
                parts.append(nxt["code_2024"])
        if parts:
            out[r["code_2021"]] = parts
    return out


@lru_cache(maxsize=1)
def nuts_2021_to_2024() -> dict[str, str]:
    """NUTS 2021 code -> 2024 code (same code, code change, or paired boundary shift)."""
    text = (data_dir() / "nuts" / "nuts_2021_2024_correspondence.csv").read_text(encoding="utf-8")
    rows = correspondence_rows(text)
    out = {r["code_2021"]: r["code_2024"] for r in rows if r["code_2021"] and r["code_2024"]}
    out.update({old: new for new, old in replacements(rows).items()})
    return out


@lru_cache(maxsize=1)
def _nuts_by_label() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for region in nuts_2024().values():
        for part in {region.label, *region.label.split("/")}:
            if part.strip():
                index.setdefault(_norm(part), []).append(region.code)
    return index


def find_region(text: str, where: Location | str) -> URIRef:
    """The NUTS 2024 region for a code (``ITH55``), a 2021 code that was recoded, or a label.

    Raises:
        LoadError: unknown code, unknown or ambiguous label.
    """
    value = text.strip()
    code = value.upper()
    if code in nuts_2024():
        return nuts(code)
    if code in nuts_2021_to_2024() and nuts_2021_to_2024()[code] in nuts_2024():
        return nuts(nuts_2021_to_2024()[code])
    hits = _nuts_by_label().get(_norm(value), [])
    if len(hits) == 1:
        return nuts(hits[0])
    if len(hits) > 1:
        raise LoadError(
            where, f"one NUTS region, but {value!r} names {', '.join(hits)}: use the code"
        )
    raise LoadError(where, f"a NUTS 2024 code (e.g. ITH55) or region name; got {value!r}")
