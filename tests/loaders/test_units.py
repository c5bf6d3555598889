"""Smaller pieces: registry, lookups, slugs, XLSX limits, point-in-polygon."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from rdflib import URIRef

from loaders import LOADER_BY_SUFFIX, LOADERS, get_loader, loader_for_path
from loaders._reference import find_ket, find_region
from loaders.infrastructure_files import region_finder, repo_url, split_acronym
from loaders.records import Infrastructure, assign_slugs
from loaders.survey import read_xlsx
from riikg.errors import LoadError, Location
from riikg.resources import data_dir

KET = "https://w3id.org/riikg/vocab/ket/"
HERE = Location("t.csv", row=2, column=1)


def test_registry_names_every_loader() -> None:
    expected = {"survey_csv", "survey_xlsx", "json_export", "rdf_file", "nuts"}
    expected |= {"partner_regions", "ris3", "esfri", "meril", "riis"}
    assert expected <= set(LOADERS)
    assert loader_for_path(Path("x.CSV")) == "survey_csv"
    assert loader_for_path(Path("x.xlsx")) == "survey_xlsx"
    assert loader_for_path(Path("x.json")) == "json_export"
    for suffix in (".ttl", ".nt", ".nq", ".trig", ".rdf", ".jsonld"):
        assert LOADER_BY_SUFFIX[suffix] == "rdf_file"
    with pytest.raises(LoadError, match="one of"):
        get_loader("nope")
    from loaders import survey_columns

    columns = survey_columns()
    assert {"name@en", "source_url", "infrastructure", "access_modes"} <= set(columns)
    with pytest.raises(LoadError, match="known extension"):
        loader_for_path(Path("x.docx"))


@pytest.mark.parametrize(
    ("text", "version", "code"),
    [
        ("KET2009-NANO", None, "KET2009-NANO"),
        ("nanotechnology", None, "KET2009-NANO"),
        ("Micro- and nanoelectronics", None, "KET2009-MNE"),
        ("AI", None, "KET2018-AI"),
        ("advanced manufacturing technologies", "2009", "KET2009-AMT"),
        ("advanced manufacturing", "2018", "KET2018-AMAN"),
        ("security and connectivity", None, "KET2018-SEC"),
    ],
)
def test_ket_lookup(text: str, version: str | None, code: str) -> None:
    assert find_ket(text, HERE, version) == URIRef(KET + code)


def test_ket_lookup_refuses_unknown_and_ambiguous() -> None:
    with pytest.raises(LoadError, match="a KET code or label"):
        find_ket("quantum", HERE)
    with pytest.raises(LoadError, match="write the code"):
        find_ket("advanced manufacturing", HERE)


def test_region_lookup() -> None:
    base = "http://data.europa.eu/nuts/code/"
    assert find_region("ith55", HERE) == URIRef(base + "ITH55")
    assert find_region("LV008", HERE) == URIRef(base + "LV00C")  # 2021 code, recoded
    assert find_region("NL332", HERE) == URIRef(base + "NL361")
    assert find_region("Bologna", HERE) == URIRef(base + "ITH55")
    with pytest.raises(LoadError, match="t.csv:2:1: a NUTS 2024 code"):
        find_region("Atlantis", HERE)


def test_slug_collisions_follow_the_documented_rule() -> None:
    where = Location("t.csv", row=2)
    records = [
        Infrastructure(names={"en": "Lab One"}, where=where, acronym="LAB", regions=["ITH55"]),
        Infrastructure(names={"en": "Lab Two"}, where=where, acronym="LAB", regions=["NL414"]),
        Infrastructure(names={"en": "Lab Three"}, where=where, acronym="LAB"),
        Infrastructure(names={"en": "Lab Four"}, where=where, acronym="LAB"),
        Infrastructure(names={"it": "Laboratorio Ångström"}, where=where),
    ]
    assert assign_slugs(records) == [
        "lab-ith55",
        "lab-nl414",
        "lab",
        "lab-2",
        "laboratorio-angstrom",
    ]


def test_helpers_for_curated_rows() -> None:
    assert split_acronym("Sea Mammal Research Unit (SMRU)") == ("Sea Mammal Research Unit", "SMRU")
    assert split_acronym("No acronym") == ("No acronym", "")
    ref = "repo macfreek/data-cartography path results/x.geojson commit " + "a" * 40
    assert (
        repo_url(ref)
        == f"https://github.com/macfreek/data-cartography/blob/{'a' * 40}/results/x.geojson"
    )


def test_point_in_polygon_maps_2021_to_2024() -> None:
    finder = region_finder(data_dir() / "nuts" / "NUTS_RG_60M_2021_4326.geojson")
    assert finder.code_at(11.3426, 44.4949) == "ITH55"  # Bologna
    assert finder.code_at(25.4, 57.5) == "LV00C"  # Valmiera: LV008 in 2021, LV00C in 2024
    assert finder.code_at(-30.0, 40.0) == ""  # the Atlantic


def test_xlsx_zip_bomb_is_refused(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(LoadError, match="zip bomb"):
        read_xlsx(path)


@pytest.mark.parametrize(
    ("scheme", "codes"),
    [
        ("infrastructure-type", "INFRASTRUCTURE_TYPES"),
        ("organisation-type", "ORGANISATION_TYPES"),
        ("status", "STATUSES"),
        ("access-mode", "ACCESS_MODES"),
        ("fee-policy", "FEE_POLICIES"),
        ("scientific-domain", "SCIENTIFIC_DOMAINS"),
    ],
)
def test_accepted_codes_are_the_vocabulary_concepts(scheme: str, codes: str) -> None:
    from rdflib import Graph
    from rdflib.namespace import SKOS

    from loaders import records
    from riikg.namespaces import vocab_scheme
    from riikg.resources import ontology_dir

    graph = Graph()
    graph.parse(data=(ontology_dir() / "vocab" / f"{scheme}.ttl").read_bytes(), format="turtle")
    concepts = {
        str(c).rsplit("/", 1)[1] for c in graph.subjects(SKOS.inScheme, vocab_scheme(scheme))
    }
    assert set(getattr(records, codes)) == concepts


@pytest.mark.parametrize(
    ("text", "lexical"), [("5.0", "5"), ("44.50", "44.5"), ("100", "100"), ("-0.25", "-0.25")]
)
def test_decimals_are_canonical(text: str, lexical: str) -> None:
    """Stored literals equal what the loader wrote, so an unchanged reload writes nothing."""
    from loaders.values import decimal_in

    assert str(decimal_in(text, -180, 180, HERE, "longitude")) == lexical


def test_every_loader_is_in_the_one_registry() -> None:
    from loaders.sparql_harvest import load_sparql_harvest

    assert LOADERS["sparql_harvest"] is load_sparql_harvest
    assert len(LOADERS) == 11


def test_rdf_extensions_come_from_the_formats_table() -> None:
    """The extensions ``rdf_file`` accepts are those it accepted before ``riikg.formats``."""
    from loaders.rdf_file import syntax_of
    from riikg import formats

    rdf = {suffix for suffix, name in LOADER_BY_SUFFIX.items() if name == "rdf_file"}
    assert rdf == {".ttl", ".turtle", ".nt", ".nq", ".trig", ".rdf", ".owl", ".xml"} | {
        ".jsonld",
        ".json-ld",
    }
    assert syntax_of(Path("a.OWL")) is formats.RDFXML
    assert syntax_of(Path("a.xml")) is formats.RDFXML
    assert syntax_of(Path("a.turtle")) is formats.TURTLE
    assert syntax_of(Path("a.json-ld")) is formats.JSONLD
    assert syntax_of(Path("a.json"), "rdf/xml") is formats.RDFXML
    # a compressed file is not an RDF file, for the CLI and for the loader
    for path in (Path("dump.nt.gz"), Path("a.json")):
        with pytest.raises(LoadError, match="extension"):
            syntax_of(path)
    with pytest.raises(LoadError, match="known extension"):
        loader_for_path(Path("dump.nt.gz"))
    # the format option takes the syntax names, not every word of the table
    with pytest.raises(LoadError, match="format option: one of turtle, json-ld, n-triples"):
        syntax_of(Path("a.ttl"), "xml")


def test_harvest_asks_for_and_reads_the_formats_of_the_table() -> None:
    from loaders.sparql_harvest import ACCEPT, _answer_format
    from riikg import formats

    assert ACCEPT == (
        "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8, application/rdf+xml;q=0.5"
    )
    assert _answer_format("text/plain") is formats.NTRIPLES
    assert _answer_format("application/x-turtle") is formats.TURTLE
    assert _answer_format("application/rdf+xml") is formats.RDFXML
    for refused in ("text/html", "application/ld+json", "application/n-quads", ""):
        assert _answer_format(refused) is None
