"""Remote backend: any SPARQL 1.1 Protocol server (Virtuoso, Fuseki, Oxigraph server, GraphDB).

By concern: :mod:`~riikg.store.remote.store` (the :class:`RemoteStore` itself),
:mod:`~riikg.store.remote.http` (session, credentials, deadlines, byte caps),
:mod:`~riikg.store.remote.query` (bindings, dataset, reading answers),
:mod:`~riikg.store.remote.updates` (graph replacement, batching) and
:mod:`~riikg.store.remote.quirks` (what differs between servers).
"""

from __future__ import annotations

from riikg.store.remote.http import AccessDenied
from riikg.store.remote.query import inject_values, query_form
from riikg.store.remote.store import RemoteStore

__all__ = ["AccessDenied", "RemoteStore", "inject_values", "query_form"]
