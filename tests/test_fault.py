"""Crash tests: jobs killed with SIGKILL at random moments, restarted, output checked.

Each test kills a real ``seatunnel-py run`` process several times at random points
(before, during and between checkpoints), then lets a last run finish, and checks the
output: every input row exactly once for the exactly-once LocalFile sink, at least once
for Console. The seed is printed so a failure can be replayed
(``SEATUNNEL_PY_FAULT_SEED=…``). Bounded: a few kills of jobs of a few seconds each.
"""

from __future__ import annotations

import os
import random
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from seatunnel_py.engine.state.local import LocalStateStore
from seatunnel_py.testing import committed_values, start_job, wait_for

KILLS = 4
CONSOLE_ID = re.compile(r"SeaTunnelRow#kind=\w+ : (-?\d+)")


def console_ids(text: str) -> list[int]:
    """The first field of every row the Console sink printed."""
    return [int(m.group(1)) for m in CONSOLE_ID.finditer(text)]


def saved_checkpoint_id(state: Path, job_name: str) -> int:
    """The id of the job's last saved checkpoint (0 when none)."""
    saved = LocalStateStore(state).load(job_name)
    return saved.checkpoint_id if saved else 0


@pytest.fixture
def rng() -> random.Random:
    seed = int(os.environ.get("SEATUNNEL_PY_FAULT_SEED", random.randrange(1 << 30)))
    print(f"fault seed: {seed}")
    return random.Random(seed)


def kill_at_random(job: Path, state: Path, rng: random.Random, low: float, high: float) -> list[str]:
    """Start the job and SIGKILL it after a random delay, ``KILLS`` times; return their stdouts."""
    outputs = []
    for _ in range(KILLS):
        proc = start_job(job, state=state)
        time.sleep(rng.uniform(low, high))
        proc.kill()
        stdout, _ = proc.communicate(timeout=30)
        outputs.append(stdout)
    return outputs


BATCH_JOB = """
env {{ job.name = crashing-batch, parallelism = 2, checkpoint.interval = 250,
       read_limit.rows_per_second = 1500 }}
source {{
  FakeSource {{
    row.num = 6000, split.num = 3, batch.size = 250, auto.increment.enabled = true
    schema = {{ fields {{ id = bigint, name = string, score = double }} }}
  }}
}}
sink {{ {sink} }}
"""


def test_batch_job_killed_and_restarted_writes_every_row_exactly_once(
        write_job: Callable[..., Path], tmp_path: Path, rng: random.Random) -> None:
    out, state = tmp_path / "out", tmp_path / "state"
    job = write_job(BATCH_JOB.format(sink=f'LocalFile {{ path = "{out}", file_format_type = parquet }}'))
    kill_at_random(job, state, rng, 1.0, 3.5)
    done = start_job(job, state=state)
    _, stderr = done.communicate(timeout=120)
    assert done.returncode == 0, stderr
    assert sorted(committed_values(out, "id")) == list(range(1, 12001))  # 2 readers × 6000 rows, none twice


def test_batch_job_into_console_is_at_least_once(
        write_job: Callable[..., Path], tmp_path: Path, rng: random.Random) -> None:
    state = tmp_path / "state"
    job = write_job(BATCH_JOB.format(sink="Console {}"))
    printed = [i for stdout in kill_at_random(job, state, rng, 1.0, 3.5) for i in console_ids(stdout)]
    done = start_job(job, state=state)
    stdout, stderr = done.communicate(timeout=120)
    assert done.returncode == 0, stderr
    printed += console_ids(stdout)
    assert set(printed) == set(range(1, 12001))  # every row, some maybe twice


def test_streaming_job_killed_and_restarted_writes_every_row_exactly_once(
        write_job: Callable[..., Path], tmp_path: Path, rng: random.Random) -> None:
    out, state = tmp_path / "out", tmp_path / "state"
    job = write_job(f"""
        env {{ job.mode = STREAMING, job.name = crashing-stream, parallelism = 2, checkpoint.interval = 200,
               read_limit.rows_per_second = 3000 }}
        source {{
          FakeSource {{
            row.num = 4000, split.num = 2, batch.size = 100, auto.increment.enabled = true
            schema = {{ fields {{ id = bigint, name = string }} }}
          }}
        }}
        sink {{ LocalFile {{ path = "{out}", file_format_type = parquet }} }}
        """)
    kill_at_random(job, state, rng, 0.8, 2.2)
    before = saved_checkpoint_id(state, "crashing-stream")
    last = start_job(job, state=state)
    try:
        # the killed runs may have committed every row already: wait for this run's own checkpoint too,
        # so the SIGTERM reaches a running job rather than a process still starting up
        wait_for(lambda: len(committed_values(out, "id")) >= 8000
                 and saved_checkpoint_id(state, "crashing-stream") > before, 90, "all 8000 rows to be committed by a running job")
        last.send_signal(signal.SIGTERM)
        _, stderr = last.communicate(timeout=30)
    finally:
        last.kill()
    assert last.returncode == 0, stderr
    assert sorted(committed_values(out, "id")) == list(range(1, 8001))
    assert not any(p.is_file() for p in (out / ".seatunnel-tmp").rglob("*")), "staged files of killed runs remain"
