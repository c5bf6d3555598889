"""The INNO INFRA SHARE partnership: a ``riikg:Network`` of eight partner regions.

Modelled additively (docs/loaders.md): the network ``{base}id/network/inno-infra-share``
with ``riikg:memberRegion`` for each partner's NUTS 2024 region, and each partner
organisation as an ``org:Organization`` with ``riikg:memberOfNetwork`` the network and
``dct:spatial`` its region. Every statement carries the row's ``source_url``.
"""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

from loaders._reference import find_region
from loaders.tables import Columns, read_csv_table
from loaders.values import http_iri
from riikg.errors import LoadError
from riikg.namespaces import RIIKG, Kind, mint, slugify
from riikg.sources import Source, SourceGraph

COLUMNS = (
    "partner_organisation country_code region_name nuts_level nuts_2024_code nuts_2021_code "
    "nuts_uri_2024 source_url mapping_note"
).split()
REQUIRED = ("partner_organisation", "country_code", "nuts_2024_code", "source_url")
NETWORK_NAME = "INNO INFRA SHARE"


def load_partner_regions(source: Source, graph: SourceGraph, *, base_iri: str) -> Graph:
    """Loader ``partner_regions``: the partnership, its regions and partner organisations."""
    network = mint(base_iri, Kind.NETWORK, slugify(NETWORK_NAME))
    graph.add((network, RDF.type, RIIKG.Network))
    graph.add((network, SKOS.prefLabel, Literal(NETWORK_NAME, lang="en")))
    graph.add(
        (
            network,
            DCTERMS.description,
            Literal(
                "Interreg Europe project of eight European regions sharing research and "
                "innovation infrastructures with SMEs.",
                lang="en",
            ),
        )
    )
    if source.homepage:
        graph.add((network, DCTERMS.source, http_iri(source.homepage, source.id)))
    for path in source.files:
        table = read_csv_table(path, Columns(REQUIRED, COLUMNS))
        for row in table.rows:
            code_cell = row.get("nuts_2024_code")
            src_cell = row.get("source_url")
            if code_cell is None or src_cell is None:
                raise LoadError(row.where, "nuts_2024_code and source_url")
            region = find_region(code_cell.value, code_cell.where)
            src = http_iri(src_cell.value, src_cell.where, "a source URL")
            graph.add((network, RIIKG.memberRegion, region))
            graph.add((network, DCTERMS.source, src))
            name = row.text("partner_organisation")
            org = mint(base_iri, Kind.ORGANISATION, slugify(name))
            graph.add((org, RDF.type, ORG.Organization))
            graph.add((org, SKOS.prefLabel, Literal(name)))
            graph.add((org, RIIKG.countryCode, Literal(row.text("country_code").upper())))
            graph.add((org, RIIKG.memberOfNetwork, network))
            graph.add((org, DCTERMS.spatial, region))
            graph.add((org, DCTERMS.source, src))
            graph.locate(org, None, row.where)
            graph.locate(network, RIIKG.memberRegion, code_cell.where)
    return graph
