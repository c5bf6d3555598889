"""What differs between SPARQL servers, in one place (docs/remote-store.md).

riikg speaks the standard protocols to every server; these are the exceptions it knows,
keyed by the ``Server`` header of the last answer (Virtuoso, Oxigraph server) or by what a
server says in its errors (Fuseki, GraphDB and the others need no exception).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from riikg import formats

#: what servers say when they stopped a query at their deadline
TIMEOUT_WORDS = re.compile(
    r"time-?out|timed out|has been cancelled|exceeds the limit|execution time", re.IGNORECASE
)
#: Oxigraph server ends a streamed answer with this line when its deadline cancels a query
OXIGRAPH_CANCELLED = b"The SPARQL operation has been cancelled"
#: lock conflicts worth retrying a whole (all-or-nothing) update for (Virtuoso)
LOCK_CONFLICT = re.compile(r"SR171|Transaction timed out|40001|deadlock", re.IGNORECASE)
UPDATE_RETRIES = 1
#: what Virtuoso says when one update request is too big for its SPARQL compiler
TOO_BIG = re.compile(r"memory exhausted|exceeded \d+ lines|too long|too large", re.IGNORECASE)
#: Virtuoso's SPARQL compiler refuses update texts much above this many triples
MAX_TRIPLES_PER_UPDATE = 2000


class Server:
    """The server behind the endpoint, as its last answer named it (``Server`` header)."""

    def __init__(self) -> None:
        self.name = ""

    def saw(self, headers: Mapping[str, str]) -> None:
        self.name = headers.get("Server", self.name).lower()

    @property
    def is_virtuoso(self) -> bool:
        return self.name.startswith("virtuoso")

    @property
    def is_oxigraph(self) -> bool:
        return self.name.startswith("oxigraph")

    def timeout_fields(self, timeout: float | None) -> list[tuple[str, str]]:
        """Protocol fields that hand the deadline to the server (Virtuoso: ``timeout`` in
        milliseconds; the others take theirs from their own configuration)."""
        if timeout is not None and self.is_virtuoso:
            return [("timeout", str(int(timeout * 1000)))]
        return []

    def speaks(self, fmt: formats.Format) -> bool:
        """Whether the server's own serialisation in ``fmt`` can be passed on: Virtuoso
        7.2's TSV is not SPARQL TSV and its JSON-LD drops datatypes and languages."""
        return not (self.is_virtuoso and fmt in (formats.TSV, formats.JSONLD))

    @property
    def graph_pattern(self) -> str:
        """The pattern that lists graphs: Oxigraph lists them from an index with an empty
        pattern; the others (Virtuoso answers nothing to it) need a triple pattern."""
        return "{}" if self.is_oxigraph else "{ ?s ?p ?o }"


def stopped_at_deadline(headers: Mapping[str, str], status: int, body: bytes, text: str) -> bool:
    """Whether an answer says the server stopped the query at its deadline."""
    if headers.get("X-SQL-State") == "S1TAT":
        # Virtuoso "anytime" answer: partial results after its timeout; never pass them on
        return True
    if status < 300:
        return body.rstrip().endswith(OXIGRAPH_CANCELLED)
    return status in (408, 504) or (status >= 500 and bool(TIMEOUT_WORDS.search(text)))


def wants_digest(status: int, headers: Mapping[str, str]) -> bool:
    """Virtuoso's /sparql-auth answers basic credentials with a bare 401 (or a digest
    challenge): riikg then tries digest once before giving up."""
    challenge = headers.get("WWW-Authenticate", "").lower()
    return status == 401 and not challenge.startswith("basic")
