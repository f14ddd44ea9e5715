"""STREAMING mode and the run lifecycle through the real CLI: signals, locks, state commands, cron."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from seatunnel_py.testing import committed_values, start_job, statistic, wait_for

from .conftest import run_cli

STREAM_TO_PARQUET = """
env {{ job.mode = STREAMING, job.name = {name}, checkpoint.interval = 300, read_limit.rows_per_second = 4000 }}
source {{
  FakeSource {{
    row.num = 1000000, batch.size = 200, auto.increment.enabled = true
    schema = {{ fields {{ id = bigint, name = string }} }}
  }}
}}
sink {{ LocalFile {{ path = "{out}", file_format_type = parquet }} }}
"""


def test_sigterm_takes_a_final_checkpoint_and_exits_0(write_job: Callable[..., Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    job = write_job(STREAM_TO_PARQUET.format(name="stream", out=out))
    proc = start_job(job, state=tmp_path / "state")
    try:
        wait_for(lambda: len(committed_values(out, "id")) >= 400, 30, "a first committed checkpoint")
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert "SIGTERM received: stopping after a final checkpoint" in stderr
    assert "Stopped By" in stdout
    ids = committed_values(out, "id")
    written = statistic(stdout, "Total Write Count")
    assert sorted(ids) == list(range(1, len(ids) + 1)) and len(ids) == written  # all of it committed, once
    shown = run_cli("state", "show", "stream", env={"SEATUNNEL_PY_STATE_STORE": str(tmp_path / "state")})
    assert shown.returncode == 0, shown.stderr
    assert "ended normally" in shown.stdout and f'"rows_done": {written}' in shown.stdout

    again = start_job(job, state=tmp_path / "state")  # resumes after the rows already written
    try:
        wait_for(lambda: len(committed_values(out, "id")) >= written + 400, 30, "rows of the resumed run")
        again.send_signal(signal.SIGINT)
        _, stderr = again.communicate(timeout=30)
    finally:
        again.kill()
    assert again.returncode == 0, stderr
    ids = committed_values(out, "id")
    assert sorted(ids) == list(range(1, len(ids) + 1))


def test_second_signal_stops_at_once(write_job: Callable[..., Path], tmp_path: Path) -> None:
    job = write_job("""
        env { job.mode = STREAMING, job.name = slow, checkpoint.interval = 200 }
        source { FakeSource { row.num = 100000, batch.size = 50, schema = { fields { id = bigint } } } }
        sink { Console { log.print.delay.ms = 20 } }
        """)
    proc = start_job(job, state=tmp_path / "state")
    try:
        wait_for(lambda: (tmp_path / "state" / "slow" / "checkpoint.json").exists(), 30, "a first checkpoint")
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)  # two signals at once reach Python's handler as one
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert "received again: stopping at once" in stderr


def test_second_run_of_a_running_job_is_refused(write_job: Callable[..., Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    job = write_job(STREAM_TO_PARQUET.format(name="single", out=out))
    first = start_job(job, state=tmp_path / "state")
    try:
        wait_for(lambda: len(committed_values(out, "id")) > 0, 30, "the first run to commit")
        second = run_cli("run", job, env={"SEATUNNEL_PY_STATE_STORE": str(tmp_path / "state")})
        assert second.returncode == 75  # retryable: the lock is held by another run
        assert second.stderr.strip().splitlines()[-1].startswith(
            "ERROR job 'single' is already running (pid ")
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)
    finally:
        first.kill()
    assert first.returncode == 0
    ids = committed_values(out, "id")
    assert sorted(ids) == list(range(1, len(ids) + 1))


def test_state_reset_asks_then_starts_over(write_job: Callable[..., Path], tmp_path: Path) -> None:
    env = {"SEATUNNEL_PY_STATE_STORE": str(tmp_path / "state")}
    job = write_job("""
        env { job.name = resettable }
        source { FakeSource { row.num = 3, schema = { fields { id = bigint } } } }
        sink { Assert { rules { row_rules = [{ rule_type = MIN_ROW, rule_value = 3 }] } } }
        """)
    assert run_cli("run", job, env=env).returncode == 0
    rerun = run_cli("run", job, env=env)  # nothing new to read: the Assert's MIN_ROW fails
    assert rerun.returncode == 1 and "row num: 0 fails rule MIN_ROW 3" in rerun.stderr
    refused = run_cli("state", "reset", "resettable", env=env)  # no input: the confirmation says no
    assert refused.returncode == 1
    assert run_cli("run", job, env=env).returncode == 1
    reset = run_cli("state", "reset", job, "--yes", env=env)  # the job file names the job too
    assert reset.returncode == 0 and "next checkpoint id 2" in reset.stdout  # the failed runs saved none
    shown = run_cli("state", "show", "resettable", env=env)
    assert "positions:     none (reset" in shown.stdout
    final = run_cli("run", job, env=env)
    assert final.returncode == 0, final.stderr
    assert "resuming" not in final.stderr  # a reset leaves nothing to resume from, only the id counter
    assert statistic(final.stdout, "Last Checkpoint Id") == 2 and statistic(final.stdout, "Total Read Count") == 3
    missing = run_cli("state", "show", "nope", env=env)
    assert missing.returncode == 1 and "no saved state for job 'nope'" in missing.stderr
    assert "jobs with state: resettable" in missing.stderr


def test_cron_runs_read_only_new_files(write_job: Callable[..., Path], tmp_path: Path) -> None:
    env = {"SEATUNNEL_PY_STATE_STORE": str(tmp_path / "state")}
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()

    def drop(name: str, ids: range) -> None:
        pq.write_table(pa.table({"id": pa.array(ids, pa.int64())}), inbox / name)

    job = write_job(f"""
        env {{ job.name = nightly }}
        source {{ LocalFile {{ path = "{inbox}", file_format_type = parquet }} }}
        sink {{ LocalFile {{ path = "{out}", file_format_type = parquet }} }}
        """)
    drop("a.parquet", range(0, 10))
    drop("b.parquet", range(10, 25))
    runs = []
    for new_file in ("c.parquet", "d.parquet", None):
        result = run_cli("run", job, env=env)
        assert result.returncode == 0, result.stderr
        runs.append(statistic(result.stdout, "Total Read Count"))
        if new_file == "c.parquet":
            drop(new_file, range(25, 30))
        elif new_file == "d.parquet":
            drop(new_file, range(30, 31))
    assert runs == [25, 5, 1]
    assert sorted(committed_values(out, "id")) == list(range(31))
