"""OAI-PMH 2.0 repository (``/oai``) over the catalogue's datasets and the infrastructures.

Records:

* every DCAT-AP dataset of the catalogue (the whole graph and each source), in ``oai_dc`` and
  ``dcat_ap`` (the DCAT-AP 3 description as RDF/XML); set ``datasets``;
* every research infrastructure, in ``oai_dc`` only (registries of research infrastructures
  harvest them); set ``infrastructures``.

Sets ``source:{id}`` hold a source's dataset record and its infrastructures. Datestamps are
the sources' ``dct:modified`` (for an infrastructure: the newest of the sources describing
it). Resumption tokens are opaque, carry the data version and expire when it changes
(``badResumptionToken``). Deleted records are not kept (``deletedRecord`` = ``no``).
XML is written by hand with every value escaped; there is never a DOCTYPE.

This module is the protocol: verbs and arguments, resumption tokens, the envelope and
:class:`Repository`; the records and their XML are in ``endpoint.catalog.oai_records``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rdflib.namespace import DCAT

from endpoint.catalog.data import SourceRecord
from endpoint.catalog.dumps import DumpSet
from endpoint.catalog.oai_records import Record, el, header, oai_dc, rdf_xml, sets, stamp
from endpoint.http import urls
from riikg.config import Settings
from riikg.namespaces import DCAT_AP_3, OAI_DC, OAI_DC_SCHEMA, OAI_PMH, OAI_PMH_SCHEMA, XSI

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
FORMATS = {
    "oai_dc": (OAI_DC, OAI_DC_SCHEMA),
    "dcat_ap": (str(DCAT), DCAT_AP_3),
}
VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OaiError(Exception):
    """An OAI-PMH error condition (``code`` is the protocol's error code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# ---- arguments ------------------------------------------------------------------------------
def parse_date(value: str, *, end: bool) -> tuple[datetime, str]:
    """An OAI-PMH date argument at day or second granularity (UTC)."""
    if _SECOND.match(value):
        try:
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), "s"
        except ValueError:
            pass
    elif _DAY.match(value):
        try:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            pass
        else:
            return (day + timedelta(days=1, seconds=-1) if end else day), "d"
    raise OaiError("badArgument", f"'{value}' is not a date in YYYY-MM-DD or {GRANULARITY}")


def check_arguments(args: Mapping[str, list[str]]) -> tuple[str, dict[str, str]]:
    """Validate verb and arguments; return the verb and single-valued arguments."""
    verbs = args.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "missing, repeated or unknown verb")
    verb = verbs[0]
    required, optional = VERBS[verb]
    values: dict[str, str] = {}
    for key, given in args.items():
        if key == "verb":
            continue
        if key not in required | optional:
            raise OaiError("badArgument", f"{verb} does not take the argument '{key}'")
        if len(given) != 1:
            raise OaiError("badArgument", f"the argument '{key}' is repeated")
        values[key] = given[0]
    if "resumptionToken" in values:
        if len(values) > 1:
            raise OaiError("badArgument", "resumptionToken must be the only argument")
        return verb, values
    missing = required - values.keys()
    if missing:
        raise OaiError("badArgument", f"{verb} needs: {', '.join(sorted(missing))}")
    return verb, values


def encode_token(state: dict[str, object]) -> str:
    raw = json.dumps(state, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


#: longest token accepted (ours are a few hundred characters)
MAX_TOKEN = 2048
TOKEN_KEYS = frozenset({"v", "verb", "args", "o"})
LISTING_VERBS = ("ListIdentifiers", "ListRecords")
LISTING_ARGS = frozenset({"metadataPrefix", "from", "until", "set"})


def _bad_token(message: str = "the resumption token is not valid") -> OaiError:
    return OaiError("badResumptionToken", message)


def decode_token(token: str, version: str) -> dict[str, object]:
    """The JSON object of a token of this data version (``badResumptionToken`` otherwise)."""
    if len(token) > MAX_TOKEN:
        raise _bad_token()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        state = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeError, RecursionError) as exc:
        raise _bad_token() from exc
    if not isinstance(state, dict):
        raise _bad_token()
    if state.get("v") != version:
        raise _bad_token("the resumption token has expired (the data changed)")
    return state


def token_state(state: Mapping[str, object], verb: str) -> tuple[dict[str, str], int]:
    """The listing arguments and offset of a decoded token, every field checked.

    Only the types, keys and values a token of this repository can hold pass: ``verb`` the
    request's, ``args`` a known ``metadataPrefix`` plus optional well-formed ``from`` /
    ``until`` strings and a ``set`` string, ``o`` a positive integer (never a boolean).
    Anything else is ``badResumptionToken``; nothing of the token is ever echoed.
    """
    if set(state) != TOKEN_KEYS:
        raise _bad_token()
    if state["verb"] != verb:
        raise _bad_token("the resumption token is for another verb")
    args, offset = state["args"], state["o"]
    if type(offset) is not int or offset < 1:
        raise _bad_token()
    if not isinstance(args, dict) or not set(args) <= LISTING_ARGS:
        raise _bad_token()
    if not all(isinstance(v, str) for v in args.values()):
        raise _bad_token()
    values: dict[str, str] = dict(args)
    if values.get("metadataPrefix") not in FORMATS:
        raise _bad_token()
    for key, end in (("from", False), ("until", True)):
        if key in values:
            try:
                parse_date(values[key], end=end)
            except OaiError as exc:
                raise _bad_token() from exc
    return values, offset


def envelope(settings: Settings, body: str, request_attrs: Mapping[str, str], now: datetime) -> str:
    schema = f"{OAI_PMH} {OAI_PMH_SCHEMA}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI_PMH}" xmlns:xsi="{XSI}" xsi:schemaLocation="{schema}">\n'
        f"{el('responseDate', stamp(now))}\n"
        f"{el('request', urls.oai_url(settings), **dict(request_attrs))}\n"
        f"{body}\n</OAI-PMH>\n"
    )


# ---- the protocol ---------------------------------------------------------------------------
@dataclass
class Repository:
    """Everything one request needs; ``records`` are built lazily."""

    settings: Settings
    version: str
    source_records: list[SourceRecord]
    dumps: Callable[[], DumpSet]
    all_records: Callable[[], list[Record]]

    def handle(self, args: Mapping[str, list[str]], now: datetime | None = None) -> str:
        now = now or datetime.now(UTC)
        try:
            verb, values = check_arguments(args)
        except OaiError as exc:
            return envelope(self.settings, error(exc), {}, now)
        attrs = {"verb": verb, **values}
        try:
            body = getattr(self, verb.lower())(values)
        except OaiError as exc:
            body = error(exc)
            if exc.code in ("badArgument", "badResumptionToken"):
                attrs = {}  # never echo arguments the repository could not accept
        return envelope(self.settings, body, attrs, now)

    def identify(self, _values: dict[str, str]) -> str:
        earliest = min(
            (r.modified for r in self.source_records), default=datetime(1970, 1, 1, tzinfo=UTC)
        )
        email = self.settings.contact_email.removeprefix("mailto:")
        return (
            "<Identify>"
            + el("repositoryName", "riikg: Research and Innovation Infrastructure Knowledge Graph")
            + el("baseURL", urls.oai_url(self.settings))
            + el("protocolVersion", "2.0")
            + el("adminEmail", email)
            + el("earliestDatestamp", stamp(earliest))
            + el("deletedRecord", "no")
            + el("granularity", GRANULARITY)
            + "</Identify>"
        )

    def listmetadataformats(self, values: dict[str, str]) -> str:
        prefixes = list(FORMATS)
        if "identifier" in values:
            prefixes = list(self.find(values["identifier"]).formats)
        body = "".join(
            "<metadataFormat>"
            + el("metadataPrefix", p)
            + el("schema", FORMATS[p][1])
            + el("metadataNamespace", FORMATS[p][0])
            + "</metadataFormat>"
            for p in prefixes
        )
        return f"<ListMetadataFormats>{body}</ListMetadataFormats>"

    def listsets(self, values: dict[str, str]) -> str:
        if "resumptionToken" in values:
            decode_token(values["resumptionToken"], self.version)
            raise OaiError("badResumptionToken", "ListSets is never split; no token applies")
        body = "".join(
            f"<set>{el('setSpec', spec)}{el('setName', name)}</set>"
            for spec, name in sets(self.source_records)
        )
        return f"<ListSets>{body}</ListSets>"

    def find(self, identifier: str) -> Record:
        for rec in self.all_records():
            if rec.identifier == identifier:
                return rec
        raise OaiError("idDoesNotExist", f"no record has the identifier '{identifier}'")

    def getrecord(self, values: dict[str, str]) -> str:
        prefix = values["metadataPrefix"]
        if prefix not in FORMATS:
            raise OaiError("cannotDisseminateFormat", f"unknown metadataPrefix '{prefix}'")
        rec = self.find(values["identifier"])
        if prefix not in rec.formats:
            raise OaiError("cannotDisseminateFormat", f"this record is not available as {prefix}")
        return f"<GetRecord>{self.record(rec, prefix)}</GetRecord>"

    def record(self, rec: Record, prefix: str) -> str:
        if prefix == "oai_dc":
            metadata = oai_dc(rec)
        else:
            metadata = rdf_xml(self.settings, rec, self.dumps(), self.source_records)
        return f"<record>{header(rec)}<metadata>{metadata}</metadata></record>"

    def listidentifiers(self, values: dict[str, str]) -> str:
        return self.listing("ListIdentifiers", values)

    def listrecords(self, values: dict[str, str]) -> str:
        return self.listing("ListRecords", values)

    def listing(self, verb: str, values: dict[str, str]) -> str:
        offset = 0
        if "resumptionToken" in values:
            state = decode_token(values["resumptionToken"], self.version)
            values, offset = token_state(state, verb)
            try:
                matching = self.select(values)
            except OaiError as exc:  # a token this repository never issued
                raise _bad_token() from exc
            if offset >= len(matching):  # ours always point inside the list
                raise _bad_token()
        else:
            matching = self.select(values)
        page = matching[offset : offset + self.settings.oai_page_size]
        if not page:
            raise OaiError("noRecordsMatch", "no records match the arguments")
        prefix = values["metadataPrefix"]
        if verb == "ListIdentifiers":
            body = "".join(header(rec) for rec in page)
        else:
            body = "".join(self.record(rec, prefix) for rec in page)
        following = offset + len(page)
        size = str(len(matching))
        if following < len(matching) or offset > 0:
            token = ""
            if following < len(matching):
                token = encode_token(
                    {"v": self.version, "verb": verb, "args": values, "o": following}
                )
            body += el("resumptionToken", token, completeListSize=size, cursor=str(offset))
        return f"<{verb}>{body}</{verb}>"

    def select(self, values: dict[str, str]) -> list[Record]:
        prefix = values["metadataPrefix"]
        if prefix not in FORMATS:
            raise OaiError("cannotDisseminateFormat", f"unknown metadataPrefix '{prefix}'")
        start = end = None
        grains = set()
        if "from" in values:
            start, grain = parse_date(values["from"], end=False)
            grains.add(grain)
        if "until" in values:
            end, grain = parse_date(values["until"], end=True)
            grains.add(grain)
        if len(grains) > 1:
            raise OaiError("badArgument", "from and until must have the same granularity")
        if start and end and start > end:
            raise OaiError("badArgument", "from is later than until")
        wanted_set = values.get("set")
        if wanted_set is not None and wanted_set not in {s for s, _ in sets(self.source_records)}:
            raise OaiError("noRecordsMatch", f"there is no set '{wanted_set}'")
        return [
            rec
            for rec in self.all_records()
            if prefix in rec.formats
            and (start is None or rec.datestamp >= start)
            and (end is None or rec.datestamp <= end)
            and (wanted_set is None or wanted_set in rec.sets)
        ]


def error(exc: OaiError) -> str:
    return el("error", str(exc), code=exc.code)
