"""The one per-data-version cache of the web layer (pages and catalogue share it).

Everything the pages and the catalogue compute from the data (label index, facts, source
records, dumps, OAI records, sitemap entries...) is computed once per *data version* and
kept in the application (``app.extensions["riikg.cache"]``). "The same data" has one
definition, :func:`data_version`: the store's version number plus the time of that write.
The number alone is not enough: a store rebuilt from scratch counts from 1 again and can
reach a number seen before with other data; the time of the write tells them apart.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app, g

from endpoint.state import get_store
from riikg.store import Store

T = TypeVar("T")
#: ``app.extensions`` key of the application's :class:`VersionCache`
EXTENSION = "riikg.cache"
#: ``flask.g`` attribute holding the request's data version (read once per request)
_REQUEST_KEY = "riikg_data_version"
_MEMO_LOCK = threading.Lock()


def data_version(store: Store) -> str:
    """What identifies the data: the version number plus the time of that write.

    Names on-disk dump directories and OAI-PMH resumption tokens too, so it is stable
    across processes.
    """
    modified = store.modified
    stamp = modified.strftime("%Y%m%dT%H%M%S") if modified else "0"
    return f"{store.version}-{stamp}"


class VersionCache:
    """Values computed from the data, kept for the current data version only.

    A value is built once per version even under concurrent requests (the others wait for it);
    a new version drops every value of the old one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._key = ""
        self._values: dict[str, Any] = {}

    @property
    def key(self) -> str:
        """The data version the values belong to ("" before the first)."""
        return self._key

    def names(self) -> list[str]:
        """The names of the values built for the current version, sorted."""
        with self._lock:
            return sorted(self._values)

    def _lookup(self, key: str, name: str) -> tuple[bool, Any]:
        with self._lock:
            if key != self._key:
                self._key, self._values = key, {}
            return name in self._values, self._values.get(name)

    def get(self, key: str, name: str, build: Callable[[], T]) -> T:
        """The cached value, or ``build()`` run once (other threads wait for it)."""
        found, value = self._lookup(key, name)
        if found:
            return value  # type: ignore[no-any-return]
        with self._lock:
            building = self._building.setdefault(name, threading.Lock())
        with building:
            found, value = self._lookup(key, name)
            if found:
                return value  # type: ignore[no-any-return]
            built = build()
            with self._lock:
                if key == self._key:
                    self._values[name] = built
            return built


def app_cache() -> VersionCache:
    """The current application's cache."""
    cache: VersionCache = current_app.extensions.setdefault(EXTENSION, VersionCache())
    return cache


def request_version(store: Store) -> str:
    """:func:`data_version`, read once per request (a remote store answers it with a query)."""
    key: str | None = g.get(_REQUEST_KEY)
    if key is None:
        key = data_version(store)
        setattr(g, _REQUEST_KEY, key)
    return key


def per_version(name: str, build: Callable[[Store], T]) -> T:
    """``build(store)`` computed once per data version for the current application."""
    store = get_store()
    return app_cache().get(request_version(store), name, lambda: build(store))


def memo(name: str, key: Hashable, build: Callable[[], T], size: int = 256) -> T:
    """A value kept per data version and key (least recently used dropped past ``size``)."""
    entries: OrderedDict[Hashable, object] = per_version(
        "memo:" + name, lambda _store: OrderedDict()
    )
    with _MEMO_LOCK:
        if key in entries:
            entries.move_to_end(key)
            return entries[key]  # type: ignore[return-value]
    value = build()
    with _MEMO_LOCK:
        entries[key] = value
        while len(entries) > size:
            entries.popitem(last=False)
    return value
