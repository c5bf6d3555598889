"""The query editor in a real headless Chromium: loads offline, runs an example, shows rows."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from riikg.store.oxigraph import OxigraphStore
from tests.conftest import IN_CI, require_tool
from tests.sparql.conftest import make_app

pytestmark = pytest.mark.browser
VENDOR = Path(__file__).resolve().parents[2] / "endpoint" / "static" / "vendor" / "yasgui"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def live(sample_store: OxigraphStore) -> Iterator[str]:
    if not (VENDOR / "yasgui.min.js").exists():
        if IN_CI:
            pytest.fail("endpoint/static/vendor is missing: run make vendor")
        pytest.skip("endpoint/static/vendor is missing (make vendor)")
    app: Flask = make_app(sample_store, max_rows=4)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        pool = app.extensions.get("riikg.sparql_pool")
        if pool is not None:
            pool.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = require_tool("chromium", "browser test of the query editor")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=ARGS)
        yield b
        b.close()


def test_editor_runs_an_example(live: str, browser: Any) -> None:
    page = browser.new_page()
    foreign: list[str] = []
    errors: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith((live, "data:")) else foreign.append(r.url)
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live + "/sparql")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15000)
    buttons = page.locator("button.sparql-example")
    assert buttons.count() >= 12
    page.locator("button.sparql-example", has_text="NUTS roll-up").click()
    page.wait_for_function(
        "() => window.riikgYasgui.getTab().getQuery().includes('nutsLevel')", timeout=5000
    )
    page.locator(".yasqe_queryButton").last.click()
    page.wait_for_selector(".yasr table tbody tr", timeout=15000)
    text = page.locator(".yasr").last.inner_text()
    assert "IT" in text
    notice = page.locator("#sparql-notice")
    notice.wait_for(state="visible", timeout=5000)
    assert "truncated" in notice.inner_text() and "4" in notice.inner_text()
    query = page.evaluate("() => window.riikgYasgui.getTab().getQuery()")
    assert "PREFIX riikg:" in query
    assert not errors, errors
    assert not foreign, foreign
    page.close()
