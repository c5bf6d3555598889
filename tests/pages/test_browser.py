"""Real headless Chromium against a real server: the main user journeys, screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from riikg.config import Settings
from tests.pages.conftest import DATA, app_with
from tests.web import chromium, serve_in_thread

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium("browser tests of the pages") as b:
        yield b


class Watch:
    """Records what a page requests and complains about."""

    def __init__(self, page: Any, origin: str) -> None:
        self.origin = origin
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("dialog", self._dialog)

    def _request(self, request: Any) -> None:
        if not request.url.startswith((self.origin, "data:")):
            self.foreign.append(request.url)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"pages-{name}.png"), full_page=True)


def test_journey(browser: Any, live_server: str, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch(page, live_server)

    # home: figures and the map (Leaflet from our own server, no tiles)
    page.goto(live_server + "/")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator(".figures li").first.inner_text().startswith("5")
    assert page.locator("#map.leaflet-container").count() == 1
    assert page.locator("#map path.pt").count() == 3  # three infrastructures have a point
    shot(page, artifacts, "home")

    # keyboard: the first Tab reaches the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"

    # search
    page.fill("#home-q", "bologna")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/search?q=bologna")
    hits = page.locator("ol.hits li a").all_inner_texts()
    assert "Alfa Laboratory" in hits and "Bologna (ITH55)" in hits
    shot(page, artifacts, "search")

    # faceted list: two facets
    with page.expect_navigation():
        page.click("nav[aria-label=Main] >> text=Infrastructures")
    assert page.inner_text("#total") == "5"
    with page.expect_navigation():
        page.click("[data-facet=ket] >> text=Advanced manufacturing")
    assert page.inner_text("#total") == "3"
    with page.expect_navigation():
        page.get_by_role("link", name="IT", exact=True).click()
    assert page.inner_text("#total") == "2"
    assert "ket=KET2018-AM" in page.url and "country=IT" in page.url
    page.wait_for_selector("#map[data-ready='1']")
    shot(page, artifacts, "infrastructures")

    # an infrastructure, its region, its KET
    with page.expect_navigation():
        page.get_by_role("link", name="Alfa Laboratory", exact=True).click()
    assert page.inner_text("h1") == "Alfa Laboratory"
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator("#map path.pt-self").count() == 1
    shot(page, artifacts, "infrastructure")
    with page.expect_navigation():
        page.get_by_role("link", name="Bologna (ITH55)", exact=True).click()
    assert page.inner_text("h1") == "Bologna (ITH55)"
    page.wait_for_selector("#map[data-ready='1']")
    shot(page, artifacts, "region")
    page.go_back()
    with page.expect_navigation():
        page.get_by_role("link", name="Nanotechnology", exact=True).click()
    assert page.inner_text("h1") == "Nanotechnology"
    assert page.locator("text=Browse the 2 infrastructures").count() == 1

    # benchmark two regions
    page.goto(live_server + "/compare")
    page.fill("#region-0", "ITH5")
    page.fill("#region-1", "NL41")
    page.click(".compare-form button")
    page.wait_for_url("**/compare?region=ITH5&region=NL41")
    summary = page.locator("#t-summary tbody tr").all_inner_texts()
    assert summary[0].split("\t")[1:] == ["3", "2", "2", "0"]
    assert page.locator("figure.chart svg").count() == 2
    assert page.locator("#t-ket a.csv").get_attribute("href").endswith("table=ket")
    shot(page, artifacts, "compare")

    assert watch.foreign == [], "the pages must not fetch anything from elsewhere"
    assert watch.errors == []
    context.close()


def test_phone_layout(browser: Any, live_server: str, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    for path, name in (
        ("/id/infrastructure/alfa-lab", "phone-infrastructure"),
        ("/infrastructures", "phone-infrastructures"),
        ("/compare?region=ITH5&region=NL41", "phone-compare"),
    ):
        page.goto(live_server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 376, (path, width)
        shot(page, artifacts, name)
    context.close()


@pytest.fixture(scope="module")
def evil_server(settings: Settings) -> Iterator[str]:
    app: Flask = app_with(settings, (DATA / "xss.trig").read_text(encoding="utf-8"))
    with serve_in_thread(app) as url:
        yield url


def test_hostile_data_runs_no_script(browser: Any, evil_server: str, artifacts: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, evil_server)
    for path in ("/id/infrastructure/evil", "/search?q=evil", "/infrastructures", "/"):
        page.goto(evil_server + path)
        for element in page.locator("main a, main span, main td").all()[:60]:
            element.hover(timeout=2000, force=True)
    page.goto(evil_server + "/id/infrastructure/evil")
    shot(page, artifacts, "xss")
    assert watch.dialogs == []
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert not [h for h in hrefs if not h.startswith(("http://", "https://", "mailto:"))]
    context.close()
