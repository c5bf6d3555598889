"""A small HTTP load generator (threads + ``http.client`` keep-alive connections, loopback).

Each client thread picks requests from a mix, sends them back to back for a fixed time and
records status, latency and whether the answer was right (each request carries a check).
Used by the HTTP sections (``bench/sections/``) and by ``tests/reliability/test_load_held.py``.
"""

from __future__ import annotations

import http.client
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Check = Callable[[int, bytes], bool]


@dataclass(frozen=True)
class Req:
    """One request of a mix; ``check(status, body)`` says whether the answer is right."""

    name: str
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    check: Check | None = None


@dataclass
class Result:
    """What one load run measured."""

    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.statuses.values())

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def all_latencies(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]

    def percentile(self, q: float, name: str | None = None) -> float:
        values = self.latencies.get(name, []) if name else self.all_latencies()
        return percentile(values, q)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), nearest-rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run(
    port: int,
    mix: Sequence[Req],
    *,
    clients: int,
    seconds: float,
    seed: int = 7,
    timeout: float = 60.0,
    max_requests: int | None = None,
) -> Result:
    """Drive ``mix`` with ``clients`` concurrent keep-alive clients for ``seconds``."""
    result = Result(seconds=0.0)
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + seconds
    sent = [0]

    def client(n: int) -> None:
        rnd = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        local: dict[str, list[float]] = {}
        statuses: Counter[int] = Counter()
        wrong: list[str] = []
        errors: list[str] = []
        while time.monotonic() < deadline:
            if max_requests is not None:
                with lock:
                    if sent[0] >= max_requests:
                        break
                    sent[0] += 1
            req = mix[rnd.randrange(len(mix))]
            t = time.perf_counter()
            try:
                conn.request(req.method, req.path, body=req.body, headers=dict(req.headers))
                resp = conn.getresponse()
                body = resp.read()
                status = resp.status
                if resp.getheader("connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{req.name}: {type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                continue
            elapsed = time.perf_counter() - t
            local.setdefault(req.name, []).append(elapsed)
            statuses[status] += 1
            if req.check is not None and status < 500 and status != 429:
                if not req.check(status, body):
                    wrong.append(f"{req.name} {req.path[:80]}: {status} {body[:200]!r}")
        conn.close()
        with lock:
            for name, values in local.items():
                result.latencies.setdefault(name, []).extend(values)
            result.statuses.update(statuses)
            result.wrong.extend(wrong)
            result.errors.extend(errors)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + timeout + 30)
    result.seconds = time.monotonic() - start
    return result


def combined(results: Sequence[Result]) -> Result:
    """One result from several runs of the same mix (alternating rounds)."""
    out = Result(seconds=sum(r.seconds for r in results))
    for r in results:
        for name, values in r.latencies.items():
            out.latencies.setdefault(name, []).extend(values)
        out.statuses.update(r.statuses)
        out.wrong.extend(r.wrong)
        out.errors.extend(r.errors)
    return out
