"""Well-formed, accessible HTML: nesting, unique ids, labelled fields, skip link, lang."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "rect", "path", "circle"}  # fmt: skip
#: elements whose end tag HTML lets you omit (we still close them, but tolerate it)
OPTIONAL_END = {"li", "p", "tr", "td", "th", "option", "dt", "dd", "thead", "tbody"}
PAGES = [
    "/",
    "/id/infrastructure/alfa-lab",
    "/id/organisation/exuni",
    "/region/ITH5",
    "/vocab/ket",
    "/vocab/ket/KET2018-AM",
    "/regions",
    "/infrastructures?ket=KET2018-AM&country=IT",
    "/search?q=lab",
    "/compare?region=ITH5&region=NL41",
    "/compare",
    "/organisations",
    "/ris3",
    "/id/infrastructure/nothing-here",
]


class Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: set[str] = set()
        self.labels: set[str] = set()
        self.fields: list[tuple[str, dict[str, str | None]]] = []
        self.first_link: str | None = None
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if "id" in a:
            ident = a["id"] or ""
            if ident in self.ids:
                self.problems.append(f"duplicate id {ident!r}")
            self.ids.add(ident)
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.fields.append((tag, a))
        if tag == "a" and self.first_link is None:
            self.first_link = a.get("href")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()


@pytest.mark.parametrize("path", PAGES)
def test_page_is_well_formed_and_labelled(pclient: FlaskClient, path: str) -> None:
    response = pclient.get(path, headers={"Accept": "text/html"})
    text = response.data.decode("utf-8")
    assert text.startswith("<!doctype html>")
    checker = Checker()
    checker.feed(text)
    checker.close()
    assert checker.problems == []
    assert [t for t in checker.stack if t not in OPTIONAL_END] == []
    assert checker.html_lang
    assert checker.first_link == "#main"  # the skip link comes first
    assert "main" in checker.ids
    for tag, attrs in checker.fields:
        assert attrs.get("id") in checker.labels or attrs.get("aria-label"), (tag, attrs)
