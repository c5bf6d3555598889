"""The per-version cache builds each value once, even under concurrent requests."""

from __future__ import annotations

import threading
import time

from endpoint.cache import VersionCache


def test_concurrent_requests_build_once() -> None:
    cache = VersionCache()
    calls: list[int] = []

    def build() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("v1", "dumps", build)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 4
    assert len(calls) == 1


def test_a_new_version_rebuilds() -> None:
    cache = VersionCache()
    assert cache.get("v1", "x", lambda: 1) == 1
    assert cache.get("v1", "x", lambda: 2) == 1
    assert cache.get("v2", "x", lambda: 3) == 3
    assert cache.get("v2", "y", lambda: 4) == 4
