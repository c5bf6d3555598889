"""The remote store: riikg's :class:`~riikg.store.base.Store` over a SPARQL 1.1 Protocol server.

Reads go over the SPARQL 1.1 Protocol (form-encoded POST, ``Accept`` per media type), writes
over SPARQL 1.1 Update, and, when ``RIIKG_REMOTE_GSP_URL`` is set, bulk data over the Graph
Store Protocol. See ``docs/remote-store.md`` for what each server guarantees.

Dataset: unless the caller gives ``default_graphs``, every query is sent with one
``default-graph-uri`` per source graph (``{base}graph/source/*``) and one ``named-graph-uri``
per riikg graph, so the default graph is the union of the source graphs on every server, as
in the embedded store (whatever the server's own default graph is). riikg only sees its own
graphs (``{base}graph/…``): a server's system graphs (Virtuoso's ``virtrdf#``…) are neither
listed nor counted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import requests

from riikg import formats
from riikg.sparql.text import QueryForm
from riikg.store.base import (
    Answer,
    QueryFailed,
    QueryRequest,
    RdfFormat,
    Row,
    Store,
    Term,
    default_graph_union,
    is_rdf,
)
from riikg.store.common import (
    DATA_VERSION,
    MODIFIED,
    answer_of,
    boolean_of,
    now_utc,
    parse_version,
    rows_of,
    user_syntax_error,
    version_graph,
    version_triples,
)
from riikg.store.remote.http import MAX_RESPONSE_BYTES, Http, check_url, media_of
from riikg.store.remote.query import (
    answer_format,
    dataset_fields,
    inject_values,
    iri,
    parse_results,
    parse_triples,
    query_form,
    string,
)
from riikg.store.remote.updates import Writer

if TYPE_CHECKING:
    from riikg.config import Settings

VERSION_TTL = 1.0


@dataclass(frozen=True)
class _Read:
    """What ``select()``, ``ask()`` and ``construct()`` accept and ask the server for."""

    what: str
    forms: tuple[str, ...]
    needs: str
    wanted: formats.Format
    accept: str  #: every server speaks one of these


_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
_TRIPLES = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
SELECT = _Read("select()", ("SELECT",), "a SELECT", formats.SPARQL_JSON, _RESULTS)
ASK = _Read("ask()", ("ASK",), "an ASK", formats.SPARQL_JSON, _RESULTS)
CONSTRUCT = _Read(
    "construct()", ("CONSTRUCT", "DESCRIBE"), "a CONSTRUCT or DESCRIBE", formats.NTRIPLES, _TRIPLES
)


class RemoteStore(Store):
    """A store behind a SPARQL 1.1 Protocol endpoint. Build with :meth:`from_settings`."""

    def __init__(
        self,
        base: str,
        query_url: str,
        update_url: str = "",
        gsp_url: str = "",
        *,
        user: str = "",
        password: str = "",
        token: str = "",
        timeout: float = 60.0,
        union_default_graph: bool = True,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.base = base
        self.query_url = check_url("RIIKG_REMOTE_QUERY_URL", query_url)
        update_setting = "RIIKG_REMOTE_UPDATE_URL" if update_url else "RIIKG_REMOTE_QUERY_URL"
        self.union_default_graph = union_default_graph
        self._http = Http(
            user=user,
            password=password,
            token=token,
            timeout=timeout,
            max_response_bytes=max_response_bytes,
        )
        self._writer = Writer(
            self._http,
            base,
            check_url(update_setting, update_url or query_url),
            update_setting,
            check_url("RIIKG_REMOTE_GSP_URL", gsp_url) if gsp_url else "",
        )
        self._lock = threading.RLock()
        self._version_cache: tuple[float, int, datetime | None] | None = None
        self._graphs_cache: tuple[int, list[str]] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        """Build from :class:`riikg.config.Settings` (the ``remote_*`` fields)."""
        return cls(
            settings.base_iri,
            settings.remote_query_url,
            settings.remote_update_url,
            settings.remote_gsp_url,
            user=settings.remote_user,
            password=settings.remote_password,
            token=settings.remote_token,
            timeout=settings.remote_timeout,
            union_default_graph=settings.remote_union_default_graph,
        )

    # ---- queries ------------------------------------------------------------------------
    def _post_query(
        self,
        query: str,
        accept: str,
        *,
        dataset: list[tuple[str, str]] | None,
        timeout: float | None = None,
    ) -> requests.Response:
        fields: list[tuple[str, str]] = [("query", query), *(dataset or [])]
        fields += self._http.server.timeout_fields(timeout)
        return self._http.request(
            "POST",
            self.query_url,
            "RIIKG_REMOTE_QUERY_URL",
            data=fields,
            headers={"Accept": accept},
            timeout=timeout,
        )

    def _dataset(
        self, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None
    ) -> list[tuple[str, str]]:
        default = default_graph_union(self, default_graphs)
        named = self.named_graphs() if named_graphs is None else named_graphs
        return dataset_fields(self.base, default, named)

    def _read(self, read: _Read, query: str, bindings: Mapping[str, Term]) -> Any:
        """Results or triples of a query on the union of the source graphs, with ``bindings``."""
        needs = f"{read.what} needs {read.needs} query"
        if query_form(query) not in (*read.forms, None):
            raise QueryFailed(needs)
        text = inject_values(query, bindings)
        response = self._post_query(text, read.accept, dataset=self._dataset(None, None))
        fmt = answer_format(media_of(response), read.wanted, needs)
        if is_rdf(fmt):
            return parse_triples(response.content, fmt)
        return parse_results(response.content, fmt)

    def select(self, query: str, **bindings: Term) -> list[Row]:
        return rows_of(self._read(SELECT, query, bindings))

    def ask(self, query: str, **bindings: Term) -> bool:
        return boolean_of(self._read(ASK, query, bindings))

    def construct(self, query: str, **bindings: Term) -> list[ox.Triple]:
        triples: list[ox.Triple] = self._read(CONSTRUCT, query, bindings)
        return triples

    def public_query(self, request: QueryRequest) -> Answer[bytes]:
        """Send ``request`` to the server with its timeout; relative IRIs resolve against
        ``request.base_iri`` through a ``BASE`` declaration put before the text (on the same
        line, so line numbers in the server's messages do not move).

        The server's own serialisation is passed on when it answers in the requested media
        type and nothing was cut; otherwise (a cut, Virtuoso's non-standard TSV, a server
        that lacks a format) riikg asks for JSON / N-Triples and serialises with pyoxigraph.
        """
        wanted = request.format
        form = request.form or QueryForm(query_form(request.text) or QueryForm.UNKNOWN)
        if form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE) and not is_rdf(wanted):
            raise QueryFailed(f"{wanted.media_type} cannot carry CONSTRUCT/DESCRIBE results")
        if form in (QueryForm.SELECT, QueryForm.ASK) and is_rdf(wanted):
            raise QueryFailed(f"{wanted.media_type} cannot carry SELECT/ASK results")
        capped = request.max_rows is not None and form is not QueryForm.ASK
        # a cut needs an answer riikg can count and serialise again (not CSV: it loses types)
        recount = capped and (is_rdf(wanted) or wanted is formats.CSV)
        native = self._http.server.speaks(wanted) and not recount
        fetch = wanted if native else formats.NTRIPLES if is_rdf(wanted) else formats.SPARQL_JSON
        sent = f"BASE <{request.base_iri}> {request.text}" if request.base_iri else request.text
        dataset = self._dataset(request.default_graphs, request.named_graphs)
        try:
            response = self._post_query(
                sent, fetch.media_type, dataset=dataset, timeout=request.timeout
            )
        except QueryFailed as exc:
            raise QueryFailed(user_syntax_error(request, str(exc))) from exc
        fmt = answer_format(media_of(response), wanted)
        raw = response.content
        if fmt is wanted and not capped:
            return Answer(raw)
        result = parse_triples(raw, fmt) if is_rdf(fmt) else parse_results(raw, fmt)
        answer = answer_of(result, request)
        if fmt is wanted and not answer.truncated and not is_rdf(fmt):
            return Answer(raw)  # complete: the server's own bytes
        return answer

    def worker_opener(self) -> Callable[[], Store] | None:
        """None: public queries run in the calling process; the server stops them at the
        deadline and the HTTP wait is bounded by it."""
        return None

    # ---- riikg's own graphs and version -------------------------------------------------
    def _internal_select(self, query: str) -> list[Row]:
        """A SELECT about riikg's own graphs, sent without a dataset (it names its graphs)."""
        response = self._post_query(query, formats.SPARQL_JSON.media_type, dataset=None)
        fmt = answer_format(media_of(response), formats.SPARQL_JSON)
        return rows_of(parse_results(response.content, fmt))

    def _all_graphs(self) -> list[str]:
        prefix = f"{self.base}graph/"
        rows = self._internal_select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {self._http.server.graph_pattern} "
            f"FILTER(STRSTARTS(STR(?g), {string(prefix)})) }}"
        )
        staging = f"{prefix}staging/"
        return sorted(
            {r["g"].value for r in rows if "g" in r and not r["g"].value.startswith(staging)}
        )

    def named_graphs(self) -> list[str]:
        version = self.version
        with self._lock:
            cached = self._graphs_cache
        if cached is not None and cached[0] == version:
            return list(cached[1])
        graphs = self._all_graphs()
        with self._lock:
            self._graphs_cache = (version, graphs)
        return list(graphs)

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri(graph)}> {{ ?s ?p ?o }} }}"
        else:
            query = (
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                f"FILTER(STRSTARTS(STR(?g), {string(self.base + 'graph/')})) }}"
            )
        rows = self._internal_select(query)
        return int(rows[0]["n"].value) if rows and "n" in rows[0] else 0

    def dump(self, graph: str, media_type: RdfFormat) -> bytes:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri(graph)}> {{ ?s ?p ?o }} }}"
        return self.query_raw(query, media_type, default_graphs=[], named_graphs=[graph])

    def version_record(self, *, fresh: bool = False) -> tuple[int, datetime | None]:
        """The version record, read again at most every :data:`VERSION_TTL` seconds
        (``fresh``: now)."""
        now = time.monotonic()
        with self._lock:
            cached = self._version_cache
        if not fresh and cached is not None and now - cached[0] < VERSION_TTL:
            return cached[1], cached[2]
        subject = iri(self.base)
        rows = self._internal_select(
            f"SELECT ?p ?o WHERE {{ GRAPH <{iri(version_graph(self.base))}> {{ <{subject}> ?p ?o "
            f"FILTER(?p IN ({DATA_VERSION}, {MODIFIED})) }} }}"
        )
        triples = [
            ox.Triple(ox.NamedNode(self.base), r["p"], r["o"])  # type: ignore[arg-type]
            for r in rows
            if isinstance(r.get("p"), ox.NamedNode) and "o" in r
        ]
        version, modified = parse_version(triples)
        with self._lock:
            self._version_cache = (now, version, modified)
        return version, modified

    # ---- writing ------------------------------------------------------------------------
    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Triple] | None]) -> int:
        """Replace whole graphs and bump the version in **one** update request (see
        :meth:`~riikg.store.remote.updates.Writer.replace`)."""
        with self._lock:
            new_version = self.version_record(fresh=True)[0] + 1
            changes: dict[str, list[ox.Triple] | None] = {
                g: (None if ts is None else list(ts)) for g, ts in graphs.items()
            }
            vgraph = version_graph(self.base)
            changes[vgraph] = version_triples(self.base, new_version, now_utc())
            try:
                self._writer.replace(changes, inline_only=vgraph)
            finally:
                self._version_cache = None
                self._graphs_cache = None
            return new_version

    def close(self) -> None:
        self._http.close()
