"""Exactly-once: a job killed (SIGKILL) between checkpoints and run again leaves every row once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ch_helpers import ROOT, run_cli

ROWS = 120_000


def saved_checkpoint(store: Path, job: str) -> int | None:
    path = store / job / "checkpoint.json"
    try:
        return int(json.loads(path.read_text())["checkpoint_id"])
    except (OSError, ValueError, KeyError):
        return None


@pytest.mark.slow
@pytest.mark.parametrize("upsert", [False, True], ids=["MergeTree", "ReplacingMergeTree"])
def test_killed_between_checkpoints_and_restarted(clickhouse, database, write_job, tmp_path, upsert,
                                                  isolated_state_store):
    ids = pa.array(range(ROWS), pa.int64())
    pq.write_table(pa.table({"id": ids, "name": pa.compute.cast(ids, pa.string())}), tmp_path / "in.parquet",
                   row_group_size=5_000)
    extra = 'primary_key = "id"\n            support_upsert = true' if upsert else ""
    job = write_job(f"""
        env {{
          job.mode = "BATCH"
          job.name = "ch_exactly_once"
          checkpoint.interval = 700
          read_limit.rows_per_second = 20000
        }}
        source {{ LocalFile {{ path = "in.parquet", file_format_type = "parquet", batch_size = 2500 }} }}
        sink {{ Clickhouse {{
            {clickhouse.hocon()}
            database = "{database}"
            table = "t"
            bulk_size = 1000
            {extra}
        }} }}
    """)
    client = clickhouse.client()
    proc = subprocess.Popen([sys.executable, "-m", "seatunnel_py.cli", "run", str(job)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.2)
            checkpoint = saved_checkpoint(isolated_state_store, "ch_exactly_once")
            exists = client.command(f"EXISTS TABLE {database}.t")
            if checkpoint and checkpoint >= 2 and int(exists) and \
                    int(client.command(f"SELECT count() FROM {database}.t")) > ROWS // 4:
                break
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        else:
            pytest.fail("the job saved no checkpoint in time")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
    before = int(client.command(f"SELECT count() FROM {database}.t"))
    assert 0 < before < ROWS  # killed mid-way: some rows in, some not
    result = run_cli("run", job)
    assert result.returncode == 0, result.stderr
    assert "resuming" in result.stderr or "restored" in (result.stdout + result.stderr).lower()
    got = client.query(f"SELECT count(), uniqExact(id), min(id), max(id) FROM {database}.t").result_rows
    assert got == [(ROWS, ROWS, 0, ROWS - 1)]  # not a row twice, not a row lost (count without FINAL)
    if upsert:
        assert int(client.command(f"SELECT count() FROM {database}.t FINAL")) == ROWS


def test_writers_insert_blocks_between_checkpoints(clickhouse, database, write_job, monkeypatch):
    """The engine's committer and writers share the sink: writers hear of saved checkpoints and insert
    their blocks while the job runs (not everything as checkpoint tails)."""
    from seatunnel_py_clickhouse import sink as sink_module

    from seatunnel_py.jobs import run_job

    by_writer = []
    real_flush = sink_module.ClickhouseWriter._flush

    def flush(self, count, token=True):
        by_writer.append(count)
        real_flush(self, count, token)

    monkeypatch.setattr(sink_module.ClickhouseWriter, "_flush", flush)
    job = write_job(f"""
        env {{ job.mode = "BATCH", checkpoint.interval = 200, read_limit.rows_per_second = 20000 }}
        source {{ FakeSource {{ row.num = 40000, batch.size = 500, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Clickhouse {{
            {clickhouse.hocon()}
            database = "{database}"
            table = "t"
            bulk_size = 1000
        }} }}
    """)
    result = run_job(job)
    assert result.checkpoints >= 5
    assert int(clickhouse.client().command(f"SELECT count() FROM {database}.t")) == 40000
    assert sum(by_writer) > 30000, by_writer
