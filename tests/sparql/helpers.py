"""Shared helpers of the SPARQL endpoint tests."""

from __future__ import annotations

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
