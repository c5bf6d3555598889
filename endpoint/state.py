"""The application's state, as every view reads it: the settings and the store.

Kept apart from ``create_app`` so that views import it without importing the factory.
"""

from __future__ import annotations

from flask import current_app

from riikg.config import Settings
from riikg.store import Store

#: ``app.extensions`` key of riikg's settings and store
EXTENSION = "riikg"
#: ``app.extensions`` key of the /sparql response cache (absent when it is turned off)
RESULT_CACHE = "riikg.result_cache"
#: the largest request body accepted, by the application (``MAX_CONTENT_LENGTH``) and by the
#: gunicorn worker that gathers bodies before handing them to a thread (``endpoint/server.py``)
MAX_REQUEST_BODY = 1 << 20


def get_store() -> Store:
    """The store of the current application."""
    store: Store = current_app.extensions[EXTENSION]["store"]
    return store


def get_settings() -> Settings:
    """The settings of the current application."""
    settings: Settings = current_app.extensions[EXTENSION]["settings"]
    return settings
