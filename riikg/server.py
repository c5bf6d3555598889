"""Run the Flask app under gunicorn (a production WSGI server) from Python."""

from __future__ import annotations

import time
from typing import Any

from gunicorn.workers import gthread

from riikg.config import Settings

#: a request head larger than this is handed to gunicorn's parser, which refuses it
HEAD_LIMIT = 64 * 1024
#: a client gets this long to send a complete request head (slowloris, SECURITY.md E10)
HEAD_TIMEOUT = 10.0


def _gather_head(conn: Any) -> bool | None:
    """Read what the client sent, without blocking, until the request head is complete.

    Returns True when the head is complete (the bytes are handed back to the connection's
    parser), False when more is needed (the connection waits in the poller, holding no
    thread), None when the connection should be closed (peer gone, or too slow).
    """
    data: bytes = conn.__dict__.pop("riikg_head", b"")
    started: float = conn.__dict__.pop("riikg_started", time.monotonic())
    if conn.parser is not None:
        data += conn.parser.unreader.take_buffered()
    conn.sock.setblocking(False)
    eof = False
    try:
        while b"\r\n\r\n" not in data and b"\n\n" not in data and len(data) < HEAD_LIMIT:
            chunk = conn.sock.recv(65536)
            if not chunk:
                eof = True
                break
            data += chunk
    except BlockingIOError:
        pass
    if eof and not data:
        return None
    complete = eof or b"\r\n\r\n" in data or b"\n\n" in data or len(data) >= HEAD_LIMIT
    if not complete:
        if time.monotonic() - started > HEAD_TIMEOUT:
            return None
        conn.riikg_head, conn.riikg_started = data, started
        return False
    conn.sock.setblocking(True)
    conn.init()
    conn.parser.unreader.unread(data)
    return True


class HeadFirstThreadWorker(gthread.ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker, but a thread is given a connection only once the request
    head has fully arrived: slow or idle clients wait in the poller and are dropped after
    ``HEAD_TIMEOUT`` (or gunicorn's keep-alive timeout when silent), so a few hundred slowloris
    connections cannot tie up the worker threads."""

    def handle(self, conn: Any) -> Any:
        try:
            ready = _gather_head(conn)
        except OSError:
            return False
        if ready is None:
            return False
        if not ready:
            return gthread._DEFER
        return super().handle(conn)


def _start_page_warmer(worker: Any) -> None:
    from endpoint.warm import start_warmer

    start_warmer(worker.wsgi, worker.log.info)


def run_gunicorn(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve ``endpoint.create_app(settings)`` on ``host:port`` with gunicorn."""
    from gunicorn.app.base import BaseApplication

    from endpoint import create_app

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "riikg.server.HeadFirstThreadWorker")
            self.cfg.set("threads", 8)
            self.cfg.set("timeout", int(settings.query_timeout_max) + 30)
            self.cfg.set("accesslog", "-")
            # long SPARQL queries arrive as GET query strings: allow the HTTP maximum line
            self.cfg.set("limit_request_line", 8190)
            # build the pages' per-version indexes before the first visitor (endpoint/warm.py)
            self.cfg.set("post_worker_init", _start_page_warmer)

        def load(self) -> Any:
            return create_app(settings=settings)

    _App().run()
