"""Generate realistic, deterministic, clearly synthetic riikg graphs of any size.

    python -m bench.generate --triples 100000 --out bench/out/synthetic-100k.nt
    python -m bench.generate --infrastructures 30000 --out bench/out/synthetic-30k.nt

The graph follows ``docs/model.md``: research infrastructures with equipment, services and
host organisations, placed in REAL NUTS 3 regions (read from the bundled
``data/nuts/nuts_2024.csv`` when present), tagged with the real KET concepts (read from
``ontology/vocab/``) and supporting synthetic RIS3 priorities of synthetic strategies that
cover the infrastructure's NUTS 2 region. Everything minted is marked synthetic: names like
"Synthetic Lab 00042", IRIs ``{base}id/infrastructure/synthetic-00042``, ``dct:source`` under
``{base}synthetic/``. Load it with a ``Source(..., synthetic=True)`` so the provenance record
says ``riikg:synthetic true``. About 23 triples per infrastructure.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from riikg.namespaces import NUTS_CODE, RIIKG, VOCAB
from riikg.resources import data_dir, ontology_dir

TRIPLES_PER_INFRASTRUCTURE = 23.3  # per infrastructure, its equipment, service, host share
SEED = 20240611

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
WGS = "http://www.w3.org/2003/01/geo/wgs84_pos#"
ORG = "http://www.w3.org/ns/org#"
ADMS = "http://www.w3.org/ns/adms#"
R = str(RIIKG)

# Fallback only (the bundled NUTS table is preferred): real NUTS 2024 level-3 codes of the
# eight INNO INFRA SHARE partner regions and neighbours, with approximate label points.
FALLBACK_NUTS3: tuple[tuple[str, float, float], ...] = (
    ("ITH51", 44.95, 9.60),
    ("ITH52", 44.70, 10.10),
    ("ITH53", 44.60, 10.55),
    ("ITH54", 44.55, 10.95),
    ("ITH55", 44.45, 11.30),
    ("ITH56", 44.80, 11.80),
    ("ITH57", 44.35, 12.00),
    ("ITH58", 44.10, 12.05),
    ("ITH59", 43.95, 12.50),
    ("NL411", 51.55, 4.60),
    ("NL412", 51.60, 5.05),
    ("NL413", 51.70, 5.60),
    ("NL414", 51.45, 5.50),
    ("BE211", 51.20, 4.55),
    ("BE221", 50.95, 5.30),
    ("BE234", 51.05, 3.70),
    ("BE242", 50.85, 4.75),
    ("BE251", 51.15, 3.15),
    ("DED41", 50.83, 12.92),
    ("DED42", 50.60, 12.90),
    ("DED43", 50.95, 13.25),
    ("DED44", 50.50, 12.20),
    ("DED45", 50.75, 12.50),
    ("LV006", 56.95, 24.10),
    ("LV007", 57.00, 24.30),
    ("LV008", 57.30, 25.50),
    ("EE001", 59.40, 24.90),
    ("EE008", 58.20, 26.70),
    ("CZ064", 49.10, 16.60),
    ("SE224", 55.85, 13.50),
)
FALLBACK_KETS = (
    "KET2009-MNE",
    "KET2009-NANO",
    "KET2009-IBIO",
    "KET2009-AMAT",
    "KET2009-PHOT",
    "KET2009-AMT",
)
INFRA_TYPES = ("facility", "laboratory", "pilot-line", "test-bed", "core-facility")
STATUSES = ("operational", "operational", "operational", "under-construction", "planned")
ACCESS_MODES = ("excellence-driven", "market-driven", "wide")
ORG_TYPES = ("university", "rto", "company", "public-body")
WORDS = (
    "Advanced",
    "Materials",
    "Photonics",
    "Nano",
    "Bio",
    "Process",
    "Robotics",
    "Imaging",
    "Sensor",
    "Energy",
    "Microscopy",
    "Additive",
    "Manufacturing",
    "Quantum",
    "Battery",
    "Food",
    "Health",
    "Data",
)
PRIORITIES_PER_STRATEGY = 3
INFRAS_PER_ORG = 20


@dataclass(frozen=True)
class Region:
    code: str
    lat: float
    long: float

    @property
    def nuts2(self) -> str:
        return self.code[:4]


def _pick(row: dict[str, str], *names: str) -> str:
    lowered = {k.lower().strip(): v for k, v in row.items() if k}
    for name in names:
        if lowered.get(name):
            return lowered[name].strip()
    return ""


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _bundled(*parts: str) -> Path | None:
    try:
        path = data_dir().joinpath(*parts)
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


def real_regions() -> tuple[list[Region], str]:
    """NUTS 3 regions from the bundled NUTS table, else the built-in fallback list.

    Label points come from the bundled GISCO label-point table when present.
    """
    table = _bundled("nuts", "nuts_2024.csv")
    if table is None:
        return [Region(c, la, lo) for c, la, lo in FALLBACK_NUTS3], "built-in fallback list"
    points: dict[str, tuple[float, float]] = {}
    label_points = _bundled("nuts", "nuts_2021_label_points.csv")
    if label_points is not None:
        for row in _read_csv(label_points):
            code = _pick(row, "nuts_code", "code", "nuts_id")
            try:
                points[code] = (float(_pick(row, "lat")), float(_pick(row, "lon", "long")))
            except ValueError:
                continue
    regions: list[Region] = []
    for row in _read_csv(table):
        code = _pick(row, "nuts_code", "code", "nuts_id", "id", "notation").upper()
        level = _pick(row, "level", "nuts_level", "levl_code")
        if len(code) != 5 or (level and level != "3") or code.endswith("Z"):
            continue  # "Extra-Regio" codes (xxZZZ) have no territory
        # a code new in 2024 has no 2021 label point: use its NUTS 2 parent's, then 1's
        lat, long = points.get(code) or points.get(code[:4]) or points.get(code[:3]) or (50.0, 10.0)
        regions.append(Region(code, lat, long))
    if not regions:
        return [Region(c, la, lo) for c, la, lo in FALLBACK_NUTS3], "built-in fallback list"
    return sorted(regions, key=lambda r: r.code), str(table)


_KET_IRI = re.compile(re.escape(VOCAB) + r"ket/(KET[0-9]{4}-[A-Za-z0-9-]+)")


def real_kets() -> tuple[list[str], str]:
    """KET codes from the bundled ``kets.csv`` (or the vocabulary Turtle), else a fallback."""
    table = _bundled("curated", "kets.csv")
    if table is not None:
        codes = sorted({_pick(row, "ket_id", "code") for row in _read_csv(table)} - {""})
        if codes:
            return codes, str(table)
    found: set[str] = set()
    try:
        directory: Path | None = ontology_dir()
    except FileNotFoundError:
        directory = None
    if directory is not None:
        for path in sorted(directory.rglob("*.ttl")):
            found.update(m.group(1) for m in _KET_IRI.finditer(path.read_text(encoding="utf-8")))
    if found:
        return sorted(found), "ontology/vocab"
    return list(FALLBACK_KETS), "built-in fallback list"


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    text = value.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{text}"@{lang}'
    if datatype:
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


class Generator:
    """Deterministic synthetic data; ``lines()`` yields N-Triples lines."""

    def __init__(self, infrastructures: int, base: str, seed: int = SEED, offset: int = 0) -> None:
        self.count = infrastructures
        self.base = base
        self.seed = seed
        self.offset = offset  # first infrastructure number (separate sources do not overlap)
        self.tag = f"o{offset}-" if offset else ""
        self.regions, self.regions_from = real_regions()
        self.kets, self.kets_from = real_kets()

    def id(self, kind: str, slug: str) -> str:
        return f"{self.base}id/{kind}/{slug}"

    def source_iri(self, slug: str) -> str:
        return _iri(f"{self.base}synthetic/{slug}")

    def strategy_slug(self, nuts2: str) -> str:
        return f"synthetic-{self.tag}{nuts2.lower()}-2021-2027"

    def lines(self) -> Iterator[str]:
        rnd = random.Random(self.seed)
        used_nuts2: dict[str, list[str]] = {}
        org_count = max(1, self.count // INFRAS_PER_ORG)
        for i in range(self.offset, self.offset + self.count):
            yield from self._infrastructure(i, rnd, org_count, used_nuts2)
        for j in range(org_count):
            yield from self._organisation(j, rnd)
        for nuts2 in sorted(used_nuts2):
            yield from self._strategy(nuts2, used_nuts2[nuts2])

    def _infrastructure(
        self, i: int, rnd: random.Random, org_count: int, used_nuts2: dict[str, list[str]]
    ) -> Iterator[str]:
        slug = f"synthetic-{i:05d}"
        s = _iri(self.id("infrastructure", slug))
        region = self.regions[rnd.randrange(len(self.regions))]
        kets = rnd.sample(self.kets, k=1 + (i % 3 == 0))
        nuts2 = region.nuts2
        used_nuts2.setdefault(nuts2, sorted(kets))
        priority = rnd.randrange(PRIORITIES_PER_STRATEGY)
        words = rnd.sample(WORDS, 2)
        name = f"Synthetic Lab {i:05d} ({words[0]} {words[1]})"
        eq = _iri(self.id("equipment", f"{slug}--instrument-1"))
        sv = _iri(self.id("service", f"{slug}--service-1"))
        org = _iri(self.id("organisation", f"synthetic-host-{self.tag}{i % org_count:05d}"))
        src = self.source_iri(slug)
        lat = region.lat + rnd.uniform(-0.2, 0.2)
        long = region.long + rnd.uniform(-0.2, 0.2)
        ris3 = self.id("ris3-priority", f"{self.strategy_slug(nuts2)}--priority-{priority + 1}")
        yield f"{s} <{RDF_TYPE}> <{R}ResearchInfrastructure> ."
        yield f"{s} <{SKOS}prefLabel> {_lit(name, 'en')} ."
        yield f"{s} <{DCT}description> {_lit(f'Synthetic benchmark record {i}.', 'en')} ."
        itype = INFRA_TYPES[i % len(INFRA_TYPES)]
        yield f"{s} <{R}infrastructureType> <{VOCAB}infrastructure-type/{itype}> ."
        yield f"{s} <{R}hostedBy> {org} ."
        yield f"{s} <{R}region> <{NUTS_CODE}{region.code}> ."
        yield f"{s} <{WGS}lat> {_lit(f'{lat:.5f}', datatype=XSD + 'decimal')} ."
        yield f"{s} <{WGS}long> {_lit(f'{long:.5f}', datatype=XSD + 'decimal')} ."
        for ket in kets:
            yield f"{s} <{R}ket> <{VOCAB}ket/{ket}> ."
        if i % 3 != 0:
            yield f"{s} <{R}supportsPriority> <{ris3}> ."
        status = STATUSES[i % len(STATUSES)]
        yield f"{s} <{ADMS}status> <{VOCAB}status/{status}> ."
        yield f"{s} <{R}hasEquipment> {eq} ."
        yield f"{s} <{R}offersService> {sv} ."
        yield f"{s} <{DCT}source> {src} ."
        yield f"{eq} <{RDF_TYPE}> <{R}Equipment> ."
        yield f"{eq} <{SKOS}prefLabel> {_lit(f'Synthetic {words[0]} instrument {i:05d}', 'en')} ."
        yield f"{eq} <{R}partOf> {s} ."
        yield f"{eq} <{DCT}source> {src} ."
        yield f"{sv} <{RDF_TYPE}> <{R}Service> ."
        yield f"{sv} <{SKOS}prefLabel> {_lit(f'Synthetic {words[1]} service {i:05d}', 'en')} ."
        yield f"{sv} <{R}providedBy> {s} ."
        mode = ACCESS_MODES[i % len(ACCESS_MODES)]
        yield f"{sv} <{R}accessMode> <{VOCAB}access-mode/{mode}> ."
        sme = "true" if i % 2 == 0 else "false"
        yield f"{sv} <{R}smeEligible> {_lit(sme, datatype=XSD + 'boolean')} ."

    def _organisation(self, j: int, rnd: random.Random) -> Iterator[str]:
        o = _iri(self.id("organisation", f"synthetic-host-{self.tag}{j:05d}"))
        country = self.regions[j % len(self.regions)].code[:2]
        yield f"{o} <{RDF_TYPE}> <{ORG}Organization> ."
        yield f"{o} <{RDF_TYPE}> <{R}HostOrganisation> ."
        yield f"{o} <{SKOS}prefLabel> {_lit(f'Synthetic Host {j:05d}', 'en')} ."
        otype = ORG_TYPES[rnd.randrange(len(ORG_TYPES))]
        yield f"{o} <{R}organisationType> <{VOCAB}organisation-type/{otype}> ."
        yield f"{o} <{R}countryCode> {_lit(country.replace('EL', 'GR'))} ."
        yield f"{o} <{DCT}source> {self.source_iri(f'host-{self.tag}{j:05d}')} ."

    def _strategy(self, nuts2: str, kets: list[str]) -> Iterator[str]:
        slug = self.strategy_slug(nuts2)
        st = _iri(self.id("ris3-strategy", slug))
        src = self.source_iri(slug)
        yield f"{st} <{RDF_TYPE}> <{R}RIS3Strategy> ."
        yield f"{st} <{SKOS}prefLabel> {_lit(f'Synthetic RIS3 strategy {nuts2} 2021-2027', 'en')} ."
        yield f"{st} <{R}coversRegion> <{NUTS_CODE}{nuts2}> ."
        yield f"{st} <{R}period> {_lit('2021-2027')} ."
        yield f"{st} <{DCT}source> {src} ."
        for k in range(PRIORITIES_PER_STRATEGY):
            p = _iri(self.id("ris3-priority", f"{slug}--priority-{k + 1}"))
            yield f"{p} <{RDF_TYPE}> <{R}RIS3Priority> ."
            yield f"{p} <{SKOS}inScheme> {st} ."
            yield f"{p} <{SKOS}prefLabel> {_lit(f'Synthetic priority {k + 1} of {nuts2}', 'en')} ."
            yield f"{p} <{R}relatedKet> <{VOCAB}ket/{kets[k % len(kets)]}> ."
            yield f"{p} <{DCT}source> {src} ."


def infrastructures_for(triples: int) -> int:
    """How many infrastructures give about ``triples`` triples (strategies cost ~20 each)."""
    guess = max(1, round(triples / TRIPLES_PER_INFRASTRUCTURE))
    for _ in range(3):
        strategies = min(guess, 250) * (5 + 5 * PRIORITIES_PER_STRATEGY)
        guess = max(1, round((triples - strategies) / TRIPLES_PER_INFRASTRUCTURE))
    return guess


def write(path: Path, infrastructures: int, base: str, seed: int = SEED, offset: int = 0) -> int:
    """Write the graph as N-Triples; return the number of triples."""
    gen = Generator(infrastructures, base, seed, offset)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        buf: list[str] = []
        for line in gen.lines():
            buf.append(line)
            if len(buf) >= 10_000:
                fh.write("\n".join(buf) + "\n")
                n += len(buf)
                buf.clear()
        if buf:
            fh.write("\n".join(buf) + "\n")
            n += len(buf)
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--triples", type=int, help="approximate number of triples")
    size.add_argument("--infrastructures", type=int, help="number of infrastructures")
    parser.add_argument("--out", type=Path, required=True, help="N-Triples file to write")
    parser.add_argument("--base", default="http://localhost:8080/", help="base IRI")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed")
    parser.add_argument("--offset", type=int, default=0, help="first infrastructure number")
    args = parser.parse_args(argv)
    count = args.infrastructures or infrastructures_for(args.triples)
    gen = Generator(count, args.base, args.seed, args.offset)
    n = write(args.out, count, args.base, args.seed, args.offset)
    print(
        f"{args.out}: {n} triples, {count} synthetic infrastructures "
        f"(regions: {len(gen.regions)} from {gen.regions_from}; KETs: {len(gen.kets)} "
        f"from {gen.kets_from})",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
