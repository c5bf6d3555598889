"""Every hostile HTTP request of the catalogue, against a real ``riikg serve`` subprocess.

For each case (docs/security.md T1): the status is the expected one with a message; nothing
reaches the loopback listener (no outbound request); the body leaks no file content, path
or traceback; no ``Location`` points to a foreign host; the server is still alive, its
gunicorn workers were not replaced (no segfault / abort), ``/health`` answers in < 1 s;
the store's quad count and version are unchanged. The SSRF cases run a second time
in-process under a ``sys.addaudithook`` that records every non-loopback ``connect``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.reliability.catalogue import HTTP_CASES, NEVER_IN_BODY, HttpCase
from tests.reliability.conftest import SERVER_SETTINGS, Outbound, Response, Served

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def baseline(served: Served) -> Iterator[dict[str, object]]:
    state = {"store": served.store_state(), "workers": served.worker_pids()}
    yield state


def check_answer(case: HttpCase, got: Response, base_host: str) -> None:
    text = got.text()
    assert got.status in case.expect, (
        f"{case.id} ({case.what}): status {got.status}, expected {sorted(case.expect)}; "
        f"body: {text[:300]!r}"
    )
    if got.status >= 400:
        assert text.strip(), f"{case.id}: {got.status} without a message"
    if case.message:
        assert re.search(case.message, text, re.IGNORECASE), (
            f"{case.id}: message should match /{case.message}/, got {text[:300]!r}"
        )
    for bad in (*NEVER_IN_BODY, *case.forbid):
        assert bad not in text, f"{case.id}: body contains {bad!r}"
    for header, pattern in case.header_checks:
        value = got.headers.get(header, "")
        assert re.search(pattern, value), f"{case.id}: header {header}={value!r} !~ /{pattern}/"
    location = got.headers.get("location")
    if location and case.no_foreign_location:
        host = urlsplit(location).netloc
        assert host in ("", base_host, "localhost:8080"), f"{case.id}: Location {location}"


@pytest.mark.parametrize("case", HTTP_CASES, ids=[c.id for c in HTTP_CASES])
def test_hostile_request_on_real_server(
    case: HttpCase, served: Served, outbound: Outbound, baseline: dict[str, object]
) -> None:
    case = case.resolve(outbound.url)
    timeout = 40.0 if case.slow else 25.0
    got = served.request(case.method, case.path, case.body, dict(case.headers), timeout=timeout)
    outbound.assert_none(case.id)
    check_answer(case, got, f"127.0.0.1:{served.port}")
    if got.status in (503, 504):
        # the deadline is enforced (3 s here); generous slack, this is not a speed test
        deadline = float(SERVER_SETTINGS["RIIKG_QUERY_TIMEOUT"])
        assert got.seconds < deadline + 10, f"{case.id}: answered after {got.seconds:.1f} s"
    # the server survived, without a worker being replaced, and still answers quickly
    assert served.alive(), f"{case.id}: riikg serve exited {served.proc.returncode}"
    assert served.crash_lines() == [], f"{case.id}: {served.crash_lines()}"
    assert served.worker_pids() == baseline["workers"], f"{case.id}: a gunicorn worker died"
    health = served.health()
    assert health.status == 200 and health.seconds < 1.0, f"{case.id}: /health {health}"
    assert served.store_state() == baseline["store"], f"{case.id}: the store changed"


# ---- the SSRF cases again, in-process, under the audit hook -----------------------------------
SSRF_CASES = [c for c in HTTP_CASES if c.ssrf]


@pytest.fixture(scope="module")
def local_app(served: Served) -> Flask:
    """The app in this process, reading the same on-disk store as the server."""
    from endpoint import create_app
    from riikg.config import Settings, StoreKind

    settings = Settings(store=StoreKind.OXIGRAPH, store_path=Path(served.store_path))
    return create_app({"TESTING": True}, settings=settings)


@pytest.mark.parametrize("case", SSRF_CASES, ids=[c.id for c in SSRF_CASES])
def test_ssrf_in_process_under_audit_hook(
    case: HttpCase, local_app: Flask, outbound: Outbound
) -> None:
    case = case.resolve(outbound.url)
    client = local_app.test_client()
    split = urlsplit(case.path)
    resp = client.open(
        split.path,
        method=case.method,
        query_string=split.query,
        data=case.body,
        headers=dict(case.headers),
    )
    outbound.assert_none(case.id)
    got = Response(resp.status_code, {k.lower(): v for k, v in resp.headers}, resp.data, 0.0)
    check_answer(case, got, "localhost")
