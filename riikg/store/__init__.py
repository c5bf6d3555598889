"""Store backends behind one interface, chosen in one place from ``Settings.store``."""

from __future__ import annotations

from riikg.config import Settings, StoreKind
from riikg.store.base import (
    Answer,
    QueryFailed,
    QueryRequest,
    QueryTimeout,
    RdfFormat,
    ReadOnlyStore,
    ResultFormat,
    Row,
    Store,
    StoreError,
    StoreUnavailable,
    Term,
)

__all__ = [
    "Answer",
    "QueryFailed",
    "QueryRequest",
    "QueryTimeout",
    "RdfFormat",
    "ReadOnlyStore",
    "ResultFormat",
    "Row",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "Term",
    "open_store",
]


def open_store(settings: Settings, *, writable: bool = False) -> Store:
    """Open the configured store.

    Args:
        settings: the configuration (``store`` picks the backend).
        writable: open for loading. The embedded on-disk store then opens its master copy;
            otherwise it opens the published snapshot read-only. Remote and memory stores
            ignore it.
    """
    if settings.store is StoreKind.MEMORY:
        from riikg.store.oxigraph import OxigraphStore

        return OxigraphStore.memory(settings.base_iri)
    if settings.store is StoreKind.OXIGRAPH:
        from riikg.store.oxigraph import OxigraphStore

        if writable:
            return OxigraphStore.open_writer(settings.base_iri, settings.store_path)
        return OxigraphStore.open_reader(settings.base_iri, settings.store_path)
    from riikg.store.remote import RemoteStore

    return RemoteStore.from_settings(settings)
