"""Blueprint: harvest (routes only; logic lives in helpers)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("harvest", __name__)


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
