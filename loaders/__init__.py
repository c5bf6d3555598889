"""Loaders: sources -> rdflib graphs. No Flask, no store writes (the core pipeline writes).

Each loader has the shape ``load_x(source, graph, *, base_iri, store) -> Graph``
(see ``riikg.pipeline.Loader``). ``LOADERS`` maps the names used in manifests and by
``riikg load --loader`` to loader functions; docs/loaders.md describes each one.
"""

from __future__ import annotations

from pathlib import Path

from riikg.errors import LoadError
from riikg.pipeline import Loader

LOADERS: dict[str, Loader] = {}

#: loader chosen for a user-given file by its extension
LOADER_BY_SUFFIX: dict[str, str] = {}


def _register() -> None:
    from loaders.infrastructures import load_esfri, load_meril, load_riis
    from loaders.json_export import load_json_export
    from loaders.nuts import load_nuts
    from loaders.rdf_file import SUFFIXES, load_rdf_file
    from loaders.regions import load_partner_regions
    from loaders.ris3 import load_ris3
    from loaders.survey import load_survey_csv, load_survey_xlsx

    LOADERS.update(
        {
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
        }
    )
    LOADER_BY_SUFFIX.update({suffix: "rdf_file" for suffix in SUFFIXES})
    LOADER_BY_SUFFIX.update({".csv": "survey_csv", ".xlsx": "survey_xlsx", ".json": "json_export"})
    try:  # the remote SPARQL harvest lives in its own module (another owner)
        import importlib

        harvest = importlib.import_module("loaders.sparql_harvest")
    except ImportError:
        return
    names = ["load_sparql_harvest", "load"] + sorted(
        n for n in dir(harvest) if n.startswith("load_")
    )
    fn = next((getattr(harvest, n) for n in names if callable(getattr(harvest, n, None))), None)
    if fn is not None:
        LOADERS["sparql_harvest"] = fn


def survey_columns() -> list[str]:
    """Every column name the survey sheets accept (language columns shown as ``@en``)."""
    from loaders.survey import SHEETS

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
    """The loader name for a file, from its extension."""
    suffixes = "".join(path.suffixes[-2:]).lower()
    for suffix in (suffixes, path.suffix.lower()):
        if suffix in LOADER_BY_SUFFIX:
            return LOADER_BY_SUFFIX[suffix]
    known = ", ".join(sorted(LOADER_BY_SUFFIX)) or "none yet"
    raise LoadError(str(path), f"a file with a known extension ({known})")


_register()
