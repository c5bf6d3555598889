"""Shared helpers of the SPARQL endpoint tests."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

from flask.testing import FlaskClient

from riikg.store import Store

BASE = "http://localhost:8080/"


@dataclass
class Backend:
    """A test client of an app over one store backend, and that store (to count quads)."""

    name: str
    client: FlaskClient
    store: Store


class Listener:
    """A loopback TCP listener that counts the connections it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()
