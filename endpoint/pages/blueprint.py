"""The one ``pages`` blueprint every browsing view registers on (``routes``, ``listings``,
``regional``); kept apart so those modules import it without importing each other."""

from __future__ import annotations

from flask import Blueprint

from endpoint.pages.web import add_security_headers

bp = Blueprint("pages", __name__)
bp.after_request(add_security_headers)
