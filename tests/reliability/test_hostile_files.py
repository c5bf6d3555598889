"""Every hostile or broken file of the catalogue, given to ``riikg load``.

Each must end with the expected exit code (2 = input error naming the file, 1 = refused
by validation) and a message, never a traceback, never a crash (exit 134/139 or a signal),
never an outbound request, never file contents in the output, and the store unchanged.
Crash-prone inputs run in a child process with a 3 GiB address-space limit; the others run
in-process (``CliRunner``) under the audit hook.
"""

from __future__ import annotations

import re
import resource
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from riikg.cli import cli
from tests.reliability.catalogue import FILE_CASES, NEVER_IN_BODY, FileCase
from tests.reliability.conftest import DATA, RIIKG, ROOT, Outbound, build_store, child_env

pytestmark = pytest.mark.slow
MEMORY_LIMIT = 3 << 30
TIME_LIMIT = 90


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("files") / "store"
    done = build_store(path, DATA / "small.ttl")
    assert done.returncode == 0, done.stderr[-3000:]
    return path


def store_state(path: Path) -> tuple[int, int]:
    from riikg.store.oxigraph import OxigraphStore

    store = OxigraphStore.open_reader("http://localhost:8080/", path)
    try:
        return store.count(), store.version
    finally:
        store.close()


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_load(case: FileCase, file: Path, store: Path) -> tuple[int, str, float]:
    args = ["--store-path", str(store), "load"]
    args += list(case.args)
    args += ["--manifest", str(file)] if case.manifest else [str(file)]
    t = time.monotonic()
    if case.subprocess:
        done = subprocess.run(
            [*RIIKG, *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=child_env(),
            timeout=TIME_LIMIT,
            preexec_fn=_limit_memory,  # noqa: PLW1509 - only sets an rlimit
            check=False,
        )
        return done.returncode, done.stdout + done.stderr, time.monotonic() - t
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        exc = result.exception
        pytest.fail(f"{case.id}: riikg load raised {type(exc).__name__}: {exc}")
    return result.exit_code, result.output, time.monotonic() - t


@pytest.mark.parametrize("case", FILE_CASES, ids=[c.id for c in FILE_CASES])
def test_hostile_file(case: FileCase, tmp_path: Path, store_path: Path, outbound: Outbound) -> None:
    file = tmp_path / case.name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(case.content(outbound.url))
    for name, data in case.extra:
        (tmp_path / name).write_bytes(data)
    before = store_state(store_path)
    code, output, seconds = run_load(case, file, store_path)
    outbound.assert_none(case.id)
    assert code >= 0 and code not in (134, 139), f"{case.id}: crashed ({code}): {output[-500:]}"
    assert code in case.exit, (
        f"{case.id} ({case.what}): exit {code}, expected {sorted(case.exit)} after "
        f"{seconds:.1f} s; output: {output[-600:]!r}"
    )
    if case.max_seconds is not None:
        assert seconds < case.max_seconds, f"{case.id}: took {seconds:.2f} s"
    if code != 0:
        assert output.strip(), f"{case.id}: exit {code} without a message"
    if case.message and code != 0:
        assert re.search(case.message, output, re.IGNORECASE), (
            f"{case.id}: message should match /{case.message}/, got {output[-600:]!r}"
        )
    for bad in (*NEVER_IN_BODY, *case.forbid):
        assert bad not in output, f"{case.id}: output contains {bad!r}"
    if code != 0:
        assert store_state(store_path) == before, f"{case.id}: a refused input changed the store"
