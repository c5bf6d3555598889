"""A response cache for ``/sparql``: identical requests at the same data version are answered
from memory, without parsing, checking or running the query again.

Public endpoints do the same (Wikidata Query Service keeps results 5 minutes; docs/security.md
suggests it for riikg). The cache is a WSGI middleware in front of the Flask application:

* the key is the data version plus everything the answer depends on: method, query string,
  ``Content-Type`` and body of a POST, ``Accept`` and ``Accept-Language``;
* only answers the SPARQL view marks as cacheable are kept (200, complete, not larger than
  :data:`MAX_ENTRY_BYTES`, no ``NOW()``/``RAND()``/``UUID()``/``STRUUID()``/``BNODE()``);
* a new data version makes every older entry unreachable (it is part of the key), and an
  entry is dropped after ``RIIKG_RESULT_CACHE_TTL`` seconds in any case;
* memory is bounded by ``RIIKG_RESULT_CACHE_MB`` per server process (least recently used
  entries go first); with ``0`` ``create_app`` does not install the cache;
* conditional requests (``If-None-Match``, ``If-Modified-Since``, ``If-Match``,
  ``If-Unmodified-Since``) and ``HEAD`` go to the application, which evaluates the
  preconditions itself (``endpoint.http.caching``: 304 or 412).

A reused answer carries ``X-Cache: hit`` and ``Age``; a fresh one ``X-Cache: miss``.
"""

from __future__ import annotations

import io
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

#: answers larger than this are streamed and never kept
MAX_ENTRY_BYTES = 1 << 20
#: environ key the SPARQL view sets to True when its answer may be reused
CACHEABLE = "riikg.cacheable"
#: request headers that make the application answer differently (besides method and body)
_VARY = ("QUERY_STRING", "CONTENT_TYPE", "HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE")
_CONDITIONAL = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)
#: headers the server adds per response; never replayed
_PER_RESPONSE = frozenset({"date", "server", "content-length", "x-cache", "age"})

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Entry:
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    stored: float


class ResultCache:
    """WSGI middleware caching the cacheable answers of ``path``."""

    def __init__(
        self,
        app: WsgiApp,
        version: Callable[[], int],
        *,
        max_bytes: int,
        ttl: float,
        max_body: int,
        path: str = "/sparql",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self._version = version
        self._max_bytes = max_bytes
        self._ttl = ttl
        self._max_body = max_body
        self._path = path
        self._clock = clock
        self._entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0

    @property
    def size(self) -> int:
        """Bytes held (bodies only)."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)

    # ---- WSGI --------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        entry = self._get(key)
        if entry is not None:
            self.hits += 1
            age = max(0, int(self._clock() - entry.stored))
            start_response(
                entry.status,
                [
                    *entry.headers,
                    ("Content-Length", str(len(entry.body))),
                    ("X-Cache", "hit"),
                    ("Age", str(age)),
                ],
            )
            return [entry.body]
        environ[CACHEABLE] = False
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, list(headers)
            return start_response(status, [*headers, ("X-Cache", "miss")], exc_info)

        result = self.app(environ, capture)

        def keep(body: bytes) -> None:
            status = seen.get("status", "")
            if environ.get(CACHEABLE) and status.startswith("200"):
                headers = tuple(
                    (k, v) for k, v in seen["headers"] if k.lower() not in _PER_RESPONSE
                )
                self._put(key, Entry(status, headers, body, self._clock()))

        return _Recording(result, self._max_body, keep)

    def _key(self, environ: dict[str, Any]) -> tuple[Any, ...] | None:
        method = environ.get("REQUEST_METHOD", "")
        if (
            environ.get("PATH_INFO") != self._path
            or method not in ("GET", "POST")
            or any(environ.get(h) for h in _CONDITIONAL)
        ):
            return None
        body = b""
        if method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or -1)
            except ValueError:
                return None
            if not 0 <= length <= self._max_body:
                return None  # chunked or large: the application checks and answers it
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        try:
            version = self._version()
        except Exception:  # the store is down: let the application say so
            return None
        return (version, method, body, *(environ.get(h, "") for h in _VARY))

    # ---- entries -----------------------------------------------------------------------
    def _get(self, key: tuple[Any, ...]) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self._clock() - entry.stored > self._ttl:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def _put(self, key: tuple[Any, ...], entry: Entry) -> None:
        cost = len(entry.body) + len(key[2])
        if cost > self._max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = entry
            self._size += cost
            while self._size > self._max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: tuple[Any, ...]) -> None:
        entry = self._entries.pop(key)
        self._size -= len(entry.body) + len(key[2])


class _Recording:
    """Pass the application's body through, keeping a copy while it stays small; hand the
    copy to ``keep`` once the body was sent completely."""

    def __init__(self, result: Iterable[bytes], limit: int, keep: Callable[[bytes], None]):
        self._result = result
        self._iter: Iterator[bytes] | None = None
        self._limit = limit
        self._keep = keep
        self._parts: list[bytes] | None = []
        self._held = 0

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._iter is None:
            self._iter = iter(self._result)
        try:
            chunk = next(self._iter)
        except StopIteration:
            if self._parts is not None:
                self._keep(b"".join(self._parts))
                self._parts = None
            raise
        if self._parts is not None:
            self._held += len(chunk)
            if self._held > self._limit:
                self._parts = None  # too large to keep: stream only
            else:
                self._parts.append(chunk)
        return chunk

    def close(self) -> None:
        self._parts = None
        close = getattr(self._result, "close", None)
        if close is not None:
            close()
