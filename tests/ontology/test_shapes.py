"""Every shape has a conforming example (data/good.ttl) and at least one failing one (CASES).

Each failing case edits a few triples of the conforming dataset and names the shape
(``sh:sourceShape``), the path (``sh:resultPath``) and the severity it must produce.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from riikg.validate import SHAPES_NS, Outcome, shapes_graph, validate

PREFIXES = """
@prefix riikg: <https://w3id.org/riikg/ontology/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix schema: <http://schema.org/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix locn: <http://www.w3.org/ns/locn#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix nuts: <http://data.europa.eu/nuts/code/> .
@prefix ket: <https://w3id.org/riikg/vocab/ket/> .
@prefix v: <https://w3id.org/riikg/vocab/> .
@prefix id: <http://localhost:8080/id/> .
@prefix src: <http://localhost:8080/graph/source/> .
"""

RI = "id:infrastructure\\/lab"
ORG = "id:organisation\\/uni"
CT = "id:contact\\/lab"
EQ = "id:equipment\\/lab--sem"
SV = "id:service\\/lab--testing"
NET = "id:network\\/example-network"
S3 = "id:ris3-strategy\\/ith5-2021-2027"
P3 = "id:ris3-priority\\/ith5-2021-2027--agri-food"
PV = "src:example"
ONT = "<https://w3id.org/riikg/ontology/example-ontology>"
VT = "<https://w3id.org/riikg/vocab/test/x>"
VS = "<https://w3id.org/riikg/vocab/test>"
VOCAB_OK = f"""{VT} a skos:Concept ; skos:inScheme {VS} ; skos:topConceptOf {VS} ;
    skos:notation "x" ; skos:prefLabel "x"@en ; skos:definition "An x."@en ."""


@dataclass(frozen=True)
class Case:
    shape: str  # local name under https://w3id.org/riikg/shapes/
    path: str | None  # prefixed name of the expected sh:resultPath (None: node-level)
    add: str = ""  # Turtle (without prefixes) added to good.ttl
    remove: str = ""  # Turtle of triples removed from good.ttl
    severity: str = "Violation"


CASES = [
    # research infrastructure
    Case(
        "RI-prefLabel",
        "skos:prefLabel",
        remove=f'{RI} skos:prefLabel "Example Lab"@en, "Laboratorio Esempio"@it .',
    ),
    Case("RI-prefLabel", "skos:prefLabel", add=f'{RI} skos:prefLabel "Another name"@en .'),
    Case("RI-prefLabel", "skos:prefLabel", add=f'{RI} skos:prefLabel "untagged" .'),
    Case("RI-altLabel", "skos:altLabel", add=f"{RI} skos:altLabel <http://example.org/x> ."),
    Case("RI-description", "dct:description", add=f'{RI} dct:description "no language" .'),
    Case(
        "RI-descriptionRecommended",
        "dct:description",
        remove=f'{RI} dct:description "A laboratory for examples."@en .',
        severity="Warning",
    ),
    Case(
        "RI-infrastructureType",
        "riikg:infrastructureType",
        add=f"{RI} riikg:infrastructureType <https://w3id.org/riikg/vocab/status/operational> .",
    ),
    Case("RI-hostedBy", "riikg:hostedBy", add=f"{RI} riikg:hostedBy id:organisation\\/unknown ."),
    Case(
        "RI-hostedByRecommended",
        "riikg:hostedBy",
        remove=f"{RI} riikg:hostedBy {ORG} .",
        severity="Warning",
    ),
    Case("RI-region", "riikg:region", add=f"{RI} riikg:region nuts:XX99 ."),
    Case(
        "RI-region", "riikg:region", add=f"{RI} riikg:region <http://example.org/region/bologna> ."
    ),
    Case(
        "RI-regionRecommended",
        "riikg:region",
        remove=f"{RI} riikg:region nuts:ITH55 .",
        severity="Warning",
    ),
    Case("RI-locality", "riikg:locality", add=f'{RI} riikg:locality "Bologna"@it .'),
    Case("RI-lat", "wgs:lat", add=f"{RI} wgs:lat 95.0 .", remove=f"{RI} wgs:lat 44.49 ."),
    Case(
        "RI-lat",
        "wgs:lat",
        add=f'{RI} wgs:lat "44.49"^^xsd:double .',
        remove=f"{RI} wgs:lat 44.49 .",
    ),
    Case("RI-long", "wgs:long", add=f"{RI} wgs:long -180.5 .", remove=f"{RI} wgs:long 11.34 ."),
    Case(
        "RI-geometry",
        "locn:geometry",
        add=f'{RI} locn:geometry "POINT(11.34)"^^geo:wktLiteral .',
        remove=f'{RI} locn:geometry "POINT(11.34 44.49)"^^geo:wktLiteral .',
    ),
    Case(
        "RI-ket",
        "riikg:ket",
        add=f"{RI} riikg:ket <https://w3id.org/riikg/vocab/access-mode/wide> .",
    ),
    Case("RI-ket", "riikg:ket", add=f"{RI} riikg:ket ket:KET2009-NOPE ."),
    Case(
        "RI-supportsPriority",
        "riikg:supportsPriority",
        add=f"{RI} riikg:supportsPriority id:ris3-priority\\/unknown .",
    ),
    Case(
        "SupportedPriorityShape",
        "riikg:supportsPriority",
        add=f"{RI} riikg:supportsPriority id:ris3-priority\\/nl41-2021-2027--energy .",
    ),
    Case(
        "RI-scientificDomain",
        "riikg:scientificDomain",
        add=f"{RI} riikg:scientificDomain ket:KET2009-NANO .",
    ),
    Case(
        "RI-status",
        "adms:status",
        add=f"{RI} adms:status <https://w3id.org/riikg/vocab/status/planned> .",
    ),
    Case(
        "RI-status",
        "adms:status",
        add=f"{RI} adms:status <https://w3id.org/riikg/vocab/status/closed> .",
        remove=f"{RI} adms:status <https://w3id.org/riikg/vocab/status/operational> .",
    ),
    Case(
        "RI-homepage",
        "foaf:homepage",
        add=f"{RI} foaf:homepage <javascript:alert(1)> .",
        remove=f"{RI} foaf:homepage <https://lab.example.org/> .",
    ),
    Case(
        "RI-contactPoint", "dcat:contactPoint", add=f"{RI} dcat:contactPoint id:contact\\/nobody ."
    ),
    Case(
        "RI-memberOfNetwork",
        "riikg:memberOfNetwork",
        add=f"{RI} riikg:memberOfNetwork id:network\\/none .",
    ),
    Case(
        "RI-hasEquipment",
        "riikg:hasEquipment",
        add=f"{RI} riikg:hasEquipment id:equipment\\/none .",
    ),
    Case(
        "RI-offersService",
        "riikg:offersService",
        add=f"{RI} riikg:offersService id:service\\/none .",
    ),
    Case(
        "RI-accessInformation",
        "riikg:accessInformation",
        add=f'{RI} riikg:accessInformation "Also open."@en .',
    ),
    Case("RI-merilId", "riikg:merilId", add=f"{RI} riikg:merilId 12345 ."),
    Case(
        "RI-esfriRoadmapEntry",
        "riikg:esfriRoadmapEntry",
        add=f'{RI} riikg:esfriRoadmapEntry "2016" .',
        remove=f'{RI} riikg:esfriRoadmapEntry "2016"^^xsd:gYear .',
    ),
    Case(
        "RI-operationStart",
        "riikg:operationStart",
        add=f"{RI} riikg:operationStart 2010 .",
        remove=f'{RI} riikg:operationStart "2010"^^xsd:gYear .',
    ),
    Case("RI-legalStatus", "riikg:legalStatus", add=f'{RI} riikg:legalStatus "ERIC" .'),
    Case("RI-sameAs", "owl:sameAs", add=f'{RI} owl:sameAs "Q42" .'),
    Case("RI-identifier", "adms:identifier", add=f"{RI} adms:identifier id:identifier\\/untyped ."),
    Case("RI-source", "dct:source", remove=f"{RI} dct:source <https://lab.example.org/about> ."),
    Case("RI-source", "dct:source", add=f'{RI} dct:source "the lab web site" .'),
    Case("ResearchInfrastructureShape", None, remove=f"{RI} wgs:long 11.34 ."),
    Case(
        "IdentifierShape", "skos:notation", add='id:identifier\\/lab-meril skos:notation "other" .'
    ),
    Case("IdentifierShape", "dct:creator", add='id:identifier\\/lab-meril dct:creator "MERIL" .'),
    # equipment
    Case(
        "EQ-prefLabel",
        "skos:prefLabel",
        remove=f'{EQ} skos:prefLabel "Scanning electron microscope"@en .',
    ),
    Case(
        "EQ-description",
        "dct:description",
        remove=f'{EQ} dct:description "A SEM."@en .',
        severity="Warning",
    ),
    Case("EQ-equipmentType", "riikg:equipmentType", add=f"{EQ} riikg:equipmentType 42 ."),
    Case(
        "EQ-manufacturer",
        "schema:manufacturer",
        add=f"{EQ} schema:manufacturer <http://example.org/maker> .",
    ),
    Case("EQ-model", "schema:model", add=f"{EQ} schema:model 1 ."),
    Case("EQ-partOf", "riikg:partOf", remove=f"{EQ} riikg:partOf {RI} ."),
    Case("EQ-inverse", "^riikg:hasEquipment", remove=f"{RI} riikg:hasEquipment {EQ} ."),
    Case("EQ-source", "dct:source", add=f'{EQ} dct:source "a page" .'),
    # service
    Case("SV-prefLabel", "skos:prefLabel", remove=f'{SV} skos:prefLabel "Materials testing"@en .'),
    Case(
        "SV-description",
        "dct:description",
        remove=f'{SV} dct:description "Testing of material samples."@en .',
        severity="Warning",
    ),
    Case(
        "SV-accessMode",
        "riikg:accessMode",
        add=f"{SV} riikg:accessMode <https://w3id.org/riikg/vocab/fee-policy/free> .",
    ),
    Case(
        "SV-accessModeRecommended",
        "riikg:accessMode",
        remove=f"{SV} riikg:accessMode <https://w3id.org/riikg/vocab/access-mode/market-driven> .",
        severity="Warning",
    ),
    Case("SV-smeEligible", "riikg:smeEligible", add=f'{SV} riikg:smeEligible "yes" .'),
    Case(
        "SV-feePolicy",
        "riikg:feePolicy",
        add=f"{SV} riikg:feePolicy <https://w3id.org/riikg/vocab/access-mode/wide> .",
        remove=f"{SV} riikg:feePolicy <https://w3id.org/riikg/vocab/fee-policy/cost-based> .",
    ),
    Case(
        "SV-accessConditions",
        "riikg:accessConditions",
        add=f"{SV} riikg:accessConditions <http://example.org/terms> .",
    ),
    Case("SV-providedBy", "riikg:providedBy", remove=f"{SV} riikg:providedBy {RI} ."),
    Case("SV-inverse", "^riikg:offersService", remove=f"{RI} riikg:offersService {SV} ."),
    Case("SV-source", "dct:source", add=f"{SV} dct:source <ftp://example.org/services> ."),
    # contact point
    Case(
        "ContactShape",
        None,
        remove=f'{CT} vcard:fn "Lab office" ; vcard:hasEmail <mailto:office@lab.example.org> ;'
        " vcard:hasURL <https://lab.example.org/contact> .",
    ),
    Case("CT-fn", "vcard:fn", add=f"{CT} vcard:fn <http://example.org/office> ."),
    Case("CT-email", "vcard:hasEmail", add=f'{CT} vcard:hasEmail "office@lab.example.org" .'),
    Case("CT-email", "vcard:hasEmail", add=f"{CT} vcard:hasEmail <https://lab.example.org/mail> ."),
    Case("CT-url", "vcard:hasURL", add=f"{CT} vcard:hasURL <javascript:alert(1)> ."),
    # organisation and network
    Case(
        "ORG-prefLabel", "skos:prefLabel", remove=f'{ORG} skos:prefLabel "Example University"@en .'
    ),
    Case(
        "ORG-organisationType",
        "riikg:organisationType",
        add=f"{ORG} riikg:organisationType <https://w3id.org/riikg/vocab/status/planned> .",
    ),
    Case(
        "ORG-organisationTypeRecommended",
        "riikg:organisationType",
        remove=f"{ORG} riikg:organisationType v:organisation-type\\/university .",
        severity="Warning",
    ),
    Case(
        "ORG-countryCode",
        "riikg:countryCode",
        add=f'{ORG} riikg:countryCode "ita" .',
        remove=f'{ORG} riikg:countryCode "IT" .',
    ),
    Case(
        "ORG-rorId",
        "riikg:rorId",
        add=f'{ORG} riikg:rorId "not-a-ror" .',
        remove=f'{ORG} riikg:rorId "01abcde23" .',
    ),
    Case("ORG-homepage", "foaf:homepage", add=f"{ORG} foaf:homepage <ftp://uni.example.org/> ."),
    Case("ORG-source", "dct:source", add=f'{ORG} dct:source "uni web site" .'),
    Case(
        "ORG-memberOfNetwork",
        "riikg:memberOfNetwork",
        add=f"{ORG} riikg:memberOfNetwork id:network\\/none .",
    ),
    Case("NET-memberRegion", "riikg:memberRegion", add=f"{NET} riikg:memberRegion nuts:XX1 ."),
    Case("NET-prefLabel", "skos:prefLabel", remove=f'{NET} skos:prefLabel "Example Network"@en .'),
    Case(
        "NET-description", "dct:description", add=f"{NET} dct:description <http://example.org/d> ."
    ),
    Case("NET-homepage", "foaf:homepage", add=f"{NET} foaf:homepage <mailto:x@example.org> ."),
    Case("NET-source", "dct:source", add=f'{NET} dct:source "text" .'),
    # NUTS regions
    Case(
        "NUTSRegionShape",
        None,
        add="<http://example.org/region/x> a skos:Concept, riikg:NUTSRegion ;"
        ' skos:inScheme <http://data.europa.eu/nuts/scheme/2024> ; skos:notation "XX" ;'
        ' riikg:nutsLevel 0 ; skos:prefLabel "X" .',
    ),
    Case("NUTSRegionShape", None, remove="nuts:ITH55 skos:broader nuts:ITH5 ."),
    Case("NUTSRegionShape", None, add="nuts:IT skos:broader nuts:NL ."),
    Case("NUTS-type", "rdf:type", remove="nuts:ITH55 a skos:Concept ."),
    Case(
        "NUTS-inScheme",
        "skos:inScheme",
        remove="nuts:ITH55 skos:inScheme <http://data.europa.eu/nuts/scheme/2024> .",
    ),
    Case(
        "NUTS-inScheme",
        "skos:inScheme",
        add="nuts:ITH55 skos:inScheme <http://example.org/scheme> .",
    ),
    Case("NUTS-notation", "skos:notation", add='nuts:ITH55 skos:notation "ITH56" .'),
    Case(
        "NUTS-level",
        "riikg:nutsLevel",
        add="nuts:ITH55 riikg:nutsLevel 4 .",
        remove="nuts:ITH55 riikg:nutsLevel 3 .",
    ),
    Case("NUTS-broader", "skos:broader", add="nuts:ITH55 skos:broader nuts:ITH ."),
    Case("NUTS-prefLabel", "skos:prefLabel", remove='nuts:ITH55 skos:prefLabel "Bologna"@it .'),
    Case(
        "NUTS-countryCode",
        "riikg:countryCode",
        add='nuts:ITH riikg:countryCode "Italy" .',
        remove='nuts:ITH riikg:countryCode "IT" .',
    ),
    Case("NUTS-lat", "wgs:lat", add='nuts:ITH55 wgs:lat "north" .'),
    Case(
        "NUTS-long",
        "wgs:long",
        add="nuts:ITH55 wgs:long 200.0 .",
        remove="nuts:ITH55 wgs:long 11.34 .",
    ),
    Case("NUTS-geometry", "locn:geometry", add='nuts:ITH55 locn:geometry "POINT(1 2)" .'),
    Case("NUTS-replaces", "dct:replaces", add='nuts:ITH55 dct:replaces "ITH55" .'),
    Case(
        "NUTS-parentLevel",
        "skos:broader / riikg:nutsLevel",
        add="nuts:ITH skos:broader nuts:ITH55 .",
        remove="nuts:ITH skos:broader nuts:IT .",
    ),
    # SKOS concepts and the riikg vocabularies
    Case(
        "C-prefLabel",
        "skos:prefLabel",
        add="<http://example.org/c> a skos:Concept ; skos:inScheme <http://example.org/s> .",
    ),
    Case(
        "C-inScheme",
        "skos:inScheme",
        add='<http://example.org/c> a skos:Concept ; skos:prefLabel "c"@en .',
    ),
    Case("VC-prefLabel", "skos:prefLabel", add=VOCAB_OK.replace('"x"@en', '"x"@de')),
    Case("VC-definition", "skos:definition", add=VOCAB_OK.replace('"An x."@en', '"Ein x."@de')),
    Case("VC-notation", "skos:notation", add=VOCAB_OK + f' {VT} skos:notation "y" .'),
    Case(
        "VC-topConceptOf",
        "skos:topConceptOf",
        add=VOCAB_OK.replace(f"skos:topConceptOf {VS} ;", ""),
        severity="Warning",
    ),
    Case(
        "KET-source",
        "dct:source",
        add=VOCAB_OK.replace(VS, "<https://w3id.org/riikg/vocab/ket>")
        + ' <https://w3id.org/riikg/vocab/test/x> skos:note "n"@en .',
    ),
    Case(
        "KET-note",
        "skos:note",
        add=VOCAB_OK.replace(VS, "<https://w3id.org/riikg/vocab/ket>")
        + " <https://w3id.org/riikg/vocab/test/x> dct:source <https://example.org/k> .",
    ),
    Case(
        "VocabSchemeShape",
        "skos:prefLabel",
        add=f'{VS} a skos:ConceptScheme ; skos:prefLabel "Test"@de ; skos:hasTopConcept {VT} .',
    ),
    Case(
        "VocabSchemeShape",
        "skos:hasTopConcept",
        add=f'{VS} a skos:ConceptScheme ; skos:prefLabel "Test"@en .',
    ),
    Case(
        "CollectionShape",
        "skos:member",
        add='<http://example.org/vocab/empty> a skos:Collection ; skos:prefLabel "Empty"@en .',
    ),
    Case(
        "CollectionShape",
        "skos:prefLabel",
        add="<http://example.org/vocab/unnamed> a skos:Collection ; skos:member ket:KET2009-NANO .",
    ),
    # RIS3
    Case(
        "S3-prefLabel",
        "skos:prefLabel",
        remove=f'{S3} skos:prefLabel "Example regional strategy"@en .',
    ),
    Case("S3-coversRegion", "riikg:coversRegion", remove=f"{S3} riikg:coversRegion nuts:ITH5 ."),
    Case("S3-coversRegion", "riikg:coversRegion", add=f"{S3} riikg:coversRegion nuts:XX9 ."),
    Case(
        "S3-period",
        "riikg:period",
        add=f"{S3} riikg:period 2021 .",
        remove=f'{S3} riikg:period "2021-2027" .',
    ),
    Case(
        "S3-periodFormat",
        "riikg:period",
        add=f'{S3} riikg:period "2021-27" .',
        remove=f'{S3} riikg:period "2021-2027" .',
        severity="Warning",
    ),
    Case("S3-source", "dct:source", remove=f"{S3} dct:source <https://strategy.example.org/> ."),
    Case(
        "S3-listCompleteness",
        "riikg:listCompleteness",
        add=f'{S3} riikg:listCompleteness "partial" .',
    ),
    Case(
        "S3-listCompletenessValue",
        "riikg:listCompleteness",
        add=f'{S3} riikg:listCompleteness "unknown" .',
        remove=f'{S3} riikg:listCompleteness "complete per source" .',
        severity="Warning",
    ),
    Case(
        "P3-inScheme",
        "skos:inScheme",
        add=f"{P3} skos:inScheme id:ris3-strategy\\/nl41-2021-2027 .",
    ),
    Case(
        "P3-inScheme",
        "skos:inScheme",
        add=f"{P3} skos:inScheme <http://example.org/not-a-strategy> .",
        remove=f"{P3} skos:inScheme {S3} .",
    ),
    Case("P3-prefLabel", "skos:prefLabel", add=f'{P3} skos:prefLabel "Agrifood"@en .'),
    Case("P3-englishLabel", "skos:prefLabel", remove=f'{P3} skos:prefLabel "Agri-food"@en .'),
    Case("P3-description", "dct:description", add=f"{P3} dct:description <http://example.org/d> ."),
    Case("P3-priorityType", "riikg:priorityType", add=f'{P3} riikg:priorityType "other type" .'),
    Case(
        "P3-relatedKet",
        "riikg:relatedKet",
        add=f"{P3} riikg:relatedKet <https://w3id.org/riikg/vocab/status/planned> .",
    ),
    Case(
        "P3-source",
        "dct:source",
        remove=f"{P3} dct:source <https://strategy.example.org/> .",
        severity="Warning",
    ),
    # provenance records
    Case("SourceGraphShape", "rdf:type", remove=f"{PV} a dcat:Dataset ."),
    Case(
        "PV-identifier",
        "dct:identifier",
        add=f'{PV} dct:identifier "Bad Id" .',
        remove=f'{PV} dct:identifier "example" .',
    ),
    Case("PV-title", "dct:title", remove=f'{PV} dct:title "Example source"@en .'),
    Case("PV-source", "dct:source", remove=f'{PV} dct:source "example.csv" .'),
    Case(
        "PV-license",
        "dct:license",
        add=f'{PV} dct:license "CC BY 4.0" .',
        remove=f"{PV} dct:license <https://creativecommons.org/licenses/by/4.0/> .",
    ),
    Case(
        "PV-attribution",
        "riikg:attribution",
        add=f"{PV} riikg:attribution <http://example.org/a> .",
    ),
    Case(
        "PV-generatedAtTime",
        "prov:generatedAtTime",
        add=f'{PV} prov:generatedAtTime "2026-11-23" .',
    ),
    Case(
        "PV-issued",
        "dct:issued",
        add=f'{PV} dct:issued "2026-11-01T00:00:00"^^xsd:dateTime .',
        remove=f'{PV} dct:issued "2026-11-01"^^xsd:date .',
    ),
    Case(
        "PV-sha256",
        "riikg:sha256",
        add=f'{PV} riikg:sha256 "ABC" .',
        remove=f'{PV} riikg:sha256 "{"0123456789abcdef" * 4}" .',
    ),
    Case(
        "PV-triples",
        "void:triples",
        add=f"{PV} void:triples -1 .",
        remove=f"{PV} void:triples 120 .",
    ),
    Case(
        "PV-conforms",
        "riikg:validationConforms",
        add=f'{PV} riikg:validationConforms "yes" .',
        remove=f"{PV} riikg:validationConforms true .",
    ),
    Case(
        "PV-violations",
        "riikg:validationViolations",
        add=f"{PV} riikg:validationViolations -2 .",
        remove=f"{PV} riikg:validationViolations 0 .",
    ),
    Case("PV-warnings", "riikg:validationWarnings", remove=f"{PV} riikg:validationWarnings 0 ."),
    Case(
        "PV-report",
        "riikg:validationReport",
        add=f'{PV} riikg:validationReport "report" .',
        remove=f"{PV} riikg:validationReport <http://localhost:8080/graph/report/example> .",
    ),
    Case("PV-loader", "riikg:loader", remove=f'{PV} riikg:loader "csv_survey" .'),
    Case(
        "PV-softwareVersion",
        "riikg:softwareVersion",
        add=f"{PV} riikg:softwareVersion 1 .",
        remove=f'{PV} riikg:softwareVersion "0.1.0" .',
    ),
    Case(
        "PV-modified",
        "dct:modified",
        add=f'{PV} dct:modified "2026-11-23"^^xsd:date .',
        remove=f'{PV} dct:modified "2026-11-23T20:00:00+00:00"^^xsd:dateTime .',
    ),
    Case(
        "PV-synthetic",
        "riikg:synthetic",
        add=f'{PV} riikg:synthetic "true" .',
        remove=f"{PV} riikg:synthetic false .",
    ),
    Case("PV-landingPage", "dcat:landingPage", add=f"{PV} dcat:landingPage <file:///etc/passwd> ."),
    Case(
        "StoreRecordShape",
        "riikg:dataVersion",
        add="<http://localhost:8080/> riikg:dataVersion -1 .",
        remove="<http://localhost:8080/> riikg:dataVersion 3 .",
    ),
    # the ontology itself
    Case(
        "TermShape",
        None,
        remove='<http://example.org/onto/Thing> skos:definition "An example term."@en .',
    ),
    Case(
        "TERM-label",
        "rdfs:label",
        add='<http://example.org/onto/Thing> rdfs:label "Ding"@de .',
        remove='<http://example.org/onto/Thing> rdfs:label "thing"@en .',
    ),
    Case(
        "OntologyShape",
        "owl:versionIRI",
        remove=f"{ONT} owl:versionIRI <https://w3id.org/riikg/ontology/example-ontology/1> .",
    ),
    Case("OntologyShape", "owl:imports", add=f"{ONT} owl:imports <http://example.org/other> ."),
]

_NS = {
    "riikg": "https://w3id.org/riikg/ontology/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "http://schema.org/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "locn": "http://www.w3.org/ns/locn#",
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "adms": "http://www.w3.org/ns/adms#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "void": "http://rdfs.org/ns/void#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def _expand(name: str) -> str:
    """``skos:broader`` to its IRI; ``^p`` and ``a / b`` paths as validate writes them."""
    if name.startswith("^"):
        return "^" + _expand(name[1:])
    if " / " in name:
        return " / ".join(_expand(part) for part in name.split(" / "))
    prefix, _, local = name.partition(":")
    return _NS[prefix] + local


def _turtle(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def _apply(good: Graph, case: Case) -> Graph:
    graph = Graph()
    for triple in good:
        graph.add(triple)
    if case.remove:
        removed = _turtle(case.remove)
        missing = [t for t in removed if t not in graph]
        assert not missing, f"case removes triples that good.ttl lacks: {missing}"
        for triple in removed:
            graph.remove(triple)
    if case.add:
        for triple in _turtle(case.add):
            graph.add(triple)
    return graph


def _case_id(case: Case) -> str:
    return f"{case.shape}:{(case.add or case.remove)[:40]}"


def test_meta_shacl_accepts_the_shapes() -> None:
    conforms, _, text = pyshacl.validate(
        Graph(), shacl_graph=shapes_graph(), meta_shacl=True, advanced=True, inference="none"
    )
    assert conforms, text


def test_meta_shacl_would_reject_a_broken_shape() -> None:
    """The meta-SHACL check is real: a shape with a non-integer sh:minCount is refused."""
    broken = Graph()
    for triple in shapes_graph():
        broken.add(triple)
    broken.add((URIRef(SHAPES_NS + "RI-prefLabel"), SH.minCount, URIRef("http://example.org/one")))
    with pytest.raises(pyshacl.errors.ReportableRuntimeError):
        pyshacl.validate(Graph(), shacl_graph=broken, meta_shacl=True, advanced=True)


def test_good_dataset_conforms_without_findings(good_graph: Graph) -> None:
    outcome = validate(good_graph)
    assert outcome.findings == [], outcome.summary()
    assert outcome.conforms


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_failing_case(good_graph: Graph, case: Case) -> None:
    outcome: Outcome = validate(_apply(good_graph, case))
    shape = SHAPES_NS + case.shape
    path = _expand(case.path) if case.path else None
    hits = [f for f in outcome.findings if f.shape == shape and (path is None or f.path == path)]
    assert hits, f"expected {case.shape} on {case.path}, got:\n{outcome.summary()}"
    assert {f.severity for f in hits} == {case.severity}
    assert outcome.conforms is (case.severity != "Violation")


def _reportable_shapes() -> set[str]:
    """Named shapes that can appear as sh:sourceShape.

    These are the property shapes of targeted node shapes, and targeted node shapes with
    constraints of their own (not only sh:property).
    """
    sg = shapes_graph()
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
    own = (SH["or"], SH["and"], SH["not"], SH.xone, SH.pattern, SH.sparql, SH["class"], SH.nodeKind)
    targeted = {s for t in targets for s in sg.subjects(t, None)}
    names = {s for s in targeted if any(sg.value(s, c) is not None for c in own)}
    names |= {p for s in targeted for p in sg.objects(s, SH.property)}
    return {str(n)[len(SHAPES_NS) :] for n in names if str(n).startswith(SHAPES_NS)}


def test_every_shape_has_a_failing_case() -> None:
    from tests.ontology.test_service_model import SERVICE_CASES

    covered = {c.shape for c in CASES} | {c.shape for c in SERVICE_CASES}
    missing = _reportable_shapes() - covered
    assert not missing, f"shapes without a failing example: {sorted(missing)}"


def test_findings_carry_location_value_and_readable_path(good_graph: Graph) -> None:
    """A SourceGraph's locations reach the findings, the summary and the stored report."""
    from rdflib import Literal

    from riikg.errors import Location
    from riikg.namespaces import RIIKG
    from riikg.sources import SourceGraph

    data = SourceGraph()
    for triple in good_graph:
        data.add(triple)
    lab = URIRef("http://localhost:8080/id/infrastructure/lab")
    lat = URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
    data.remove((lab, lat, None))
    data.add(
        (lab, lat, Literal("95.0", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")))
    )
    data.locate(lab, lat, Location("riis.csv", row=7, column=12, column_name="lat"))
    outcome = validate(data)
    [finding] = [f for f in outcome.findings if f.shape == SHAPES_NS + "RI-lat"]
    assert finding.location == "riis.csv:7:12 (lat)"
    assert finding.value == "95.0" and finding.path_label == "wgs:lat"
    line = finding.describe()
    assert line.startswith("riis.csv:7:12 (lat): Violation [wgs:lat] value '95.0'")
    assert "(shape RI-lat)" in line
    assert "riis.csv:7:12 (lat)" in outcome.summary()
    stored = set(outcome.report.objects(None, RIIKG.sourceLocation))
    assert Literal("riis.csv:7:12 (lat)") in stored


def test_pipeline_provenance_record_conforms() -> None:
    from datetime import UTC, datetime

    from riikg.pipeline import provenance
    from riikg.sources import Source

    source = Source(
        id="example",
        loader="rdf_file",
        files=(),
        title="Example",
        licence="https://creativecommons.org/licenses/by/4.0/",
        attribution="Example",
        retrieved="2026-11-01",
        homepage="https://example.org/data",
        synthetic=True,
    )
    outcome = validate(Graph())
    record = provenance(
        source,
        base="http://localhost:8080/",
        sha="ab" * 32,
        triples=0,
        outcome=outcome,
        when=datetime(2026, 11, 23, tzinfo=UTC),
    )
    result = validate(record)
    assert result.findings == [], result.summary()


def test_vocabulary_concepts_referenced_by_a_source_are_visible() -> None:
    """A KET or a KET list referenced by a source is checked against ontology/vocab/*.ttl."""
    from riikg.validate import reference_graph

    data = Graph().parse(
        data=PREFIXES + """id:x skos:related ket:list-2018 ; riikg:ket ket:KET2009-NANO .""",
        format="turtle",
    )
    ref = reference_graph(data)
    ket = URIRef("https://w3id.org/riikg/vocab/ket/KET2018-AI")  # a member of list-2018
    assert (ket, URIRef("http://www.w3.org/2004/02/skos/core#inScheme"), None) in ref
    assert len(ref) < 150  # only what is referenced, not the whole vocabulary set
    assert validate(data).findings == []
