"""Remote backend: any SPARQL 1.1 Protocol server (Virtuoso, Fuseki, Oxigraph server, GraphDB).

Reads go over the SPARQL 1.1 Protocol (form-encoded POST, ``Accept`` per media type), writes
over SPARQL 1.1 Update, and, when ``RIIKG_REMOTE_GSP_URL`` is set, bulk data over the Graph
Store Protocol. See ``docs/remote-store.md`` for what each server guarantees.

Dataset: unless the caller gives ``default_graphs``, every query is sent with one
``default-graph-uri`` per source graph (``{base}graph/source/*``) and one ``named-graph-uri``
per riikg graph, so the default graph is the union of the source graphs on every server, as
in the embedded store (whatever the server's own default graph is). riikg only sees its own
graphs (``{base}graph/…``): a server's system graphs (Virtuoso's ``virtrdf#``…) are neither
listed nor counted.

Bindings become a ``VALUES`` block injected as the first element of the outermost WHERE
group, with each term in its (escaped) N-Triples form.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from riikg.sparql.text import QueryForm, QueryTextError, tokenize
from riikg.sparql.text import query_form as sparql_query_form
from riikg.store.base import (
    QueryFailed,
    QueryTimeout,
    RdfFormat,
    ResultFormat,
    Row,
    StoreUnavailable,
    Term,
)
from riikg.store.common import (
    DATA_VERSION,
    MODIFIED,
    boolean_of,
    is_source_graph,
    now_utc,
    parse_version,
    rows_of,
    version_graph,
    version_triples,
)

if TYPE_CHECKING:
    from riikg.config import Settings

__all__ = ["AccessDenied", "RemoteStore", "inject_values", "query_form"]

MAX_RESPONSE_BYTES = 512 * 1024 * 1024
CONNECT_TIMEOUT = 10.0
VERSION_TTL = 1.0
MAX_ERROR_TEXT = 2000
#: Virtuoso's SPARQL compiler refuses update texts much above this many triples
MAX_TRIPLES_PER_UPDATE = 2000

RESULT_PARSE = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": ox.QueryResultsFormat.CSV,
}
RESULT_OUT = {
    ResultFormat.JSON: ox.QueryResultsFormat.JSON,
    ResultFormat.XML: ox.QueryResultsFormat.XML,
    ResultFormat.CSV: ox.QueryResultsFormat.CSV,
    ResultFormat.TSV: ox.QueryResultsFormat.TSV,
}
RDF_PARSE = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/ntriples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
RDF_OUT = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE,
    RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.NQUADS: ox.RdfFormat.N_QUADS,
    RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.RDFXML: ox.RdfFormat.RDF_XML,
    RdfFormat.JSONLD: ox.RdfFormat.JSON_LD,
}
#: what servers say when they stopped a query at their deadline
_TIMEOUT_WORDS = re.compile(
    r"time-?out|timed out|has been cancelled|exceeds the limit|execution time", re.IGNORECASE
)
_OXIGRAPH_CANCELLED = b"The SPARQL operation has been cancelled"
#: lock conflicts worth retrying a whole (all-or-nothing) update for
_LOCK_CONFLICT = re.compile(r"SR171|Transaction timed out|40001|deadlock", re.IGNORECASE)
UPDATE_RETRIES = 1
#: what Virtuoso says when one update request is too big for its SPARQL compiler
_TOO_BIG = re.compile(r"memory exhausted|exceeded \d+ lines|too long|too large", re.IGNORECASE)
_XML_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class AccessDenied(StoreUnavailable):
    """The server refused the configured credentials (HTTP 401/403)."""


# ---- query rewriting: bindings as VALUES --------------------------------------------------
READ_FORMS = (QueryForm.SELECT, QueryForm.ASK, QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


def _tokens(query: str) -> Iterable[tuple[int, str]]:
    """The braces and bare words of ``query`` (outside strings, IRIs and comments), with
    their offsets: all the rewriting needs."""
    try:
        tokens = tokenize(query)[0]
    except QueryTextError as exc:
        raise QueryFailed(f"cannot read the query: {exc}") from exc
    for tok in tokens:
        if tok.text in ("{", "}") or (tok.kind == "name" and ":" not in tok.text):
            yield tok.start, tok.text


def query_form(query: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` (None when none is found)."""
    try:
        form = sparql_query_form(tokenize(query)[0])
    except QueryTextError:
        return None
    return form.value if form in READ_FORMS else None


def _term_text(name: str, term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        raise QueryFailed(f"binding ?{name}: blank nodes cannot be bound in a remote query")
    if not isinstance(term, ox.NamedNode | ox.Literal):
        raise QueryFailed(f"binding ?{name}: {type(term).__name__} is not an RDF term")
    return str(term)


def inject_values(query: str, bindings: Mapping[str, Term]) -> str:
    """Return ``query`` with ``VALUES (?a ?b) { (t1 t2) }`` first in its outermost WHERE group.

    >>> inject_values("SELECT * WHERE { ?s ?p ?o }", {"s": ox.NamedNode("http://x/a")})
    'SELECT * WHERE { VALUES (?s) { (<http://x/a>) } ?s ?p ?o }'
    """
    if not bindings:
        return query
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise QueryFailed(f"binding name {name!r} is not a SPARQL variable name")
    values = (
        "VALUES ("
        + " ".join(f"?{k}" for k in bindings)
        + ") { ("
        + " ".join(_term_text(k, v) for k, v in bindings.items())
        + ") }"
    )
    form = None
    depth = 0
    template: tuple[int, int] | None = None
    short_construct = False
    where_pos = 0
    for pos, tok in _tokens(query):
        if form is None:
            upper = tok.upper()
            if upper in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}:
                form = upper
            continue
        if form == "CONSTRUCT" and template is None and depth == 0:
            if tok.upper() == "WHERE" and not short_construct:
                short_construct = True
                where_pos = pos
                continue
            if tok == "{" and not short_construct:
                template = (pos, -1)
                depth = 1
                continue
            if tok == "{" and short_construct:
                # CONSTRUCT WHERE { T }  ==  CONSTRUCT { T } WHERE { T }
                end = _matching_brace(query, pos)
                body = query[pos + 1 : end]
                return (
                    query[:where_pos] + f"{{{body}}} WHERE {{ {values} {body}}}" + query[end + 1 :]
                )
        if tok == "{":
            if depth == 0 and (form != "CONSTRUCT" or template is not None):
                rest = query[pos + 1 :]
                return query[: pos + 1] + " " + values + ("" if rest[:1].isspace() else " ") + rest
            depth += 1
        elif tok == "}":
            depth -= 1
    raise QueryFailed("cannot bind variables: no WHERE group found in the query")


def _matching_brace(query: str, open_pos: int) -> int:
    depth = 0
    for pos, tok in _tokens(query[open_pos:]):
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth == 0:
                return open_pos + pos
    raise QueryFailed("unbalanced braces in the query")


# ---- the store --------------------------------------------------------------------------


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


class RemoteStore:
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
        self.query_url = self._check_url("RIIKG_REMOTE_QUERY_URL", query_url)
        self.update_url = self._check_url("RIIKG_REMOTE_UPDATE_URL", update_url or query_url)
        self._update_setting = "RIIKG_REMOTE_UPDATE_URL" if update_url else "RIIKG_REMOTE_QUERY_URL"
        self.gsp_url = self._check_url("RIIKG_REMOTE_GSP_URL", gsp_url) if gsp_url else ""
        self.timeout = timeout
        self.union_default_graph = union_default_graph
        self.max_response_bytes = max_response_bytes
        self._session = requests.Session()
        # no proxies or .netrc credentials from the environment: the settings say it all
        self._session.trust_env = False
        self._token = token
        self._user, self._password = user, password
        self._auth: AuthBase | None = HTTPBasicAuth(user, password) if user else None
        self._server = ""  # the Server header, to use server-specific parameters
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

    @staticmethod
    def _check_url(setting: str, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StoreUnavailable(f"{setting} must be an http(s) URL, got {url!r}")
        return url

    # ---- HTTP ---------------------------------------------------------------------------
    @property
    def _is_virtuoso(self) -> bool:
        return self._server.startswith("virtuoso")

    def _request(
        self,
        method: str,
        url: str,
        setting: str,
        *,
        data: bytes | Mapping[str, Any] | list[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: float | None = None,
        what: str = "query",
    ) -> requests.Response:
        """One HTTP exchange with deadline, size cap, same-origin redirects and error mapping.

        The body is read completely (``response.content``) before returning.
        """
        read_timeout = timeout or self.timeout
        deadline = time.monotonic() + read_timeout + CONNECT_TIMEOUT
        hdrs = dict(headers or {})
        if self._token:
            hdrs["Authorization"] = f"Bearer {self._token}"
        target = url
        for _hop in range(4):
            try:
                response = self._session.request(
                    method,
                    target,
                    data=data,
                    headers=hdrs,
                    params=params,
                    auth=self._auth,
                    timeout=(min(CONNECT_TIMEOUT, read_timeout), read_timeout),
                    allow_redirects=False,
                    stream=True,
                )
            except requests.exceptions.ConnectTimeout as exc:
                raise StoreUnavailable(
                    f"{setting} {url}: no connection within {CONNECT_TIMEOUT:.0f} s"
                ) from exc
            except requests.exceptions.ReadTimeout as exc:
                raise QueryTimeout(
                    f"{what} stopped: {url} sent no answer within {read_timeout:g} s"
                ) from exc
            except requests.exceptions.ConnectionError as exc:
                raise StoreUnavailable(f"{setting} {url}: cannot connect ({_reason(exc)})") from exc
            except requests.RequestException as exc:
                raise StoreUnavailable(f"{setting} {url}: {type(exc).__name__}") from exc
            if response.status_code == 401 and self._user and isinstance(self._auth, HTTPBasicAuth):
                # Virtuoso's /sparql-auth answers basic credentials with a bare 401 (or a
                # digest challenge): try digest once before giving up
                challenge = response.headers.get("WWW-Authenticate", "").lower()
                if not challenge.startswith("basic"):
                    response.close()
                    self._auth = HTTPDigestAuth(self._user, self._password)
                    continue
            if response.status_code in (301, 302, 303, 307, 308):
                location = response.headers.get("Location", "")
                response.close()
                nxt = urljoin(target, location)
                if response.status_code in (307, 308) and _same_origin(target, nxt):
                    target = nxt
                    continue
                raise StoreUnavailable(
                    f"{setting} {url}: the server redirects to {nxt!r}; riikg does not follow "
                    "redirects (set the final URL)"
                )
            break
        else:
            raise StoreUnavailable(f"{setting} {url}: too many redirects")
        self._server = response.headers.get("Server", self._server).lower()
        body = self._read_body(response, url, deadline, read_timeout, what)
        self._check_status(response, body, url, setting, what)
        return response

    def _read_body(
        self,
        response: requests.Response,
        url: str,
        deadline: float,
        read_timeout: float,
        what: str,
    ) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_response_bytes:
            response.close()
            raise QueryFailed(
                f"{what} answer from {url} is larger than {self.max_response_bytes} bytes"
            )
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise QueryFailed(
                        f"{what} answer from {url} is larger than {self.max_response_bytes} bytes"
                    )
                if time.monotonic() > deadline:
                    raise QueryTimeout(
                        f"{what} stopped: {url} did not finish in {read_timeout:g} s"
                    )
                chunks.append(chunk)
        except requests.exceptions.ConnectionError as exc:
            # requests wraps read timeouts during streaming as ConnectionError
            if "timed out" in str(exc).lower():
                raise QueryTimeout(
                    f"{what} stopped: {url} sent no data for {read_timeout:g} s"
                ) from exc
            raise StoreUnavailable(f"{url}: connection lost ({_reason(exc)})") from exc
        except requests.RequestException as exc:
            raise StoreUnavailable(f"{url}: connection lost ({type(exc).__name__})") from exc
        finally:
            response.close()
        body = b"".join(chunks)
        response._content = body  # noqa: SLF001 - make .content/.text available
        return body

    def _check_status(
        self, response: requests.Response, body: bytes, url: str, setting: str, what: str
    ) -> None:
        status = response.status_code
        text = body[:MAX_ERROR_TEXT].decode("utf-8", errors="replace").strip()
        if response.headers.get("X-SQL-State") == "S1TAT":
            # Virtuoso "anytime" answer: partial results after its timeout; never pass them on
            raise QueryTimeout(f"{what} stopped by the server's time limit ({url})")
        if status < 300:
            if body.endswith(_OXIGRAPH_CANCELLED) or body.rstrip().endswith(_OXIGRAPH_CANCELLED):
                raise QueryTimeout(f"{what} stopped by the server's time limit ({url})")
            return
        if status in (401, 403):
            how = (
                "RIIKG_REMOTE_TOKEN"
                if self._token
                else "RIIKG_REMOTE_USER / RIIKG_REMOTE_PASSWORD"
                if self._user
                else "no credentials (set RIIKG_REMOTE_USER / RIIKG_REMOTE_PASSWORD "
                "or RIIKG_REMOTE_TOKEN)"
            )
            raise AccessDenied(f"{setting} {url}: HTTP {status}, access refused for {how}")
        if status == 404:
            raise StoreUnavailable(f"{setting} {url}: HTTP 404, no SPARQL service at this URL")
        if status in (408, 504) or (status >= 500 and _TIMEOUT_WORDS.search(text)):
            raise QueryTimeout(f"{what} stopped by the server's time limit: {text}")
        if status in (502, 503):
            raise StoreUnavailable(f"{setting} {url}: HTTP {status} {text[:200]}")
        raise QueryFailed(f"{what} refused by {url} (HTTP {status}): {text}")

    # ---- dataset ------------------------------------------------------------------------
    def _dataset(
        self, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None
    ) -> list[tuple[str, str]]:
        if default_graphs is None:
            default_graphs = self.source_graphs()
        if named_graphs is None:
            named_graphs = self.named_graphs()
        # an empty list would mean "the server's default"; name a graph that never exists
        empty = f"{self.base}graph/none"
        fields = [("default-graph-uri", g) for g in (default_graphs or [empty])]
        fields += [("named-graph-uri", g) for g in (named_graphs or [empty])]
        return fields

    def _post_query(
        self,
        query: str,
        accept: str,
        *,
        dataset: list[tuple[str, str]] | None,
        timeout: float | None = None,
    ) -> requests.Response:
        fields: list[tuple[str, str]] = [("query", query)]
        fields += dataset or []
        if timeout is not None and self._is_virtuoso:
            fields.append(("timeout", str(int(timeout * 1000))))
        return self._request(
            "POST",
            self.query_url,
            "RIIKG_REMOTE_QUERY_URL",
            data=fields,
            headers={"Accept": accept},
            timeout=timeout,
        )

    def _results(self, response: requests.Response, what: str) -> Any:
        media = _media(response.headers.get("Content-Type"))
        body = response.content
        if media in RESULT_PARSE:
            if media.endswith("xml") and _XML_DTD.search(body[:4096]):
                raise QueryFailed("the server answered XML with a DTD; refused")
            try:
                return ox.parse_query_results(body, format=RESULT_PARSE[media])
            except (SyntaxError, ValueError, OSError) as exc:
                raise QueryFailed(f"cannot read the server's {media} answer: {exc}") from exc
        if media in RDF_PARSE:
            raise QueryFailed(f"{what} needs a SELECT or ASK query")
        raise QueryFailed(f"the server answered {media or 'no media type'} to a {what}")

    # ---- reading ------------------------------------------------------------------------
    def _query_results(self, query: str, bindings: Mapping[str, Term], what: str) -> Any:
        expected = "SELECT" if what == "select()" else "ASK"
        if query_form(query) not in (expected, None):
            raise QueryFailed(f"{what} needs an {expected} query".replace("an SELECT", "a SELECT"))
        text = inject_values(query, bindings)
        response = self._post_query(
            text,
            "application/sparql-results+json, application/sparql-results+xml;q=0.5",
            dataset=self._dataset(None, None),
        )
        media = _media(response.headers.get("Content-Type"))
        if media in RDF_PARSE:
            raise QueryFailed(f"{what} needs a {'SELECT' if what == 'select()' else 'ASK'} query")
        return self._results(response, what)

    def select(self, query: str, **bindings: Term) -> list[Row]:
        return rows_of(self._query_results(query, bindings, "select()"))

    def ask(self, query: str, **bindings: Term) -> bool:
        return boolean_of(self._query_results(query, bindings, "ask()"))

    def construct(self, query: str, **bindings: Term) -> list[ox.Triple]:
        if query_form(query) not in ("CONSTRUCT", "DESCRIBE", None):
            raise QueryFailed("construct() needs a CONSTRUCT or DESCRIBE query")
        text = inject_values(query, bindings)
        response = self._post_query(
            text,
            "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8",
            dataset=self._dataset(None, None),
        )
        media = _media(response.headers.get("Content-Type"))
        if media in RESULT_PARSE:
            raise QueryFailed("construct() needs a CONSTRUCT or DESCRIBE query")
        return list(self._triples(response.content, media))

    def _triples(self, body: bytes, media: str) -> Iterable[ox.Triple]:
        fmt = RDF_PARSE.get(media)
        if fmt is None:
            raise QueryFailed(f"the server answered {media or 'no media type'} to a CONSTRUCT")
        if fmt is ox.RdfFormat.RDF_XML and _XML_DTD.search(body[:4096]):
            raise QueryFailed("the server answered RDF/XML with a DTD; refused")
        try:
            return [q.triple for q in ox.parse(body, format=fmt)]
        except (SyntaxError, ValueError, OSError) as exc:
            raise QueryFailed(f"cannot read the server's {media} answer: {exc}") from exc

    def query_raw(
        self,
        query: str,
        media_type: ResultFormat | RdfFormat,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        """Run a query; return the server's answer in ``media_type``.

        The server's own serialisation is passed through when it answers in the requested
        media type; otherwise (Virtuoso's non-standard TSV, a server that lacks a format)
        riikg asks for JSON / N-Triples and serialises with pyoxigraph.
        """
        form = query_form(query)
        if form in ("CONSTRUCT", "DESCRIBE") and isinstance(media_type, ResultFormat):
            raise QueryFailed(f"{media_type.value} cannot carry CONSTRUCT/DESCRIBE results")
        if form in ("SELECT", "ASK") and isinstance(media_type, RdfFormat):
            raise QueryFailed(f"{media_type.value} cannot carry SELECT/ASK results")
        dataset = self._dataset(default_graphs, named_graphs)
        wanted = media_type.value
        # Virtuoso 7.2's TSV is not SPARQL TSV and its JSON-LD drops datatypes and languages
        native = not (self._is_virtuoso and media_type in (ResultFormat.TSV, RdfFormat.JSONLD))
        if native:
            accept = wanted
        elif isinstance(media_type, RdfFormat):
            accept = RdfFormat.NTRIPLES.value
        else:
            accept = ResultFormat.JSON.value
        response = self._post_query(query, accept, dataset=dataset, timeout=timeout)
        media = _media(response.headers.get("Content-Type"))
        if media not in RESULT_PARSE and media not in RDF_PARSE:
            raise QueryFailed(f"the server answered {media or 'no media type'} to the query")
        is_rdf = media in RDF_PARSE and not (
            media == "text/plain" and isinstance(media_type, ResultFormat)
        )
        if isinstance(media_type, RdfFormat) != is_rdf:
            kind = "CONSTRUCT/DESCRIBE" if is_rdf else "SELECT/ASK"
            raise QueryFailed(f"{wanted} cannot carry {kind} results")
        if media == wanted and native:
            return response.content
        if is_rdf:
            assert isinstance(media_type, RdfFormat)
            graph = ox.Store()
            for t in self._triples(response.content, media):
                graph.add(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
            if media_type in (RdfFormat.NQUADS, RdfFormat.TRIG):
                out = graph.dump(format=RDF_OUT[media_type])
            else:
                out = graph.dump(format=RDF_OUT[media_type], from_graph=ox.DefaultGraph())
            return out or b""
        assert isinstance(media_type, ResultFormat)
        result = self._results(response, "query")
        out = result.serialize(format=RESULT_OUT[media_type])
        return out if out is not None else b""

    def _internal_select(self, query: str) -> list[Row]:
        """A SELECT about riikg's own graphs, sent without a dataset (it names its graphs)."""
        response = self._post_query(query, "application/sparql-results+json", dataset=None)
        result = self._results(response, "select()")
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in result]

    def _all_graphs(self) -> list[str]:
        prefix = f"{self.base}graph/"
        # Oxigraph lists its graphs from an index with an empty pattern; other servers
        # (Virtuoso answers nothing to it) need a triple pattern
        pattern = "{}" if self._server.startswith("oxigraph") else "{ ?s ?p ?o }"
        rows = self._internal_select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {pattern} "
            f"FILTER(STRSTARTS(STR(?g), {_string(prefix)})) }}"
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

    def source_graphs(self) -> list[str]:
        return [g for g in self.named_graphs() if is_source_graph(self.base, g)]

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{_iri(graph)}> {{ ?s ?p ?o }} }}"
        else:
            query = (
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                f"FILTER(STRSTARTS(STR(?g), {_string(self.base + 'graph/')})) }}"
            )
        rows = self._internal_select(query)
        return int(rows[0]["n"].value) if rows and "n" in rows[0] else 0

    def dump(self, graph: str, media_type: RdfFormat) -> bytes:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{_iri(graph)}> {{ ?s ?p ?o }} }}"
        return self.query_raw(query, media_type, default_graphs=[], named_graphs=[graph])

    def _version_record(self, *, fresh: bool = False) -> tuple[int, datetime | None]:
        now = time.monotonic()
        with self._lock:
            cached = self._version_cache
        if not fresh and cached is not None and now - cached[0] < VERSION_TTL:
            return cached[1], cached[2]
        subject = _iri(self.base)
        rows = self._internal_select(
            f"SELECT ?p ?o WHERE {{ GRAPH <{_iri(version_graph(self.base))}> {{ <{subject}> ?p ?o "
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

    @property
    def version(self) -> int:
        return self._version_record()[0]

    @property
    def modified(self) -> datetime | None:
        return self._version_record()[1]

    # ---- writing ------------------------------------------------------------------------
    def _update(self, text: str) -> None:
        try:
            self._request(
                "POST",
                self.update_url,
                self._update_setting,
                data=text.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                what="update",
            )
        except QueryFailed as exc:
            if _TOO_BIG.search(str(exc)) and not self.gsp_url:
                raise QueryFailed(
                    f"{exc}\n(the update is too large for one request on this server; set "
                    "RIIKG_REMOTE_GSP_URL to upload through the Graph Store Protocol)"
                ) from exc
            raise

    def _update_retrying(self, text: str) -> None:
        """Send one update; retry when the server reports a lock conflict.

        Virtuoso 7.2 sometimes answers a large DROP/MOVE (50k+ triples) with "SR171:
        Transaction timed out" (or a 40001 deadlock), mostly in the first minutes after it
        starts (docs/remote-store.md); the request is all-or-nothing, so sending it again
        is safe.
        """
        for attempt in range(UPDATE_RETRIES + 1):
            try:
                self._update(text)
                return
            except (QueryTimeout, QueryFailed) as exc:
                if attempt == UPDATE_RETRIES or not _LOCK_CONFLICT.search(str(exc)):
                    raise
                time.sleep(2.0 * (attempt + 1))

    def _gsp_put(self, graph: str, triples: list[ox.Triple]) -> None:
        body = "".join(f"{t} .\n" for t in triples).encode("utf-8")
        self._request(
            "PUT",
            self.gsp_url,
            "RIIKG_REMOTE_GSP_URL",
            data=body,
            params={"graph": graph},
            headers={"Content-Type": "application/n-triples; charset=utf-8"},
            what="graph upload",
        )

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Triple] | None]) -> int:
        """Replace whole graphs and bump the version in **one** update request.

        Without ``RIIKG_REMOTE_GSP_URL`` the triples travel inside that request
        (``INSERT { … } WHERE {}`` so blank nodes keep their identity across graphs). With it,
        each graph is first uploaded (PUT) into a private staging graph, and the one update
        request then ``MOVE``s the staging graphs into place: the swap is as atomic as the
        server makes one update request (docs/remote-store.md).
        """
        with self._lock:
            new_version = self._version_record(fresh=True)[0] + 1
            changes: dict[str, list[ox.Triple] | None] = {
                g: (None if ts is None else list(ts)) for g, ts in graphs.items()
            }
            changes[version_graph(self.base)] = version_triples(self.base, new_version, now_utc())
            ops: list[str] = []
            inline: dict[str, list[ox.Triple]] = {}
            staged: list[str] = []
            try:
                for graph, triples in changes.items():
                    ops.append(f"DROP SILENT GRAPH <{_iri(graph)}>")
                    if not triples:
                        continue
                    if self.gsp_url and graph != version_graph(self.base):
                        stage = f"{self.base}graph/staging/{uuid.uuid4().hex}"
                        self._gsp_put(stage, triples)
                        staged.append(stage)
                        ops.append(f"MOVE SILENT GRAPH <{stage}> TO GRAPH <{_iri(graph)}>")
                    else:
                        inline[graph] = triples
                ops.extend(_insert_ops(inline))
                self._update_retrying(" ;\n".join(ops))
            except Exception:
                for stage in staged:
                    try:
                        self._update(f"DROP SILENT GRAPH <{stage}>")
                    except Exception:  # noqa: BLE001 - best effort, the first error matters
                        break
                self._version_cache = None
                self._graphs_cache = None
                raise
            self._version_cache = None
            self._graphs_cache = None
            return new_version

    def close(self) -> None:
        self._session.close()


def _insert_ops(inline: Mapping[str, list[ox.Triple]]) -> list[str]:
    """INSERT operations for the inline triples.

    Triples with blank nodes all go into one ``INSERT { … } WHERE {}`` (one template, so a
    blank node shared by several graphs stays one node; Virtuoso refuses blank nodes in
    ``INSERT DATA``). The others go in ``INSERT DATA`` chunks of
    :data:`MAX_TRIPLES_PER_UPDATE` triples.
    """
    with_bnodes: dict[str, list[ox.Triple]] = {}
    plain: list[tuple[str, ox.Triple]] = []
    for graph, triples in inline.items():
        for t in triples:
            if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
                with_bnodes.setdefault(graph, []).append(t)
            else:
                plain.append((graph, t))
    ops: list[str] = []
    if with_bnodes:
        blocks = " ".join(
            f"GRAPH <{_iri(g)}> {{\n" + "".join(f"{t} .\n" for t in ts) + "}"
            for g, ts in with_bnodes.items()
        )
        ops.append(f"INSERT {{ {blocks} }} WHERE {{}}")
    for start in range(0, len(plain), MAX_TRIPLES_PER_UPDATE):
        chunk = plain[start : start + MAX_TRIPLES_PER_UPDATE]
        by_graph: dict[str, list[ox.Triple]] = {}
        for g, t in chunk:
            by_graph.setdefault(g, []).append(t)
        blocks = " ".join(
            f"GRAPH <{_iri(g)}> {{\n" + "".join(f"{t} .\n" for t in ts) + "}"
            for g, ts in by_graph.items()
        )
        ops.append(f"INSERT DATA {{ {blocks} }}")
    return ops


def _iri(value: str) -> str:
    """The IRI, validated (pyoxigraph refuses characters that would break out of ``<>``)."""
    return ox.NamedNode(value).value


def _string(value: str) -> str:
    return str(ox.Literal(value))


def _same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out"):
        if marker.lower() in text.lower():
            return marker.lower()
    return type(exc).__name__
