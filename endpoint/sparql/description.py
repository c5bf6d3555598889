"""The SPARQL 1.1 Service Description of ``/sparql`` (what a machine gets without a query)."""

from __future__ import annotations

import pyoxigraph as ox

from endpoint.http.urls import ontology_url, sparql_endpoint, void_url
from riikg.config import Settings
from riikg.formats import W3C_FORMATS, Format, Kind, of_kind
from riikg.namespaces import PREFIXES
from riikg.store import Store

SD = "http://www.w3.org/ns/sparql-service-description#"
ENT = "http://www.w3.org/ns/entailment/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"


def limits_text(settings: Settings) -> str:
    """The limits, as one sentence (Service Description, editor page, README)."""
    return (
        f"Read-only. Each query may run {settings.query_timeout:g} s (a 'timeout' parameter "
        f"may ask for up to {settings.query_timeout_max:g} s) and is then stopped (503 with "
        f"Retry-After). Results are capped at {settings.max_rows} rows (triples for "
        "CONSTRUCT/DESCRIBE); a capped answer carries the headers 'X-Result-Truncated: true' "
        f"and 'X-Result-Max-Rows'. Queries are at most {settings.max_query_bytes} bytes and "
        f"{settings.max_query_depth} levels of brackets deep; at most "
        f"{settings.max_concurrent_per_client} queries run at once per client (429 with "
        "Retry-After beyond that). SERVICE, LOAD and updates are refused."
        + (
            f" A repeated query may be answered from a cache for up to "
            f"{settings.result_cache_ttl:g} s, never across a data change ('X-Cache: hit')."
            if settings.result_cache_mb > 0
            else ""
        )
    )


def description(settings: Settings, store: Store) -> list[ox.Triple]:
    """Triples of the Service Description."""
    endpoint = ox.NamedNode(sparql_endpoint(settings))

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    triples = [
        ox.Triple(endpoint, RDF_TYPE, sd("Service")),
        ox.Triple(endpoint, sd("endpoint"), endpoint),
        ox.Triple(endpoint, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(endpoint, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(endpoint, sd("defaultEntailmentRegime"), ox.NamedNode(ENT + "Simple")),
        ox.Triple(endpoint, ox.NamedNode(RDFS + "comment"), ox.Literal(limits_text(settings))),
        ox.Triple(
            endpoint,
            ox.NamedNode(RDFS + "seeAlso"),
            ox.NamedNode(ontology_url(settings)),
        ),
    ]
    if settings.service_allowlist:
        triples.append(ox.Triple(endpoint, sd("feature"), sd("BasicFederatedQuery")))
    # every format a query can be answered in (results, then graphs), named by its W3C IRI
    for fmt in (*of_kind(Kind.RESULTS), *of_kind(Kind.GRAPH)):
        if fmt.w3c is not None:
            triples.append(ox.Triple(endpoint, sd("resultFormat"), ox.NamedNode(fmt.w3c)))
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples += [
        ox.Triple(endpoint, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, ox.NamedNode(VOID + "sparqlEndpoint"), endpoint),
        ox.Triple(dataset, ox.NamedNode(RDFS + "seeAlso"), ox.NamedNode(void_url(settings))),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, sd("Graph")),
        ox.Triple(
            default_graph,
            ox.NamedNode(DCT + "description"),
            ox.Literal(
                "The default graph is the union of every source graph "
                f"({settings.base_iri}graph/source/*). Metadata ({settings.base_iri}graph/meta/*) "
                f"and validation reports ({settings.base_iri}graph/report/*) are named graphs, "
                "reached with GRAPH.",
                language="en",
            ),
        ),
    ]
    for i, name in enumerate(store.named_graphs()):
        node = ox.BlankNode(f"g{i}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(name)),
        ]
    return triples


def serialise(triples: list[ox.Triple], fmt: Format) -> bytes:
    """The description in one graph format (with prefixes where the format has them)."""
    prefixes = {
        "xsd": PREFIXES["xsd"],
        **{"sd": SD, "formats": W3C_FORMATS, "rdfs": RDFS, "dct": DCT, "void": VOID},
    }
    return ox.serialize(triples, format=fmt.rdf, prefixes=prefixes) or b""
