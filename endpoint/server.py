"""Run the Flask app under gunicorn (a production WSGI server) from Python."""

from __future__ import annotations

import re
import socket
import time
from typing import Any

from gunicorn.workers import gthread

from endpoint.state import MAX_REQUEST_BODY
from riikg.config import Settings

#: a request head larger than this is handed to gunicorn's parser, which refuses it
HEAD_LIMIT = 64 * 1024
#: a client gets this long to send a complete request head (slowloris protection)
HEAD_TIMEOUT = 10.0
#: request bodies up to this size are gathered before a thread is used (the app's own
#: limit); a larger one is refused with 413 without a thread
BODY_LIMIT = MAX_REQUEST_BODY
#: a client gets this long, once its head has arrived, to send the whole body
BODY_TIMEOUT = 10.0
#: after a 413, what the client still sends is read and dropped for at most this long
#: (and this much), so that it sees the answer instead of a reset connection
DISCARD_TIMEOUT = 5.0
DISCARD_LIMIT = 16 << 20

_MORE = -1  # more bytes are needed to know where the request ends
_TOO_LARGE = -2  # the body is larger than BODY_LIMIT
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


def _head_end(data: bytes) -> int:
    """Offset just past the request head, or -1 when it has not fully arrived."""
    ends = [i + len(sep) for sep in (b"\r\n\r\n", b"\n\n") if (i := data.find(sep)) >= 0]
    return min(ends) if ends else -1


def _headers(head: bytes) -> dict[bytes, list[bytes]]:
    fields: dict[bytes, list[bytes]] = {}
    for line in head.split(b"\n")[1:]:
        name, colon, value = line.rstrip(b"\r").partition(b":")
        if colon:
            fields.setdefault(name.strip().lower(), []).append(value.strip())
    return fields


def _chunked_end(data: bytes, pos: int) -> int:
    """Offset just past a chunked body starting at ``pos``, or _MORE / _TOO_LARGE.

    A malformed body gives ``len(data)``: gunicorn's parser gets it at once and refuses it.
    """
    start = pos
    while True:
        if pos - start > BODY_LIMIT:
            return _TOO_LARGE
        eol = data.find(b"\n", pos)
        if eol < 0:
            return _MORE if len(data) - pos <= 1024 else len(data)
        size_text = data[pos:eol].rstrip(b"\r").split(b";", 1)[0].strip()
        if not _HEX.fullmatch(size_text):
            return len(data)
        size = int(size_text, 16)
        if size == 0:  # the last chunk: trailer fields end with an empty line
            pos = eol + 1
            while True:
                eol = data.find(b"\n", pos)
                if eol < 0:
                    return _MORE if len(data) - pos <= HEAD_LIMIT else len(data)
                if data[pos:eol].rstrip(b"\r") == b"":
                    return eol + 1
                pos = eol + 1
        pos = eol + 1 + size
        if pos - start > BODY_LIMIT:
            return _TOO_LARGE
        if len(data) < pos + 2:
            return _MORE
        pos += 2 if data[pos : pos + 2] == b"\r\n" else 1


def _request_end(data: bytes) -> int:
    """Where the first request in ``data`` ends (head and body), or _MORE / _TOO_LARGE.

    Anything this cannot make sense of is handed to gunicorn's parser straight away (it
    answers 400): the point here is only never to give a thread to a request that has not
    fully arrived.
    """
    head_end = _head_end(data)
    if head_end < 0:
        return _MORE if len(data) < HEAD_LIMIT else len(data)
    fields = _headers(data[:head_end])
    coding = fields.get(b"transfer-encoding")
    lengths = fields.get(b"content-length")
    if coding is not None:
        if lengths is not None or not b",".join(coding).lower().endswith(b"chunked"):
            return len(data)  # refused by gunicorn
        return _chunked_end(data, head_end)
    if lengths is None:
        return head_end
    if len(set(lengths)) != 1 or not lengths[0].isdigit():
        return len(data)
    length = int(lengths[0])
    return _TOO_LARGE if length > BODY_LIMIT else head_end + length


def _answer_and_close(conn: Any, status: bytes, message: bytes) -> None:
    """Send a short error answer from the poller (best effort, never blocks)."""
    body = message + b"\n"
    try:
        conn.sock.send(
            b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
        )
    except OSError:
        pass


def _drop(conn: Any) -> bool | None:
    """Shut the connection down now; returns None, the "close it" answer of the gathering.

    gunicorn closes a connection its handler gave up on "gracefully": it lingers, reading
    for up to 2 s, in the thread that runs its event loop. A client that keeps sending
    would hold that loop (and every other connection) each time; a socket already shut
    down makes that linger end at once.
    """
    try:
        conn.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return None


def _refuse(conn: Any, status: bytes, message: bytes, eof: bool) -> bool | None:
    """Answer with an error from the poller, then drop what the client still sends."""
    _answer_and_close(conn, status, message)
    try:
        conn.sock.shutdown(socket.SHUT_WR)
    except OSError:
        return _drop(conn)
    if eof:
        return _drop(conn)
    conn.riikg_discard = time.monotonic() + DISCARD_TIMEOUT
    return False


def _discard(conn: Any) -> bool | None:
    """After an error answer: read and drop what the client still sends, until it stops
    or a limit is hit, so that it sees the answer rather than a reset connection."""
    until: float = conn.__dict__.pop("riikg_discard")
    dropped: int = conn.__dict__.pop("riikg_dropped", 0)
    try:
        while chunk := conn.sock.recv(65536):
            dropped += len(chunk)
            if dropped > DISCARD_LIMIT:
                return _drop(conn)
        return _drop(conn)  # end of stream
    except BlockingIOError:
        pass
    if time.monotonic() > until:
        return _drop(conn)
    conn.riikg_discard, conn.riikg_dropped = until, dropped
    return False


def _gather_request(conn: Any) -> bool | None:
    """Read what the client sent, without blocking, until the whole request has arrived.

    The head, then the body its Content-Length (or chunked framing) announces, up to
    ``BODY_LIMIT``. Returns True when the request is complete (the bytes are handed back
    to the connection's parser), False when more is needed (the connection waits in the
    poller, holding no thread), None when the connection should be closed (peer gone, too
    slow, or refused here).
    """
    if "riikg_discard" in conn.__dict__:
        return _discard(conn)
    data: bytes = conn.__dict__.pop("riikg_head", b"")
    started: float = conn.__dict__.pop("riikg_started", time.monotonic())
    head_done: float | None = conn.__dict__.pop("riikg_head_done", None)
    continued: bool = conn.__dict__.pop("riikg_continued", False)
    if conn.parser is not None:
        data += conn.parser.unreader.take_buffered()
    conn.sock.setblocking(False)
    eof = False
    end = _request_end(data)
    try:
        while end == _MORE or 0 <= end and len(data) < end:
            chunk = conn.sock.recv(65536)
            if not chunk:
                eof = True
                break
            data += chunk
            end = _request_end(data)
    except BlockingIOError:
        pass
    if eof and not data:
        return _drop(conn)
    now = time.monotonic()
    if end == _TOO_LARGE:
        message = f"request body larger than {BODY_LIMIT} bytes"
        return _refuse(conn, b"413 Content Too Large", message.encode(), eof)
    complete = end >= 0 and len(data) >= end
    if not complete:
        if eof:
            return _drop(conn)  # the client gave up mid-request
        if head_done is None and _head_end(data) >= 0:
            head_done = now
        if head_done is None and now - started > HEAD_TIMEOUT:
            return _drop(conn)
        if head_done is not None:
            if now - head_done > BODY_TIMEOUT:
                message = f"the request body did not arrive within {BODY_TIMEOUT:g} s"
                return _refuse(conn, b"408 Request Timeout", message.encode(), eof)
            if not continued and _expects_continue(data):
                continued = True
                try:
                    conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
                except OSError:
                    return _drop(conn)
        conn.riikg_head, conn.riikg_started = data, started
        conn.riikg_head_done, conn.riikg_continued = head_done, continued
        return False
    conn.sock.setblocking(True)
    conn.init()
    conn.parser.unreader.unread(data)
    return True


def _expects_continue(data: bytes) -> bool:
    """Whether an HTTP/1.1 client waits for "100 Continue" before sending its body."""
    head = data[: _head_end(data)]
    if head.split(b"\r\n", 1)[0].split(b"\n", 1)[0].rstrip().endswith(b"HTTP/1.0"):
        return False
    return any(v.lower() == b"100-continue" for v in _headers(head).get(b"expect", []))


class HeadFirstThreadWorker(gthread.ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker, but a thread is given a connection only once the whole
    request (head and body) has arrived: slow or idle clients wait in the poller and are
    dropped after ``HEAD_TIMEOUT`` / ``BODY_TIMEOUT`` (or gunicorn's keep-alive timeout when
    silent), so a few hundred slowloris connections, slow heads or slow bodies, cannot tie
    up the worker threads. Bodies over ``BODY_LIMIT`` are refused here with 413."""

    def handle(self, conn: Any) -> Any:
        try:
            ready = _gather_request(conn)
        except OSError:
            _drop(conn)
            return False
        if ready is None:
            return False
        if not ready:
            return gthread._DEFER
        return super().handle(conn)


def _start_page_warmer(worker: Any) -> None:
    from endpoint.pages.warm import start_warmer

    start_warmer(worker.wsgi, worker.log.info)


def run_gunicorn(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve ``endpoint.create_app(settings)`` on ``host:port`` with gunicorn."""
    from gunicorn.app.base import BaseApplication

    from endpoint import create_app

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "endpoint.server.HeadFirstThreadWorker")
            self.cfg.set("threads", 8)
            self.cfg.set("timeout", int(settings.query_timeout_max) + 30)
            self.cfg.set("accesslog", "-")
            # long SPARQL queries arrive as GET query strings: allow the HTTP maximum line
            self.cfg.set("limit_request_line", 8190)
            # build the pages' per-version indexes before the first visitor (endpoint/pages/warm.py)
            self.cfg.set("post_worker_init", _start_page_warmer)

        def load(self) -> Any:
            return create_app(settings=settings)

    _App().run()
