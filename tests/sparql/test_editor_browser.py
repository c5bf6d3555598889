"""The query editor in a real headless Chromium: loads offline, runs an example, shows rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from riikg.store.oxigraph import OxigraphStore
from tests.conftest import IN_CI
from tests.sparql.conftest import make_app
from tests.web import chromium, serve_in_thread

pytestmark = pytest.mark.browser
VENDOR = Path(__file__).resolve().parents[2] / "endpoint" / "static" / "vendor" / "yasgui"


@pytest.fixture(scope="module")
def live(sample_store: OxigraphStore) -> Iterator[str]:
    if not (VENDOR / "yasgui.min.js").exists():
        if IN_CI:
            pytest.fail("endpoint/static/vendor is missing: run make vendor")
        pytest.skip("endpoint/static/vendor is missing (make vendor)")
    app: Flask = make_app(sample_store, max_rows=4)
    try:
        with serve_in_thread(app) as url:
            yield url
    finally:
        pool = app.extensions.get("riikg.sparql_pool")
        if pool is not None:
            pool.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium("browser test of the query editor") as b:
        yield b


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
