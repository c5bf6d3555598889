"""The whole bundled dataset conforms: every source's provenance record says so, its warning
count matches its stored report, and the records themselves pass the provenance shapes."""

from __future__ import annotations

import time

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from riikg.namespaces import RIIKG, Kind, meta_graph, mint, nuts, report_graph, source_graph
from riikg.pipeline import reference_context
from riikg.resources import data_dir
from riikg.sources import read_manifest
from riikg.store.base import RdfFormat
from riikg.store.oxigraph import OxigraphStore
from riikg.validate import validate
from tests.conftest import IN_CI

if not (data_dir() / "sources.toml").is_file() and not IN_CI:
    pytest.skip("no bundled sources manifest yet (data/sources.toml)", allow_module_level=True)


def _graph(store: OxigraphStore, iri: URIRef) -> Graph:
    return Graph().parse(data=store.dump(str(iri), RdfFormat.NTRIPLES), format="nt")


def test_every_bundled_source_conforms(bundled_store: OxigraphStore) -> None:
    base = bundled_store.base
    sources = read_manifest()
    assert sources
    warnings: dict[str, int] = {}
    for source in sources:
        record = _graph(bundled_store, meta_graph(base, source.id))
        subject = source_graph(base, source.id)
        assert (subject, RDF.type, RIIKG.SourceGraph) in record, source.id
        assert record.value(subject, RIIKG.validationConforms) == Literal(True), source.id
        assert record.value(subject, RIIKG.validationViolations).toPython() == 0, source.id
        count = record.value(subject, RIIKG.validationWarnings).toPython()
        assert record.value(subject, RIIKG.validationReport) == report_graph(base, source.id)
        report = _graph(bundled_store, report_graph(base, source.id))
        assert list(report.subjects(RDF.type, SH.ValidationReport)), source.id
        stored = list(report.subjects(RDF.type, SH.ValidationResult))
        assert len(stored) == count, source.id
        assert all(report.value(r, SH.resultSeverity) != SH.Violation for r in stored)
        warnings[source.id] = count
        # the provenance record passes the provenance shapes
        outcome = validate(record)
        assert outcome.findings == [], outcome.summary()
    print("warnings per bundled source:", warnings)  # reported in the test log


def test_reference_context_follows_the_source_not_the_store(bundled_store: OxigraphStore) -> None:
    """A one-infrastructure source gets only its neighbourhood from a store of ~25k triples."""
    base = bundled_store.base
    ri = mint(base, Kind.INFRASTRUCTURE, "context-probe")
    data = Graph()
    data.add((ri, RDF.type, RIIKG.ResearchInfrastructure))
    data.add((ri, RIIKG.region, nuts("ITH55")))
    data.add((ri, RIIKG.operationStart, Literal("2010", datatype=XSD.gYear)))
    started = time.perf_counter()
    context = reference_context(bundled_store, data)
    elapsed = time.perf_counter() - started
    assert bundled_store.count() > 10_000
    assert 0 < len(context) < 500, len(context)
    assert (nuts("ITH55"), RDF.type, RIIKG.NUTSRegion) in context
    assert (nuts("ITH5"), RIIKG.nutsLevel, Literal(2)) in context  # the parents come along
    assert elapsed < 5
    outcome = validate(data, context=context)
    rejected = [f for f in outcome.violations if f.path == str(RIIKG.region)]
    assert not rejected, outcome.summary()
