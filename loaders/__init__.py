"""Loaders: sources -> rdflib graphs. No Flask, no store writes (the core pipeline writes).

Each loader has the shape ``load_x(source, graph, *, base_iri) -> Graph``
(see ``riikg.pipeline.Loader``). ``LOADERS`` maps the names used in manifests and by
``riikg load --loader`` to loader functions; it is the one list of loaders, and
docs/loaders.md describes each one.
"""

from __future__ import annotations

from pathlib import Path

from loaders.infrastructures import load_esfri, load_meril, load_riis
from loaders.json_export import load_json_export
from loaders.nuts import load_nuts
from loaders.rdf_file import extensions, load_rdf_file
from loaders.regions import load_partner_regions
from loaders.ris3 import load_ris3
from loaders.sparql_harvest import load_sparql_harvest
from loaders.survey import SHEETS, load_survey_csv, load_survey_xlsx
from riikg.errors import LoadError
from riikg.pipeline import Loader

LOADERS: dict[str, Loader] = {
    "survey_csv": load_survey_csv,
    "survey_xlsx": load_survey_xlsx,
    "json_export": load_json_export,
    "rdf_file": load_rdf_file,
    "nuts": load_nuts,
    "partner_regions": load_partner_regions,
    "ris3": load_ris3,
    "esfri": load_esfri,
    "meril": load_meril,
    "riis": load_riis,
    "sparql_harvest": load_sparql_harvest,
}

#: loader chosen for a user-given file by its extension
LOADER_BY_SUFFIX: dict[str, str] = {
    **{suffix: "rdf_file" for suffix in extensions()},
    ".csv": "survey_csv",
    ".xlsx": "survey_xlsx",
    ".json": "json_export",
}


def survey_columns() -> list[str]:
    """Every column name the survey sheets accept (language columns shown as ``@en``)."""
    out: list[str] = []
    for required, allowed, langs in SHEETS.values():
        for name in [*required, *allowed, *(f"{p}@en" for p in langs)]:
            if name not in out and name != "name":
                out.append(name)
    return out


def get_loader(name: str) -> Loader:
    """The loader registered under ``name``."""
    try:
        return LOADERS[name]
    except KeyError:
        known = ", ".join(sorted(LOADERS)) or "none"
        raise LoadError(f"loader {name!r}", f"one of: {known}") from None


def loader_for_path(path: Path) -> str:
    """The loader name for a file, from its (last) extension."""
    suffix = path.suffix.lower()
    if suffix in LOADER_BY_SUFFIX:
        return LOADER_BY_SUFFIX[suffix]
    known = ", ".join(sorted(LOADER_BY_SUFFIX))
    raise LoadError(str(path), f"a file with a known extension ({known})")
