"""The same fictional dataset as CSV, XLSX, JSON, Turtle and JSON-LD loads to one graph."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from riikg.errors import LoadError
from tests.loaders.conftest import BASE, CSV_FILES, VARIANTS, run_loader


def write_xlsx(path: Path) -> Path:
    """The CSV variant as one workbook with three sheets."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for csv_path in CSV_FILES:
        sheet = csv_path.stem.split("-", 1)[1]
        ws = book.create_sheet(sheet)
        with csv_path.open(encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.reader(fh)):
                # numbers as numbers, as a spreadsheet user would type them
                ws.append([float(v) if i and v.replace(".", "", 1).isdigit() else v for v in row])
    book.save(path)
    return path


def _diff(a: Graph, b: Graph) -> str:
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    return (
        "only in first:\n"
        + only_a.serialize(format="nt")
        + "\nonly in second:\n"
        + only_b.serialize(format="nt")
    )


@pytest.fixture(scope="module")
def reference() -> Graph:
    return run_loader("rdf_file", VARIANTS / "example.ttl")


def test_turtle_variant_is_not_trivial(reference: Graph) -> None:
    assert len(reference) > 40


@pytest.mark.parametrize("variant", ["csv", "xlsx", "json", "jsonld"])
def test_variants_are_isomorphic(variant: str, reference: Graph, tmp_path: Path) -> None:
    if variant == "csv":
        graph = run_loader("survey_csv", *CSV_FILES)
    elif variant == "xlsx":
        graph = run_loader("survey_xlsx", write_xlsx(tmp_path / "example.xlsx"))
    elif variant == "json":
        graph = run_loader("json_export", VARIANTS / "example.json")
    else:
        graph = run_loader("rdf_file", VARIANTS / "example.jsonld")
    assert isomorphic(graph, reference), _diff(graph, reference)


def test_equipment_may_name_its_infrastructure_by_slug(tmp_path: Path, reference: Graph) -> None:
    equipment = tmp_path / "x-equipment.csv"
    equipment.write_text(CSV_FILES[1].read_text(encoding="utf-8").replace("\nENL,", "\nenl,"))
    graph = run_loader("survey_csv", CSV_FILES[0], equipment, CSV_FILES[2])
    assert isomorphic(graph, reference)


def test_survey_locations_point_to_cells() -> None:
    from rdflib import URIRef

    from riikg.namespaces import RIIKG

    graph = run_loader("survey_csv", *CSV_FILES)
    enl = URIRef(BASE + "id/infrastructure/enl")
    where = graph.location_of(enl, RIIKG.region)
    assert where is not None
    assert str(where) == "example-infrastructures.csv:2:10 (region)"


def test_variant_conforms_to_the_shapes(reference: Graph) -> None:
    """The variant validates against the shapes with its regions and vocabularies at hand."""
    from loaders._reference import nuts_2024
    from riikg.namespaces import nuts
    from riikg.validate import validate

    nuts_graph = Graph()
    from tests.loaders.conftest import load_bundled

    full = load_bundled("nuts")
    for code in ("ITH55", "ITH5", "ITH", "IT", "NL414", "NL41", "NL4", "NL"):
        assert code in nuts_2024()
        for p, o in full.predicate_objects(nuts(code)):
            nuts_graph.add((nuts(code), p, o))
    outcome = validate(run_loader("survey_csv", *CSV_FILES), context=nuts_graph)
    assert outcome.conforms, outcome.summary()


@pytest.mark.parametrize(
    ("suffix", "rdflib_format"),
    [(".nt", "nt"), (".rdf", "xml"), (".nq", "nquads"), (".trig", "trig"), (".jsonld", "json-ld")],
)
def test_every_rdf_syntax_loads(
    suffix: str, rdflib_format: str, reference: Graph, tmp_path: Path
) -> None:
    from rdflib import Dataset, URIRef

    if rdflib_format in ("nquads", "trig"):
        # two named graphs in the file: all their triples go into the source's one graph
        data = Dataset()
        triples = sorted(reference)
        half = len(triples) // 2
        for name, part in (("a", triples[:half]), ("b", triples[half:])):
            g = data.graph(URIRef(f"http://example.org/graph/{name}"))
            for t in part:
                g.add(t)
        text = data.serialize(format=rdflib_format, encoding="utf-8")
    else:
        text = reference.serialize(format=rdflib_format, encoding="utf-8")
    path = tmp_path / f"example{suffix}"
    path.write_bytes(text)
    graph = run_loader("rdf_file", path)
    assert isomorphic(graph, reference), _diff(graph, reference)


def test_csv_with_bom_and_crlf_loads_the_same(tmp_path: Path, reference: Graph) -> None:
    files = []
    for path in CSV_FILES:
        copy = tmp_path / path.name
        text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
        copy.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        files.append(copy)
    assert isomorphic(run_loader("survey_csv", *files), reference)


def test_several_hosts_in_one_cell(tmp_path: Path) -> None:
    from rdflib import URIRef

    from riikg.namespaces import RIIKG

    path = tmp_path / "hosts.csv"
    path.write_text(
        "name@en,host,host_type,host_country,source_url\n"
        "Shared Lab,Example University; Example Institute,university; rto,IT,"
        "https://shared.example.org/\n",
        encoding="utf-8",
    )
    graph = run_loader("survey_csv", path)
    lab = URIRef(BASE + "id/infrastructure/shared-lab")
    hosts = sorted(str(h).rsplit("/", 1)[1] for h in graph.objects(lab, RIIKG.hostedBy))
    assert hosts == ["example-institute", "example-university"]
    institute = URIRef(BASE + "id/organisation/example-institute")
    assert str(graph.value(institute, RIIKG.organisationType)).endswith("/rto")
    assert str(graph.value(institute, RIIKG.countryCode)) == "IT"
    path.write_text(
        "name@en,host,host_type,source_url\n"
        "Shared Lab,A; B; C,university; rto,https://shared.example.org/\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError, match=r"hosts.csv:2:3 \(host_type\): one value, or one per host"):
        run_loader("survey_csv", path)


def test_one_host_described_two_ways_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hosts.csv"
    path.write_text(
        "name@en,host,host_type,source_url\n"
        "Lab A,Example University,university,https://a.example.org/\n"
        "Lab B,Example University,company,https://b.example.org/\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError, match=r"hosts.csv:3:3 \(host_type\): host type 'university'"):
        run_loader("survey_csv", path)
