"""SECURITY.md E10: slowloris connections do not stop the server answering others.

30 connections that send an incomplete request head to ``riikg serve`` hold no worker thread:
riikg's gunicorn worker (``riikg.server.HeadFirstThreadWorker``) hands a connection to a
thread only once its request head has fully arrived. With gunicorn's plain ``gthread``
worker (2 workers x 8 threads) this test fails: ``/health`` times out.
"""

from __future__ import annotations

import socket
import time

import pytest

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
