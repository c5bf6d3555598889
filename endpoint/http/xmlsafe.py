"""Every XML answer is well-formed, whatever strings the store holds.

XML 1.0 cannot carry the C0 controls other than TAB, LF and CR, nor U+FFFE / U+FFFF (nor
lone surrogates), not even escaped. A literal holding one of them would make an RDF/XML,
SPARQL XML or OAI-PMH answer unreadable for a strict parser. One rule applies to all of
them: each such character becomes U+FFFD (REPLACEMENT CHARACTER).

* :func:`riikg.xmlchars.clean_text` applies the rule to a Python string (for XML written
  by hand; the loaders refuse by the same rule);
* :func:`sanitise` (an ``after_request`` hook) applies it to the UTF-8 body of every
  response whose media type is XML, buffered or streamed, whoever produced it. It runs
  before the response cache (a WSGI middleware outside Flask) sees the body, so a cached
  answer is the cleaned one; ETags depend on the request, not on the body, so they stay as
  they were.

At byte level the rule is safe without decoding: in UTF-8 the bytes 0x00-0x1F never occur
inside a multi-byte sequence, U+FFFE / U+FFFF are ``EF BF BE`` / ``EF BF BF`` and an encoded
surrogate is ``ED A0..BF 80..BF``; a sequence split between two chunks is held back until
the next one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from flask import Response

from riikg.xmlchars import REPLACEMENT

REPLACEMENT_BYTES = REPLACEMENT.encode("utf-8")
_BAD_BYTES = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|\xed[\xa0-\xbf][\x80-\xbf]"
)
#: lead bytes of the three-byte sequences the rule looks at
_LEADS = (0xEF, 0xED)
XML_MEDIA_TYPES = frozenset({"application/xml", "text/xml"})


def is_xml(mimetype: str) -> bool:
    """Whether a media type (without parameters) is XML: ``*/xml`` or ``*+xml``."""
    mimetype = mimetype.lower()
    return mimetype in XML_MEDIA_TYPES or mimetype.endswith("+xml")


def clean_bytes(data: bytes) -> bytes:
    """UTF-8 ``data`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    if _BAD_BYTES.search(data) is None:
        return data
    return _BAD_BYTES.sub(REPLACEMENT_BYTES, data)


def _split_tail(data: bytes) -> int:
    """How many trailing bytes may start a sequence the rule looks at (0, 1 or 2)."""
    if data and data[-1] in _LEADS:
        return 1
    if len(data) >= 2 and data[-2] in _LEADS and 0x80 <= data[-1] <= 0xBF:
        return 2
    return 0


class CleanStream:
    """A response body cleaned chunk by chunk; ``close`` reaches the wrapped body."""

    def __init__(self, body: Iterable[bytes | str]) -> None:
        self._body = body
        self._iter: Iterator[bytes | str] | None = None
        self._held = b""
        self._done = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._iter is None:
            self._iter = iter(self._body)
        while not self._done:
            try:
                chunk = next(self._iter)
            except StopIteration:
                self._done = True
                break
            data = self._held + (chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            keep = _split_tail(data)
            self._held = data[len(data) - keep :] if keep else b""
            out = clean_bytes(data[: len(data) - keep])
            if out:
                return out
        if self._held:
            out, self._held = clean_bytes(self._held), b""
            return out
        raise StopIteration

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            close()


def sanitise(response: Response) -> Response:
    """``after_request``: clean the body of an XML response (buffered or streamed).

    A 206 (a byte range of a file) is left alone: its offsets refer to the file as stored.
    """
    if not is_xml(response.mimetype or "") or response.status_code in (204, 206, 304):
        return response
    if response.is_sequence and not response.direct_passthrough:
        data = response.get_data()
        cleaned = clean_bytes(data)
        if cleaned is not data:
            response.set_data(cleaned)
        return response
    response.response = CleanStream(response.response)
    response.direct_passthrough = False
    response.headers.pop("Content-Length", None)
    return response
