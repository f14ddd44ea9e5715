"""What a person at a terminal sees: the live progress line and the help."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from seatunnel_py.cli.output import Progress, plural
from seatunnel_py.engine.metrics import JobMetrics

from .conftest import run_cli


class _Tty(io.StringIO):
    """A terminal stream that logs every write, in order, into a list shared with the other stream."""

    def __init__(self, name: str, log: list[tuple[str, str]]) -> None:
        super().__init__()
        self.name, self.log = name, log

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.log.append((self.name, text))
        return super().write(text)


def test_progress_says_1_row_and_the_current_rate_of_a_stalled_job() -> None:
    metrics = JobMetrics(started=time.time() - 100)
    metrics.on_read("source", 1, 8)
    progress = Progress(metrics, enabled=False)
    first = progress.line()
    assert first.startswith("read 1 row | written 0 rows |")
    assert plural(1_000, "row") == "1,000 rows"
    second = progress.line()  # nothing more was read since: the rate now is 0, not a falling average
    assert "| 0 rows/s now |" in second


def test_console_rows_never_run_into_the_live_line(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[tuple[str, str]] = []
    out, err = _Tty("out", log), _Tty("err", log)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    with Progress(JobMetrics(), interval=0.01):
        deadline = time.monotonic() + 10
        while "read 0 rows" not in err.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        print("a Console row")
    row = log.index(("out", "a Console row"))
    drawn = max(i for i, (name, text) in enumerate(log[:row]) if name == "err" and "read 0 rows" in text)
    assert ("err", "\r\033[K") in log[drawn + 1:row]  # the line was erased before the row was written
    assert out.getvalue() == "a Console row\n"
    assert sys.stdout is out  # restored


def test_help_shows_no_value_for_flags() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for flag in ("--version", "--verbose", "--quiet"):
        line = next(ln for ln in result.stdout.splitlines() if flag in ln)
        assert "<bool>" not in line and "<int>" not in line, line
    assert run_cli("-vv", "plugins", "list").returncode == 0


def test_check_summarises_long_option_values(write_job: Callable[..., Path]) -> None:
    rows = ", ".join(f'{{ kind = INSERT, fields = [{i}] }}' for i in range(2000))
    path = write_job(f"""
        source {{ FakeSource {{ schema = {{ fields {{ id = bigint }} }}, rows = [{rows}] }} }}
        sink {{ Console {{}} }}
        """)
    result = run_cli("check", path)
    assert result.returncode == 0, result.stderr
    assert "2,000 items in all" in result.stdout
    assert len(result.stdout) < 2000
