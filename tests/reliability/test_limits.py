"""Limits and store safety that are not one request or one file (docs/security.md C8, E10, G6, H4).

* C8: one client sending more concurrent slow queries than its limit gets 429 with
  ``Retry-After``, and ``/health`` stays fast meanwhile.
* E10 (slowloris) is in ``test_slowloris.py``.
* G6 / H2: loading the same file twice adds nothing the second time.
* H4: a second writer on the same store is refused with a message naming the problem.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from riikg.cli import cli
from riikg.store import StoreUnavailable
from riikg.store.oxigraph import OxigraphStore
from tests.reliability.conftest import DATA, SERVER_SETTINGS, Response, Served

pytestmark = pytest.mark.slow
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " . ".join(f"?a{i} ?b{i} ?c{i}" for i in range(7)) + " }"
)


def test_per_client_limit_gives_429_and_health_stays_fast(served: Served) -> None:
    limit = int(SERVER_SETTINGS["RIIKG_MAX_CONCURRENT_PER_CLIENT"])
    answers: list[Response] = []
    lock = threading.Lock()

    def slow(n: int) -> None:
        got = served.request("GET", "/sparql?" + urlencode({"query": SLOW + f" #{n}"}), timeout=30)
        with lock:
            answers.append(got)

    threads = [threading.Thread(target=slow, args=(n,)) for n in range(limit + 4)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    health = served.health()
    for t in threads:
        t.join(timeout=40)
    statuses = sorted(a.status for a in answers)
    assert len(answers) == limit + 4, statuses
    refused = [a for a in answers if a.status == 429]
    assert refused, f"no 429 for {limit + 4} concurrent queries from one client: {statuses}"
    assert all("retry-after" in a.headers and a.text().strip() for a in refused)
    assert set(statuses) <= {429, 503, 504}, statuses
    assert health.status == 200 and health.seconds < 1.0, health
    assert served.alive() and served.crash_lines() == []


def test_loading_the_same_file_twice_adds_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    args = ["--store-path", str(store), "load", str(DATA / "small.ttl")]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    reader = OxigraphStore.open_reader("http://localhost:8080/", store)
    before = reader.count(), reader.version
    reader.close()
    for extra in ([], ["--force"]):
        again = CliRunner().invoke(cli, args + extra)
        assert again.exit_code == 0, again.output
        reader = OxigraphStore.open_reader("http://localhost:8080/", store)
        assert reader.count() == before[0], f"{extra}: {again.output}"
        reader.close()
    assert "unchanged" in CliRunner().invoke(cli, args).output


def test_second_writer_is_refused_with_a_message(tmp_path: Path) -> None:
    first = OxigraphStore.open_writer("http://localhost:8080/", tmp_path / "store")
    try:
        with pytest.raises(StoreUnavailable, match="riikg load|writ|lock"):
            OxigraphStore.open_writer("http://localhost:8080/", tmp_path / "store")
    finally:
        first.close()


def test_second_writer_during_a_write_leaves_the_first_intact(tmp_path: Path) -> None:
    """A writer mid-write has ``master.dirty`` on disk; a second writer must not "recover"
    (delete and restore) the master the first one is writing."""
    import pyoxigraph as ox

    from riikg.store.oxigraph import SnapshotLayout

    root = tmp_path / "store"
    first = OxigraphStore.open_writer("http://localhost:8080/", root)
    triple = ox.Triple(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c"))
    first.replace_graphs({"http://localhost:8080/graph/source/x": [triple]})
    layout = SnapshotLayout(root)
    layout.dirty_flag.touch()  # what the first writer's next write does before it starts
    try:
        with pytest.raises(StoreUnavailable):
            OxigraphStore.open_writer("http://localhost:8080/", root)
        assert layout.master.is_dir(), "the second writer removed the live master"
        assert first.count("http://localhost:8080/graph/source/x") == 1
    finally:
        layout.dirty_flag.unlink(missing_ok=True)
        first.close()
