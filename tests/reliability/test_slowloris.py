"""Slowloris connections do not stop the server answering others.

30 connections that send an incomplete request head, or 40 that send a head announcing a
body and then trickle it, hold no worker thread of ``riikg serve``: riikg's gunicorn worker
(``endpoint.server.HeadFirstThreadWorker``) hands a connection to a thread only once the whole
request (head and body) has arrived, and drops a body that has not arrived in time. With
gunicorn's plain ``gthread`` worker (2 workers x 8 threads) the head test fails (``/health``
times out); with a worker that waits for the head only, the body test fails.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from endpoint.server import BODY_LIMIT, BODY_TIMEOUT
from tests.reliability.conftest import Served

pytestmark = pytest.mark.slow


def test_slowloris_connections_do_not_block_others(served: Served) -> None:
    socks = []
    try:
        for _ in range(30):
            s = socket.create_connection(("127.0.0.1", served.port), timeout=5)
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # never finishes the headers
            socks.append(s)
        time.sleep(0.3)
        for _ in range(5):
            got = served.health()
            assert got.status == 200 and got.seconds < 1.0, got
        page = served.request("GET", "/id/infrastructure/reliability-lab-1", timeout=5)
        assert page.status == 200
    finally:
        for s in socks:
            s.close()
    assert served.alive()


def test_keep_alive_and_pipelined_requests_still_work(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as s:
        request = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
        s.sendall(request + request)  # two pipelined requests
        time.sleep(0.5)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # a third, in two pieces
        time.sleep(0.3)
        s.sendall(b"Connection: close\r\n\r\n")
        received = b""
        while chunk := s.recv(65536):
            received += chunk
    assert received.count(b"HTTP/1.1 200") == 3, received[:500]


SLOW_HEAD = (
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: 1000\r\n\r\nASK"
)


def post_in_pieces(served: Served, head: bytes, pieces: list[bytes], pause: float) -> bytes:
    """Send a request head, then its body in ``pieces``; return the whole answer."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as s:
        s.sendall(head)
        for piece in pieces:
            time.sleep(pause)
            s.sendall(piece)
        received = b""
        while chunk := s.recv(65536):
            received += chunk
    return received


def query_head(length: int, extra: bytes = b"") -> bytes:
    return (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
        + extra
        + b"Content-Length: "
        + str(length).encode()
        + b"\r\n\r\n"
    )


def test_slow_bodies_do_not_block_others_and_are_dropped(served: Served) -> None:
    socks: list[socket.socket] = []
    closed_at: dict[int, float] = {}
    answers: dict[int, bytes] = {}
    stop = threading.Event()

    def trickle() -> None:
        """One byte per connection every 0.5 s (never the 1000 announced), for at most 20 s."""
        give_up = time.monotonic() + 20
        while not stop.is_set() and time.monotonic() < give_up and len(closed_at) < len(socks):
            for i, s in enumerate(socks):
                if i in closed_at:
                    continue
                try:
                    s.send(b" ")
                except OSError:  # reset by the server
                    closed_at[i] = time.monotonic()
                    continue
                try:
                    data = s.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                answers[i] = answers.get(i, b"") + data
                if not data:
                    closed_at[i] = time.monotonic()
            stop.wait(0.5)

    started = time.monotonic()
    try:
        for _ in range(40):
            s = socket.create_connection(("127.0.0.1", served.port), timeout=5)
            s.sendall(SLOW_HEAD)
            s.setblocking(False)
            socks.append(s)
        feeder = threading.Thread(target=trickle, daemon=True)
        feeder.start()
        time.sleep(0.5)
        for _ in range(5):
            got = served.health()
            assert got.status == 200 and got.seconds < 1.0, got
            query = served.request("GET", "/sparql?query=ASK%20%7B%7D", timeout=5)
            assert query.status == 200 and query.seconds < 1.0, query
            time.sleep(0.3)
        feeder.join(timeout=25)
        assert len(closed_at) == len(socks), f"{len(socks) - len(closed_at)} still open"
        waited = [at - started for at in closed_at.values()]
        # dropped by the body deadline (they kept sending, so no idle timeout applied)
        assert min(waited) >= BODY_TIMEOUT - 0.5 and max(waited) < BODY_TIMEOUT + 5, waited
        assert all(b"408" in answers.get(i, b"") for i in range(len(socks))), answers
    finally:
        stop.set()
        for s in socks:
            s.close()
    assert served.health().status == 200


def test_large_post_still_works(served: Served) -> None:
    query = b"ASK { } #" + b"x" * 60_000
    got = served.request(
        "POST", "/sparql", query, {"Content-Type": "application/sparql-query"}, timeout=10
    )
    assert got.status == 200 and b"true" in got.body, got


def test_body_in_quick_pieces_still_works(served: Served) -> None:
    body = b"ASK { } #" + b"x" * 3000
    pieces = [body[i : i + 1000] for i in range(0, len(body), 1000)]
    answer = post_in_pieces(served, query_head(len(body)), pieces, pause=0.2)
    assert answer.startswith(b"HTTP/1.1 200") and b"true" in answer, answer[:300]


def test_chunked_body_in_pieces_still_works(served: Served) -> None:
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    pieces = [b"4\r\nASK \r\n", b"3\r\n{ }\r\n", b"0\r\n\r\n"]
    answer = post_in_pieces(served, head, pieces, pause=0.2)
    assert answer.startswith(b"HTTP/1.1 200") and b"true" in answer, answer[:300]


def test_expect_continue_is_answered_before_the_body(served: Served) -> None:
    body = b"ASK { }"
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as s:
        s.sendall(query_head(len(body), b"Expect: 100-continue\r\n"))
        assert s.recv(65536).startswith(b"HTTP/1.1 100 Continue")
        s.sendall(body)
        received = b""
        while chunk := s.recv(65536):
            received += chunk
    assert b"HTTP/1.1 200" in received and b"true" in received, received[:300]


def test_oversized_body_is_refused_at_once(served: Served) -> None:
    """A body over the limit gets 413 without being waited for (nor sent)."""
    t = time.monotonic()
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as s:
        s.sendall(query_head(BODY_LIMIT + 1))
        received = b""
        while chunk := s.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 413") and b"bytes" in received, received[:300]
    assert time.monotonic() - t < 1.0
