"""Infrastructure records -> RDF (docs/model.md), shared by every loader of infrastructures.

:class:`Emitter` checks the values of :class:`~loaders.records.Infrastructure` records as
written, mints the IRIs (slug rules of docs/model.md) and fills the graph, recording each
statement's location for validation reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, RDF, SKOS

from loaders._reference import find_ket, find_region
from loaders.records import (
    ACCESS_MODES,
    FEE_POLICIES,
    INFRASTRUCTURE_TYPES,
    ORGANISATION_TYPES,
    SCIENTIFIC_DOMAINS,
    STATUSES,
    Host,
    Infrastructure,
    Part,
    assign_slugs,
)
from loaders.values import (
    any_iri,
    boolean,
    email_iri,
    http_iri,
    lang_tag,
    point,
    show,
    unique_slug,
    year,
)
from riikg.errors import LoadError, Location
from riikg.namespaces import (
    ADMS,
    GEO,
    LOCN,
    RIIKG,
    SCHEMA,
    VCARD,
    WGS,
    Kind,
    mint,
    slugify,
    sub_slug,
    vocab_concept,
)
from riikg.sources import SourceGraph


def _lang_literals(
    graph: SourceGraph, s: URIRef, p: URIRef, values: dict[str, str], where: Location
) -> None:
    for lang, text in sorted(values.items()):
        if text.strip():
            graph.add((s, p, Literal(text.strip(), lang=lang_tag(lang, where))))
    if values:
        graph.locate(s, p, where)


def add_point(graph: SourceGraph, s: URIRef, lat: Literal, long: Literal) -> None:
    """``wgs:lat``, ``wgs:long`` and the ``locn:geometry`` ``POINT(long lat)`` of ``s``."""
    graph.add((s, WGS.lat, lat))
    graph.add((s, WGS.long, long))
    graph.add((s, LOCN.geometry, Literal(f"POINT({long} {lat})", datatype=GEO.wktLiteral)))


def _concept(scheme: str, allowed: Sequence[str], value: str, where: Location, what: str) -> URIRef:
    code = slugify(value)
    if code not in allowed:
        raise LoadError(where, f"{what}: one of {', '.join(allowed)} (got {show(value)})")
    return vocab_concept(scheme, code)


def _sources(values: Iterable[str | URIRef], where: Location) -> list[URIRef]:
    return [http_iri(str(v), where, "a source: the http(s) address of the page") for v in values]


def _add_sources(graph: SourceGraph, s: URIRef, values: list[URIRef], where: Location) -> None:
    for src in values:
        graph.add((s, DCTERMS.source, src))
    graph.locate(s, DCTERMS.source, where)


class Emitter:
    """Fills a graph with infrastructures, their hosts, equipment and services."""

    def __init__(self, graph: SourceGraph, base: str, *, require_source: bool = True) -> None:
        self.graph = graph
        self.base = base
        self.require_source = require_source
        self.organisations: dict[str, tuple[Host, Location]] = {}

    def host(self, host: Host, default_sources: list[URIRef]) -> URIRef:
        g = self.graph
        slug = slugify(host.name)
        org = mint(self.base, Kind.ORGANISATION, slug)
        where = host.where.get("name", Location("?"))
        if slug in self.organisations:
            first, first_at = self.organisations[slug]
            for field in ("type", "country", "homepage", "ror"):
                a, b = getattr(first, field).strip(), getattr(host, field).strip()
                if a and b and slugify(a) != slugify(b):
                    raise LoadError(
                        host.where.get(field, where),
                        f"host {field} {a!r} for {host.name!r}, as at {first_at} (got {b!r})",
                    )
            return org
        self.organisations[slug] = (host, where)
        g.add((org, RDF.type, ORG.Organization))
        g.add((org, RDF.type, RIIKG.HostOrganisation))
        g.add((org, SKOS.prefLabel, Literal(host.name.strip())))
        g.locate(org, None, where)
        if host.type:
            w = host.where.get("type", where)
            concept = _concept("organisation-type", ORGANISATION_TYPES, host.type, w, "host type")
            g.add((org, RIIKG.organisationType, concept))
            g.locate(org, RIIKG.organisationType, w)
        if host.country:
            w = host.where.get("country", where)
            code = host.country.strip().upper()
            if len(code) != 2 or not code.isalpha():
                raise LoadError(w, f"an ISO 3166-1 alpha-2 country code (got {show(code)})")
            g.add((org, RIIKG.countryCode, Literal(code)))
            g.locate(org, RIIKG.countryCode, w)
        if host.homepage:
            w = host.where.get("homepage", where)
            g.add((org, FOAF.homepage, http_iri(host.homepage, w)))
            g.locate(org, FOAF.homepage, w)
        if host.ror:
            g.add((org, RIIKG.rorId, Literal(host.ror.strip())))
        srcs = _sources(host.sources, where) if host.sources else default_sources
        _add_sources(g, org, srcs, where)
        return org

    def emit(self, records: Sequence[Infrastructure]) -> list[URIRef]:
        """Add every record; return the infrastructure IRIs in input order."""
        return [
            self.infrastructure(record, slug)
            for record, slug in zip(records, assign_slugs(records), strict=True)
        ]

    def infrastructure(self, r: Infrastructure, slug: str) -> URIRef:
        g, at = self.graph, r.at
        s = mint(self.base, Kind.INFRASTRUCTURE, slug)
        g.locate(s, None, r.where)
        if not r.names:
            raise LoadError(at("names"), "a name (column name@LANG, e.g. name@en)")
        sources = _sources(r.sources, at("sources"))
        if self.require_source and not sources:
            raise LoadError(at("sources"), "a source: the http(s) address the facts come from")
        g.add((s, RDF.type, RIIKG.ResearchInfrastructure))
        _lang_literals(g, s, SKOS.prefLabel, r.names, at("names"))
        alt = ([r.acronym] if r.acronym else []) + r.alt_names
        for name in dict.fromkeys(a.strip() for a in alt if a.strip()):
            g.add((s, SKOS.altLabel, Literal(name)))
        _lang_literals(g, s, DCTERMS.description, r.descriptions, at("descriptions"))
        for value in r.types:
            t = _concept("infrastructure-type", INFRASTRUCTURE_TYPES, value, at("types"), "type")
            g.add((s, RIIKG.infrastructureType, t))
        for host in r.hosts:
            g.add((s, RIIKG.hostedBy, self.host(host, sources)))
        for value in r.regions:
            g.add((s, RIIKG.region, find_region(value, at("regions"))))
        g.locate(s, RIIKG.region, at("regions"))
        if r.locality:
            g.add((s, RIIKG.locality, Literal(r.locality.strip())))
        self._point(s, r)
        for values, version, name in (
            (r.kets, None, "kets"),
            (r.kets_2009, "2009", "kets_2009"),
            (r.kets_2018, "2018", "kets_2018"),
        ):
            for value in values:
                g.add((s, RIIKG.ket, find_ket(value, at(name), version)))
        g.locate(s, RIIKG.ket, at("kets"))
        for value in r.priorities:
            g.add(
                (s, RIIKG.supportsPriority, self._ref(Kind.RIS3_PRIORITY, value, at("priorities")))
            )
        g.locate(s, RIIKG.supportsPriority, at("priorities"))
        for value in r.domains:
            domain = _concept(
                "scientific-domain", SCIENTIFIC_DOMAINS, value, at("domains"), "ESFRI domain"
            )
            g.add((s, RIIKG.scientificDomain, domain))
        if r.status:
            status = _concept("status", STATUSES, r.status, at("status"), "status")
            g.add((s, ADMS.status, status))
            g.locate(s, ADMS.status, at("status"))
        if r.homepage:
            g.add((s, FOAF.homepage, http_iri(r.homepage, at("homepage"))))
            g.locate(s, FOAF.homepage, at("homepage"))
        self._contact(s, slug, r)
        for value in r.networks:
            g.add((s, RIIKG.memberOfNetwork, self._ref(Kind.NETWORK, value, at("networks"))))
        _lang_literals(g, s, RIIKG.accessInformation, r.access_information, at("access"))
        if r.meril_id:
            g.add((s, RIIKG.merilId, Literal(r.meril_id.strip())))
        if r.roadmap_entry:
            g.add((s, RIIKG.esfriRoadmapEntry, year(r.roadmap_entry, at("roadmap"), "year")))
        if r.operation_start:
            start = year(r.operation_start, at("operation_start"), "operation start")
            g.add((s, RIIKG.operationStart, start))
        if r.legal_status:
            g.add((s, RIIKG.legalStatus, Literal(r.legal_status.strip())))
        for value in r.same_as:
            target = value if isinstance(value, URIRef) else any_iri(value, at("same_as"))
            g.add((s, OWL.sameAs, target))
        _add_sources(g, s, sources, at("sources"))
        self._parts(s, slug, r.equipment, sources, equipment=True)
        self._parts(s, slug, r.services, sources, equipment=False)
        return s

    def _ref(self, kind: Kind, value: str, where: Location) -> URIRef:
        """A reference to an entity of another source, by its IRI or its slug."""
        text = value.strip()
        prefix = f"{self.base}id/{kind.value}/"
        if text.startswith(prefix):
            text = text[len(prefix) :]
        slug = slugify(text)
        if slug != text.lower():
            raise LoadError(
                where, f"the slug or IRI ({prefix}…) of a {kind.value}; got {show(value)}"
            )
        return mint(self.base, kind, slug)

    def _point(self, s: URIRef, r: Infrastructure) -> None:
        if not (r.lat or r.long):
            return
        if not (r.lat and r.long):
            raise LoadError(r.at("lat"), "both latitude and longitude, or neither")
        add_point(self.graph, s, *point(r.lat, r.long, r.at("lat"), r.at("long")))
        self.graph.locate(s, WGS.lat, r.at("lat"))
        self.graph.locate(s, WGS.long, r.at("long"))

    def _contact(self, s: URIRef, slug: str, r: Infrastructure) -> None:
        if not (r.contact_name or r.contact_email or r.contact_url):
            return
        g = self.graph
        kind = mint(self.base, Kind.CONTACT, slug)
        g.add((s, DCAT.contactPoint, kind))
        g.add((kind, RDF.type, VCARD.Kind))
        g.add((kind, VCARD.fn, Literal((r.contact_name or r.label()).strip())))
        if r.contact_email:
            g.add((kind, VCARD.hasEmail, email_iri(r.contact_email, r.at("contact_email"))))
        if r.contact_url:
            g.add((kind, VCARD.hasURL, http_iri(r.contact_url, r.at("contact_url"))))
        g.locate(kind, None, r.at("contact_email"))

    def _parts(
        self,
        owner: URIRef,
        owner_slug: str,
        parts: list[Part],
        sources: list[URIRef],
        *,
        equipment: bool,
    ) -> None:
        g = self.graph
        used: set[str] = set()
        for part in parts:
            if not part.names:
                raise LoadError(part.where, "a name (column name@LANG, e.g. name@en)")
            slug = unique_slug(slugify(part.label()), used)
            kind = Kind.EQUIPMENT if equipment else Kind.SERVICE
            s = mint(self.base, kind, sub_slug(owner_slug, slug))
            g.locate(s, None, part.where)
            at = part.at
            _lang_literals(g, s, SKOS.prefLabel, part.names, at("names"))
            _lang_literals(g, s, DCTERMS.description, part.descriptions, part.where)
            srcs = _sources(part.sources, at("sources")) if part.sources else sources
            _add_sources(g, s, srcs, at("sources"))
            if equipment:
                g.add((s, RDF.type, RIIKG.Equipment))
                g.add((owner, RIIKG.hasEquipment, s))
                g.add((s, RIIKG.partOf, owner))
                if part.type:
                    g.add((s, RIIKG.equipmentType, Literal(part.type)))
                if part.manufacturer:
                    g.add((s, SCHEMA.manufacturer, Literal(part.manufacturer)))
                if part.model:
                    g.add((s, SCHEMA.model, Literal(part.model)))
                continue
            g.add((s, RDF.type, RIIKG.Service))
            g.add((owner, RIIKG.offersService, s))
            g.add((s, RIIKG.providedBy, owner))
            w = at("access_modes")
            for mode in part.access_modes:
                g.add((s, RIIKG.accessMode, _concept("access-mode", ACCESS_MODES, mode, w, "mode")))
            g.locate(s, RIIKG.accessMode, w)
            if part.sme_eligible:
                w = at("sme_eligible")
                g.add((s, RIIKG.smeEligible, boolean(part.sme_eligible, w, "SME eligible")))
            if part.fee_policy:
                w = at("fee_policy")
                fee = _concept("fee-policy", FEE_POLICIES, part.fee_policy, w, "fee policy")
                g.add((s, RIIKG.feePolicy, fee))
                g.locate(s, RIIKG.feePolicy, w)
            w = at("access_conditions")
            _lang_literals(g, s, RIIKG.accessConditions, part.access_conditions, w)
