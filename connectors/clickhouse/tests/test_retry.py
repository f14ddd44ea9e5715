"""job.retry.times against a real server that is down when the run starts and comes up after its first attempt."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest

from conftest import FRONT
from seatunnel_py.jobs import run_job

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class StartOnFirstFailure(logging.Handler):
    """Starts the server when the run logs that its first attempt failed (the fault is placed by the event)."""

    def __init__(self, start: Callable[[], None]) -> None:
        super().__init__()
        self.start = start
        self.started = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.started and record.getMessage().startswith("attempt 1 of"):
            self.started = True
            self.start()


@pytest.fixture
def late_server(tmp_path: Path) -> Iterator[tuple[int, StartOnFirstFailure]]:
    port = free_port()
    procs: list[subprocess.Popen[str]] = []

    def start() -> None:
        proc = subprocess.Popen([sys.executable, str(FRONT), "--port", str(port), "--path", str(tmp_path / "chdb"),
                                 "--user", "default", "--password", "pw"], stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().startswith("ready ")

    handler = StartOnFirstFailure(start)
    logger = logging.getLogger("seatunnel_py.jobs")
    logger.addHandler(handler)
    try:
        yield port, handler
    finally:
        logger.removeHandler(handler)
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)
            if proc.stdout is not None:
                proc.stdout.close()


def test_a_run_retries_from_its_last_checkpoint_when_the_server_comes_back(
        late_server: tuple[int, StartOnFirstFailure], write_job: Callable[..., Path], tmp_path: Path) -> None:
    port, handler = late_server
    path = write_job(f"""
        env {{ job.name = retried, job.retry.times = 8, job.retry.interval.seconds = 1 }}
        source {{ FakeSource {{ row.num = 10, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Clickhouse {{ host = "127.0.0.1:{port}", username = default, password = pw, database = default,
                             table = retried, primary_key = id }} }}
        """)
    result = run_job(path, report=tmp_path / "report.json")
    assert handler.started
    assert result.metrics.written_rows == 10
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, json.loads((ROOT / "docs" / "run-report.schema.json").read_text()))
    assert report["status"] == "succeeded" and report["attempts"] >= 2
    assert report["failed_attempts"][0]["plugin"] == "sink.Clickhouse"
    assert "cannot connect" in report["failed_attempts"][0]["message"]


def test_a_failure_that_is_not_retryable_is_not_retried(write_job: Callable[..., Path], tmp_path: Path) -> None:
    path = write_job("""
        env { job.retry.times = 3, job.retry.interval.seconds = 1 }
        source { FakeSource { row.num = 1, schema = { fields { id = bigint } } } }
        sink { Assert { rules { row_rules = [{ rule_type = MIN_ROW, rule_value = 5 }] } } }
        """)
    with pytest.raises(Exception, match="MIN_ROW"):
        run_job(path, report=tmp_path / "report.json")
    assert json.loads((tmp_path / "report.json").read_text())["attempts"] == 1
