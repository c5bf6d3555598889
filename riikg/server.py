"""Run the Flask app under gunicorn (a production WSGI server) from Python."""

from __future__ import annotations

from typing import Any

from riikg.config import Settings


def run_gunicorn(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve ``endpoint.create_app(settings)`` on ``host:port`` with gunicorn."""
    from gunicorn.app.base import BaseApplication

    from endpoint import create_app

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 8)
            self.cfg.set("timeout", int(settings.query_timeout_max) + 30)
            self.cfg.set("accesslog", "-")
            # long SPARQL queries arrive as GET query strings: allow the HTTP maximum line
            self.cfg.set("limit_request_line", 8190)

        def load(self) -> Any:
            return create_app(settings=settings)

    _App().run()
