"""The bundled default dataset: counts, links, sources, provenance and stable IRIs."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, RDF, SKOS

from loaders import get_loader
from riikg.errors import SourceRefused
from riikg.namespaces import RIIKG, Kind, mint, nuts, nuts_scheme, source_graph
from riikg.pipeline import Status, load_source
from riikg.resources import data_dir, ontology_dir
from riikg.sources import read_manifest
from riikg.store.oxigraph import OxigraphStore
from tests.loaders.conftest import BASE, load_bundled

IDS = [s.id for s in read_manifest()]


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    return {sid: load_bundled(sid) for sid in IDS}


@pytest.fixture(scope="module")
def union(graphs: dict[str, Graph]) -> Graph:
    out = Graph()
    for g in graphs.values():
        for t in g:
            out.add(t)
    return out


def test_reference_data_loads_first() -> None:
    order = IDS
    for ref in ("ontology", "vocabularies", "nuts", "ris3"):
        for later in ("esfri", "meril", "riis"):
            assert order.index(ref) < order.index(later)


def test_manifest_lists_every_vocabulary_file() -> None:
    listed = {f.resolve() for s in read_manifest() for f in s.files}
    for path in sorted((ontology_dir() / "vocab").glob("*.ttl")):
        assert path.resolve() in listed, f"{path.name} is not in data/sources.toml"


def test_manifest_records_licence_attribution_and_date() -> None:
    for source in read_manifest():
        assert source.licence.startswith("http"), source.id
        assert source.attribution, source.id
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", source.retrieved), source.id
        assert all(f.is_file() for f in source.files), source.id
    meril = next(s for s in read_manifest() if s.id == "meril")
    assert "MERIL-2 has received funding" in meril.attribution
    nuts_source = next(s for s in read_manifest() if s.id == "nuts")
    assert "© European Union, Eurostat" in nuts_source.attribution
    assert "EuroGeographics" in nuts_source.attribution


def test_provenance_sha256_sums_match_the_files() -> None:
    text = (data_dir() / "PROVENANCE.md").read_text(encoding="utf-8")
    sums = re.findall(r"^\s+([0-9a-f]{64})\s+(\S+)$", text, re.MULTILINE)
    assert len(sums) >= 10
    for digest, name in sums:
        path = data_dir() / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, name


def test_every_real_infrastructure_and_organisation_has_a_source(union: Graph) -> None:
    subjects = set(union.subjects(RDF.type, RIIKG.ResearchInfrastructure))
    subjects |= set(union.subjects(RDF.type, ORG.Organization))
    subjects |= set(union.subjects(RDF.type, RIIKG.RIS3Priority))
    subjects |= set(union.subjects(RDF.type, RIIKG.RIS3Strategy))
    assert len(subjects) > 300
    missing = [s for s in subjects if not list(union.objects(s, DCTERMS.source))]
    assert not missing
    for s in subjects:
        for src in union.objects(s, DCTERMS.source):
            assert str(src).startswith(("http://", "https://")), (s, src)


def test_nuts_2024_all_levels_and_2021_replacements(graphs: dict[str, Graph]) -> None:
    g = graphs["nuts"]
    in_2024 = set(g.subjects(SKOS.inScheme, nuts_scheme("2024")))
    assert len(in_2024) == 1609
    levels = [int(g.value(s, RIIKG.nutsLevel)) for s in in_2024]  # type: ignore[arg-type]
    assert {lvl: levels.count(lvl) for lvl in range(4)} == {0: 27, 1: 119, 2: 271, 3: 1192}
    assert (nuts("LV00C"), DCTERMS.replaces, nuts("LV008")) in g
    assert (nuts("NL361"), DCTERMS.replaces, nuts("NL332")) in g
    assert (nuts("LV008"), SKOS.inScheme, nuts_scheme("2021")) in g
    assert (nuts("LV008"), SKOS.inScheme, nuts_scheme("2024")) not in g
    assert (nuts("ITH55"), SKOS.broader, nuts("ITH5")) in g
    assert (nuts("ITH55"), SKOS.inScheme, nuts_scheme("2021")) in g
    assert g.value(nuts("ITH55"), SKOS.notation) == Literal("ITH55")
    assert g.value(nuts("ITH55"), RIIKG.countryCode) == Literal("IT")
    assert g.value(nuts("ITH55"), SKOS.prefLabel) == Literal("Bologna", lang="it")
    assert g.value(nuts("ITH55"), URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat"))


def test_ris3_strategies_cover_their_regions(graphs: dict[str, Graph]) -> None:
    g = graphs["ris3"]
    strategies = set(g.subjects(RDF.type, RIIKG.RIS3Strategy))
    covered = {g.value(s, RIIKG.coversRegion) for s in strategies}
    for code in ("ITH5", "NL41", "BE2", "DED", "SE224", "CZ064", "LV", "EE", "CZ"):
        assert nuts(code) in covered, code
    priorities = set(g.subjects(RDF.type, RIIKG.RIS3Priority))
    assert len(priorities) == 75  # 77 rows minus 2 "gap" rows
    for p in priorities:
        assert g.value(p, SKOS.inScheme) in strategies
    agri = mint(BASE, Kind.RIS3_PRIORITY, "ith5-2021-2027--agri-food")
    assert (agri, SKOS.prefLabel, Literal("Agroalimentare", lang="it")) in g
    assert (agri, RIIKG.relatedKet, URIRef("https://w3id.org/riikg/vocab/ket/KET2009-IBIO")) in g


def test_partner_regions_network(graphs: dict[str, Graph]) -> None:
    g = graphs["partner-regions"]
    network = mint(BASE, Kind.NETWORK, "inno-infra-share")
    members = set(g.objects(network, RIIKG.memberRegion))
    assert members == {
        nuts(c) for c in ("ITH5", "NL414", "BE2", "DED4", "LV00C", "EE008", "CZ064", "SE224")
    }


def test_infrastructure_counts_and_regions(graphs: dict[str, Graph]) -> None:
    counts = {
        sid: len(set(graphs[sid].subjects(RDF.type, RIIKG.ResearchInfrastructure)))
        for sid in ("esfri", "meril", "riis")
    }
    # meril: 201 points inside a polygon + 6 within 10 km of one (holes, coastlines)
    assert counts == {"esfri": 50, "meril": 207, "riis": 54}
    project = ("IT", "NL", "BE", "DE", "LV", "EE", "CZ", "SE")
    for s in graphs["meril"].subjects(RDF.type, RIIKG.ResearchInfrastructure):
        regions = list(graphs["meril"].objects(s, RIIKG.region))
        assert len(regions) == 1
        code = str(regions[0]).rsplit("/", 1)[1]
        assert code[:2] in project and len(code) == 5


def test_same_infrastructure_in_two_sources_is_linked(graphs: dict[str, Graph]) -> None:
    def iri(slug: str) -> URIRef:
        return mint(BASE, Kind.INFRASTRUCTURE, slug)

    riis, meril = graphs["riis"], graphs["meril"]
    assert (iri("ess"), OWL.sameAs, iri("european-spallation-source-eric")) in riis
    assert (iri("ess"), OWL.sameAs, iri("ess-neutrons")) in riis
    assert (iri("max-iv"), OWL.sameAs, iri("max-iv-meril")) in riis
    assert (iri("ess-neutrons"), OWL.sameAs, iri("european-spallation-source-eric")) in meril
    # "ESS ERIC" on the ESFRI roadmap is the European Social Survey: no link by acronym
    assert (iri("ess"), OWL.sameAs, iri("ess-eric")) not in riis
    esfri = graphs["esfri"]
    ess = iri("european-spallation-source-eric")
    assert (ess, RIIKG.region, nuts("SE224")) in esfri
    assert (ess, RIIKG.memberOfNetwork, mint(BASE, Kind.NETWORK, "esfri-roadmap-2016")) in esfri
    linked = {o for _, o in riis.subject_objects(OWL.sameAs)}
    meril_iris = set(meril.subjects(RDF.type, RIIKG.ResearchInfrastructure))
    # every curated row whose coordinates come from MERIL points to that MERIL entry
    assert len(linked & meril_iris) == 9
    # sources never share an infrastructure IRI
    per_source = [
        set(graphs[s].subjects(RDF.type, RIIKG.ResearchInfrastructure))
        for s in ("esfri", "meril", "riis")
    ]
    assert not (per_source[0] & per_source[1] or per_source[0] & per_source[2])
    assert not per_source[1] & per_source[2]


def test_slugs_are_stable_across_base_iris() -> None:
    other = "https://kg.example.org/riikg/"

    def slugs(base: str) -> list[str]:
        g = load_bundled("riis", base)
        out = sorted(str(s)[len(base) :] for s in set(g.subjects()) if str(s).startswith(base))
        assert out
        return out

    assert slugs(BASE) == slugs(other)
    assert slugs(BASE) == slugs(BASE)  # and across reloads


def test_every_bundled_source_validates_through_the_pipeline() -> None:
    store = OxigraphStore.memory(BASE)
    refused = {}
    for source in read_manifest():
        try:
            load_source(store, source, get_loader(source.loader))
        except SourceRefused as exc:
            refused[source.id] = exc.summary[:2000]
    assert not refused, "\n".join(f"{k}: {v}" for k, v in refused.items())
    # in the store (the union of the source graphs): every real entity has its source
    unsourced = store.select(
        "PREFIX riikg: <https://w3id.org/riikg/ontology/> PREFIX org: <http://www.w3.org/ns/org#> "
        "PREFIX dct: <http://purl.org/dc/terms/> SELECT ?s WHERE { "
        "VALUES ?c { riikg:ResearchInfrastructure org:Organization riikg:RIS3Strategy "
        "riikg:RIS3Priority riikg:Network } ?s a ?c FILTER NOT EXISTS { ?s dct:source ?src } }"
    )
    assert unsourced == []
    # the generated sources have no blank nodes, so a second load writes nothing
    generated = [s for s in read_manifest() if s.loader != "rdf_file"]
    for source in generated:
        graph = str(source_graph(BASE, source.id))
        for q in store.quads(graph):
            assert not isinstance(q.subject, ox.BlankNode), source.id
            assert not isinstance(q.object, ox.BlankNode), source.id
    count, version = store.count(), store.version
    for source in generated:
        # force: read and compare the content, not only the file hashes
        report = load_source(store, source, get_loader(source.loader), force=True)
        assert report.status is Status.UNCHANGED, source.id
    assert (store.count(), store.version) == (count, version)


def test_template_matches_the_loader(tmp_path: Path) -> None:
    from loaders.survey import read_xlsx
    from loaders.template import HEADERS, write_templates

    written = write_templates(tmp_path)
    shipped_dir = data_dir() / "templates"
    for path in written:
        if path.suffix == ".csv":
            shipped = shipped_dir / path.name
            assert shipped.read_bytes() == path.read_bytes(), f"regenerate {shipped.name}"
    tables = read_xlsx(shipped_dir / "riikg-survey-template.xlsx")
    assert {name: t.columns for name, t in tables.items()} == HEADERS
    graph = load_bundled_template()
    assert len(graph) == 0


def load_bundled_template() -> Graph:
    from tests.loaders.conftest import run_loader

    return run_loader("survey_xlsx", data_dir() / "templates" / "riikg-survey-template.xlsx")


def test_every_point_lies_in_its_region(graphs: dict[str, Graph]) -> None:
    """Coordinates and NUTS regions agree (catches swapped latitude and longitude)."""
    from loaders.infrastructure_files import region_finder
    from riikg.namespaces import WGS

    finder = region_finder(data_dir() / "nuts" / "NUTS_RG_60M_2021_4326.geojson")
    checked = 0
    for sid in ("esfri", "meril", "riis"):
        g = graphs[sid]
        for s in g.subjects(RDF.type, RIIKG.ResearchInfrastructure):
            lat, lon = g.value(s, WGS.lat), g.value(s, WGS.long)
            region = g.value(s, RIIKG.region)
            if lat is None or lon is None or region is None:
                continue
            code = finder.place(float(lon), float(lat)).code
            stated = str(region).rsplit("/", 1)[1]
            if len(stated) == 2:  # ESFRI: the stated country wins over the polygons
                continue
            assert code[:2] == stated[:2], (s, lat, lon, region)
            checked += 1
    assert checked > 200
