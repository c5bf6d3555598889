"""Writes to a remote server: whole graphs replaced in one SPARQL Update request, batched
under Virtuoso's limits, with bulk data through the Graph Store Protocol when configured."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping

import pyoxigraph as ox

from riikg.store.base import QueryFailed, QueryTimeout
from riikg.store.remote import quirks
from riikg.store.remote.http import Http
from riikg.store.remote.query import iri


class Writer:
    """Sends updates (and Graph Store Protocol uploads) for one store."""

    def __init__(
        self, http: Http, base: str, update_url: str, update_setting: str, gsp_url: str
    ) -> None:
        self._http = http
        self._base = base
        self.update_url = update_url
        self._update_setting = update_setting
        self.gsp_url = gsp_url

    def update(self, text: str) -> None:
        try:
            self._http.request(
                "POST",
                self.update_url,
                self._update_setting,
                data=text.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                what="update",
            )
        except QueryFailed as exc:
            if quirks.TOO_BIG.search(str(exc)) and not self.gsp_url:
                raise QueryFailed(
                    f"{exc}\n(the update is too large for one request on this server; set "
                    "RIIKG_REMOTE_GSP_URL to upload through the Graph Store Protocol)"
                ) from exc
            raise

    def update_retrying(self, text: str) -> None:
        """Send one update; retry when the server reports a lock conflict.

        Virtuoso 7.2 sometimes answers a large DROP/MOVE (50k+ triples) with "SR171:
        Transaction timed out" (or a 40001 deadlock), mostly in the first minutes after it
        starts (docs/remote-store.md); the request is all-or-nothing, so sending it again
        is safe.
        """
        for attempt in range(quirks.UPDATE_RETRIES + 1):
            try:
                self.update(text)
                return
            except (QueryTimeout, QueryFailed) as exc:
                if attempt == quirks.UPDATE_RETRIES or not quirks.LOCK_CONFLICT.search(str(exc)):
                    raise
                time.sleep(2.0 * (attempt + 1))

    def _gsp_put(self, graph: str, triples: list[ox.Triple]) -> None:
        self._http.request(
            "PUT",
            self.gsp_url,
            "RIIKG_REMOTE_GSP_URL",
            data=_ntriples(triples).encode("utf-8"),
            params={"graph": graph},
            headers={"Content-Type": "application/n-triples; charset=utf-8"},
            what="graph upload",
        )

    def replace(self, changes: Mapping[str, list[ox.Triple] | None], inline_only: str) -> None:
        """Replace whole graphs (None drops one) in **one** update request.

        Without a Graph Store Protocol URL the triples travel inside that request
        (``INSERT { … } WHERE {}`` so blank nodes keep their identity across graphs). With
        it, each graph but ``inline_only`` is first uploaded (PUT) into a private staging
        graph, and the one update request then ``MOVE``s the staging graphs into place: the
        swap is as atomic as the server makes one update request (docs/remote-store.md).
        """
        ops: list[str] = []
        inline: dict[str, list[ox.Triple]] = {}
        staged: list[str] = []
        try:
            for graph, triples in changes.items():
                ops.append(f"DROP SILENT GRAPH <{iri(graph)}>")
                if not triples:
                    continue
                if self.gsp_url and graph != inline_only:
                    stage = f"{self._base}graph/staging/{uuid.uuid4().hex}"
                    self._gsp_put(stage, triples)
                    staged.append(stage)
                    ops.append(f"MOVE SILENT GRAPH <{stage}> TO GRAPH <{iri(graph)}>")
                else:
                    inline[graph] = triples
            ops.extend(insert_ops(inline))
            self.update_retrying(" ;\n".join(ops))
        except Exception:
            for stage in staged:
                try:
                    self.update(f"DROP SILENT GRAPH <{stage}>")
                except Exception:  # noqa: BLE001 - best effort, the first error matters
                    break
            raise


def insert_ops(inline: Mapping[str, list[ox.Triple]]) -> list[str]:
    """INSERT operations for the inline triples.

    Triples with blank nodes all go into one ``INSERT { … } WHERE {}`` (one template, so a
    blank node shared by several graphs stays one node; Virtuoso refuses blank nodes in
    ``INSERT DATA``). The others go in ``INSERT DATA`` chunks of
    :data:`~riikg.store.remote.quirks.MAX_TRIPLES_PER_UPDATE` triples.
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
        ops.append(f"INSERT {{ {_graph_blocks(with_bnodes)} }} WHERE {{}}")
    for start in range(0, len(plain), quirks.MAX_TRIPLES_PER_UPDATE):
        by_graph: dict[str, list[ox.Triple]] = {}
        for g, t in plain[start : start + quirks.MAX_TRIPLES_PER_UPDATE]:
            by_graph.setdefault(g, []).append(t)
        ops.append(f"INSERT DATA {{ {_graph_blocks(by_graph)} }}")
    return ops


def _graph_blocks(graphs: Mapping[str, list[ox.Triple]]) -> str:
    return " ".join(f"GRAPH <{iri(g)}> {{\n{_ntriples(ts)}}}" for g, ts in graphs.items())


def _ntriples(triples: list[ox.Triple]) -> str:
    return "".join(f"{t} .\n" for t in triples)
