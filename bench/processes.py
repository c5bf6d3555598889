"""Child processes of the benchmarks and the tests: the checkout's Python and riikg CLI with a
clean environment, stopping a process, and reading a process tree's members and memory from
``/proc``. :mod:`bench.servers` builds the loopback servers on these and re-exports them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the riikg CLI of this checkout, in the running Python
RIIKG = [sys.executable, "-c", "from riikg.cli import main; main()"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for child processes: the checkout importable, no RIIKG_* leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIIKG_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra or {})
    return env


def run_python(
    args: Sequence[str], timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """``python *args`` in the checkout with :func:`child_env`; output captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(),
        timeout=timeout,
        check=False,
    )


def riikg_cli(
    store_path: Path, *args: str, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """``riikg --store-path STORE *args`` (e.g. ``"load", file``) in a child process."""
    return run_python([*RIIKG[1:], "--store-path", str(store_path), *args], timeout)


def stop_process(proc: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """SIGTERM a process, SIGKILL it if it is still there ``grace`` seconds later."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def child_pids(pid: int) -> list[int]:
    """The direct children of ``pid`` (read from ``/proc``)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(child_pids(p))
    return out


def tree_memory(pid: int) -> tuple[float, float]:
    """(sum of current RSS, sum of peak RSS) over a process tree, MiB."""
    rss = hwm = 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, hwm / 1024


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
