"""A job with Sql killed with SIGKILL and restarted: the transform is stateless, so the
restored pipeline still writes every filtered row exactly once (LocalFile parquet sink).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from seatunnel_py.testing import committed_parquet, start_job

pytestmark = pytest.mark.slow

JOB = """
env {{ job.name = sql-crash, checkpoint.interval = 200, read_limit.rows_per_second = 2000 }}
source {{
  FakeSource {{
    plugin_output = "fake"
    row.num = 12000, batch.size = 200, auto.increment.enabled = true
    schema = {{ fields {{ id = bigint, name = string }} }}
  }}
}}
transform {{
  Sql {{ plugin_input = "fake", plugin_output = "out",
         query = "select id, id * 10 as id10, upper(name) as name from fake where id % 3 <> 0" }}
}}
sink {{ LocalFile {{ plugin_input = "out", path = "{out}", file_format_type = parquet }} }}
"""


def committed(out: Path) -> list[tuple[int, int]]:
    table = committed_parquet(out, ["id", "id10"])
    return [] if table is None else list(zip(table.column("id").to_pylist(), table.column("id10").to_pylist(),
                                             strict=True))


def test_killed_and_restarted_job_writes_each_row_once(tmp_path: Path) -> None:
    out, state = tmp_path / "out", tmp_path / "state"
    job = tmp_path / "job.conf"
    job.write_text(JOB.format(out=out))
    marker = state / "sql-crash" / "checkpoint.json"
    for delay in (0.3, 0.9):
        begun = time.time()
        proc = start_job(job, state=state)
        deadline = time.monotonic() + 60
        # wait for this run's first checkpoint
        while not (marker.exists() and marker.stat().st_mtime > begun) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(delay)  # killed between checkpoints, with batches in flight
        proc.kill()
        proc.communicate(timeout=30)
        assert proc.returncode == -9, "the job ended before it was killed (it is rate-limited to run about 6 s)"
    done = start_job(job, state=state)
    stdout, stderr = done.communicate(timeout=120)
    assert done.returncode == 0, stderr
    resumed = next(line for line in stdout.splitlines() if line.startswith("Resumed From Checkpoint"))
    assert resumed.split(":", 1)[1].strip().isdigit(), resumed
    expected = [(i, i * 10) for i in range(1, 12001) if i % 3 != 0]
    assert sorted(committed(out)) == expected
