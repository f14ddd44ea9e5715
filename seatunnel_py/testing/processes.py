"""Jobs run as real ``seatunnel-py`` processes, and readers of what they wrote.

For tests of the engine and of connector plugins: run the CLI and capture its output,
start a job in the background to signal or kill it, poll until something is true, and
read the committed output of a LocalFile parquet sink.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

CLI = [sys.executable, "-m", "seatunnel_py.cli"]
"""The CLI of the running interpreter (no dependence on ``PATH``)."""


def _environ(env: Mapping[str, str] | None, state: Path | None) -> dict[str, str]:
    full = {**os.environ, **(env or {})}
    if state is not None:
        full["SEATUNNEL_PY_STATE_STORE"] = str(state)
    return full


def run_cli(*args: str | Path, env: Mapping[str, str] | None = None, timeout: float = 120,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``seatunnel-py ARGS`` to its end and capture its output (extra ``env`` on top of ours)."""
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, env=_environ(env, None),
                          timeout=timeout, cwd=cwd, check=False)


def start_job(job: Path, *args: str, state: Path | None = None, env: Mapping[str, str] | None = None,
              cwd: Path | None = None) -> subprocess.Popen[str]:
    """Start ``seatunnel-py run --no-progress JOB ARGS`` in the background, state under ``state``."""
    return subprocess.Popen([*CLI, "run", "--no-progress", str(job), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_environ(env, state), cwd=cwd)


def stop_job(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[str, str]:
    """SIGTERM (the job takes a final checkpoint), wait, and return its output; kill it if it hangs."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.communicate(timeout=timeout)
    finally:
        proc.kill()


def wait_for(condition: Callable[[], T], timeout: float, what: str, every: float = 0.05) -> T:
    """Poll ``condition`` until it returns something true, and return that; raise
    ``AssertionError`` naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def statistic(stdout: str, label: str) -> int:
    """An integer line of the Job Statistic Information block, e.g. ``Total Read Count``."""
    line = next(ln for ln in stdout.splitlines() if ln.startswith(label))
    return int(line.split(":", 1)[1].replace(",", ""))


def committed_parquet(out: Path, columns: list[str] | None = None) -> Any:
    """Every committed parquet file under ``out`` as one ``pyarrow.Table`` (staging folders skipped).

    ``None`` when there is none yet.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not out.is_dir():
        return None
    files = [p for p in sorted(out.rglob("*.parquet"))
             if not any(part.startswith(".") for part in p.relative_to(out).parts)]
    if not files:
        return None
    return pa.concat_tables([pq.read_table(p, columns=columns) for p in files])


def committed_values(out: Path, column: str) -> list[Any]:
    """One column of every committed parquet file under ``out`` (``[]`` when none yet)."""
    table = committed_parquet(out, [column])
    return [] if table is None else table.column(column).to_pylist()
