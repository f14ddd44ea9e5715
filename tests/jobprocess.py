"""Jobs as separate processes, for tests that signal or kill them, and readers of their output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq

CLI = [sys.executable, "-m", "seatunnel_py.cli"]
ROOT = Path(__file__).resolve().parents[1]


def start(job: Path, *args: str, state: Path) -> subprocess.Popen[str]:
    """Start ``seatunnel-py run JOB`` in its own process with state under ``state``."""
    env = {**os.environ, "SEATUNNEL_PY_STATE_STORE": str(state)}
    return subprocess.Popen(
        [*CLI, "run", "--no-progress", str(job), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )


def committed_ids(out: Path, column: str = "id") -> list[int]:
    """Every value of ``column`` in the committed parquet files under ``out`` (not staging)."""
    values: list[int] = []
    if not out.is_dir():
        return values
    for path in sorted(out.rglob("*.parquet")):
        if any(part.startswith(".") for part in path.relative_to(out).parts):
            continue
        values.extend(pq.read_table(path, columns=[column]).column(column).to_pylist())
    return values


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` every 50 ms; fail the test with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


CONSOLE_ID = re.compile(r"SeaTunnelRow#kind=\w+ : (-?\d+)")


def console_ids(text: str) -> list[int]:
    """The first field of every row the Console sink printed."""
    return [int(m.group(1)) for m in CONSOLE_ID.finditer(text)]


def statistic(stdout: str, label: str) -> int:
    """An integer line of the Job Statistic Information block, e.g. ``Total Read Count``."""
    line = next(ln for ln in stdout.splitlines() if ln.startswith(label))
    return int(line.split(":", 1)[1].replace(",", ""))
