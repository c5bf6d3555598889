"""Infrastructure records, shared by every loader that reads infrastructures.

Survey sheets, JSON exports and the curated/ESFRI/MERIL loaders all build
:class:`Infrastructure` records with the values as written in the input plus where each one
was found; :class:`loaders.emit.Emitter` then checks the values, mints the IRIs (slug rules
of docs/model.md, :func:`assign_slugs`) and fills the graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import URIRef

from loaders.values import unique_slug
from riikg.errors import Location
from riikg.namespaces import slugify

INFRASTRUCTURE_TYPES = (
    "facility laboratory pilot-line test-bed core-facility single-sited distributed virtual "
    "computing"
).split()
ORGANISATION_TYPES = "university rto company public-body consortium eric other".split()
STATUSES = "operational under-construction planned preparation unknown".split()
ACCESS_MODES = "excellence-driven market-driven wide".split()
FEE_POLICIES = "free cost-based market-price on-request sponsored".split()
SCIENTIFIC_DOMAINS = (
    "energy environment health-food physical-sciences-engineering social-cultural-innovation e-ri"
).split()

#: the input field of each :class:`Infrastructure` field that survey sheets (column) and
#: JSON exports (member) name alike; where the value was found is recorded under the field
FIELD_COLUMNS = {
    "types": "types",
    "regions": "region",
    "lat": "lat",
    "long": "long",
    "kets": "kets",
    "priorities": "ris3_priorities",
    "status": "status",
    "homepage": "homepage",
    "networks": "networks",
    "roadmap": "esfri_roadmap_entry",
    "operation_start": "operation_start",
    "same_as": "same_as",
    "sources": "source_url",
}


@dataclass
class Host:
    """A host organisation as the input names it."""

    name: str
    type: str = ""
    country: str = ""
    homepage: str = ""
    ror: str = ""
    sources: list[str] = field(default_factory=list)
    where: dict[str, Location] = field(default_factory=dict)


@dataclass
class Record:
    """What infrastructures, equipment and services have: names, where, sources."""

    names: dict[str, str]
    where: Location
    descriptions: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    #: where each field's value was found (default: the whole record)
    locs: dict[str, Location] = field(default_factory=dict)

    def at(self, name: str) -> Location:
        """Location of a field (or of the whole record)."""
        return self.locs.get(name, self.where)

    def label(self) -> str:
        """The name used for slugs: English if given, else the first language."""
        if "en" in self.names:
            return self.names["en"]
        return self.names[sorted(self.names)[0]] if self.names else ""


@dataclass
class Part(Record):
    """Equipment or a service of an infrastructure."""

    # equipment
    type: str = ""
    manufacturer: str = ""
    model: str = ""
    # service
    access_modes: list[str] = field(default_factory=list)
    sme_eligible: str = ""
    fee_policy: str = ""
    access_conditions: dict[str, str] = field(default_factory=dict)


@dataclass
class Infrastructure(Record):
    """One infrastructure as read from an input, values still as written."""

    acronym: str = ""
    alt_names: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    hosts: list[Host] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    locality: str = ""
    lat: str = ""
    long: str = ""
    kets: list[str] = field(default_factory=list)
    kets_2009: list[str] = field(default_factory=list)
    kets_2018: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    status: str = ""
    homepage: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_url: str = ""
    networks: list[str] = field(default_factory=list)
    access_information: dict[str, str] = field(default_factory=dict)
    meril_id: str = ""
    roadmap_entry: str = ""
    operation_start: str = ""
    legal_status: str = ""
    same_as: list[str | URIRef] = field(default_factory=list)
    equipment: list[Part] = field(default_factory=list)
    services: list[Part] = field(default_factory=list)
    #: how the region was found (bundled ESFRI/MERIL: by polygon, tolerance, country...)
    placement: str = ""
    placement_code: str = ""
    #: slug fixed by the caller (bundled loaders that pre-compute cross-source links)
    slug: str = ""


def base_slug(record: Infrastructure) -> str:
    """Slug before collision handling: the acronym when present, else the name."""
    return slugify(record.acronym or record.label())


def assign_slugs(records: Sequence[Infrastructure]) -> list[str]:
    """Slugs for one load: collisions get ``-{nuts3}``, then ``-2``, ``-3``… in input order."""
    wanted = [r.slug or base_slug(r) for r in records]
    counts: dict[str, int] = {}
    for slug in wanted:
        counts[slug] = counts.get(slug, 0) + 1
    used: set[str] = set()
    out = []
    for record, slug in zip(records, wanted, strict=True):
        candidate = slug
        if counts[slug] > 1 and not record.slug:
            region = next((r for r in record.regions if len(r.strip()) == 5), "")
            if region:
                candidate = f"{slug}-{region.strip().lower()}"
        out.append(unique_slug(candidate, used))
    return out
