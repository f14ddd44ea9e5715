"""Jobs that stop, crash or lose the broker: exactly-once Kafka → Kafka (killed mid-stream, or between a
saved checkpoint and its commit), STREAMING across a broker restart, cron re-runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kafka_helpers import (
    BROKER,
    ROOT,
    admin,
    broker_answers,
    kcat_read,
    produce_json,
    run_job,
    service,
)

from seatunnel_py.testing import committed_values, start_job, stop_job, wait_for


def committed_ids(topic: str) -> list[int]:
    return sorted(json.loads(line)["id"] for line in kcat_read(topic, read_committed=True))


def test_exactly_once_kafka_to_kafka_survives_kill_and_restart(
        new_topic: Callable[..., str], write_job: Callable[..., Path], tmp_path: Path) -> None:
    source, target = new_topic(2), new_topic(2)
    produce_json(source, [{"id": i, "name": f"n{i}"} for i in range(3000)])
    job = write_job(f"""
        env {{ job.mode = BATCH, parallelism = 2, job.name = "eos-{source}", checkpoint.interval = 500,
              read_limit.rows_per_second = 200 }}
        source {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{source}", start_mode = earliest, batch_size = 50,
                          schema = {{ fields {{ id = bigint, name = string }} }} }} }}
        sink {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{target}", semantics = EXACTLY_ONCE }} }}
    """)
    state = tmp_path / "state"
    first = start_job(job, state=state)
    try:
        wait_for(lambda: len(committed_ids(target)) >= 400, 60, "a first committed checkpoint")
    finally:
        first.kill()  # SIGKILL: no final checkpoint, an open transaction left behind
        first.communicate(timeout=30)
    seen = committed_ids(target)
    assert 400 <= len(seen) < 3000  # killed mid-stream
    again = run_job(job, state=state, timeout=120)
    assert again.returncode == 0, again.stderr
    assert committed_ids(target) == list(range(3000))  # every input message exactly once


def test_streaming_rides_out_a_broker_restart_and_picks_up_new_partitions(
        new_topic: Callable[..., str], write_job: Callable[..., Path], tmp_path: Path) -> None:
    from confluent_kafka.admin import NewPartitions

    topic = new_topic(1)
    produce_json(topic, [{"id": i, "name": "before"} for i in range(300)])
    out = tmp_path / "out"
    job = write_job(f"""
        env {{ job.mode = STREAMING, job.name = "stream-{topic}", checkpoint.interval = 1000 }}
        source {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{topic}", start_mode = earliest,
                          schema = {{ fields {{ id = bigint, name = string }} }} }} }}
        sink {{ LocalFile {{ path = "{out}", file_format_type = parquet }} }}
    """)
    state = tmp_path / "state"
    proc = start_job(job, state=state)
    try:
        wait_for(lambda: len(committed_values(out, "id")) >= 300, 60, "the first rows")
        service("stop")
        assert not broker_answers()
        time.sleep(2)
        service("start")
        produce_json(topic, [{"id": 300 + i, "name": "after"} for i in range(300)])
        for future in admin().create_partitions([NewPartitions(topic, 2)]).values():
            future.result()
        wait_for(lambda: proc.poll() is not None or len(committed_values(out, "id")) >= 600, 120,
                   "rows written after the broker restart")
        produce_json(topic, [{"id": 600 + i, "name": "new partition"} for i in range(50)], partition=1)
        wait_for(lambda: proc.poll() is not None or len(committed_values(out, "id")) >= 650, 120,
                   "rows of the new partition")
    finally:
        _stdout, stderr = stop_job(proc) if proc.poll() is None else proc.communicate()
    print("STREAMING job across the broker restart:", "rode it out" if proc.returncode == 0 else "failed, restarted")
    if proc.returncode != 0:  # failing is allowed, with one clear line, if a restart loses nothing
        errors = [line for line in stderr.splitlines() if line.startswith("ERROR job failed")]
        assert len(errors) == 1 and "Kafka" in errors[0], stderr
        again = start_job(job, state=state)
        try:
            wait_for(lambda: len(committed_values(out, "id")) >= 650, 120, "the rows after a restart")
        finally:
            stop_job(again)
    assert sorted(committed_values(out, "id")) == list(range(650))


def test_cron_runs_read_only_what_is_new(
        new_topic: Callable[..., str], write_job: Callable[..., Path], tmp_path: Path) -> None:
    topic = new_topic(2)
    produce_json(topic, [{"id": i, "name": "first"} for i in range(100)])
    out = tmp_path / "out"
    job = write_job(f"""
        env {{ job.mode = BATCH, job.name = "cron-{topic}" }}
        source {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{topic}", start_mode = earliest,
                          schema = {{ fields {{ id = bigint, name = string }} }} }} }}
        sink {{ LocalFile {{ path = "{out}", file_format_type = parquet }} }}
    """)
    state = tmp_path / "state"
    assert run_job(job, state=state).returncode == 0
    assert sorted(committed_values(out, "id")) == list(range(100))
    produce_json(topic, [{"id": 100 + i, "name": "second"} for i in range(20)])
    second = run_job(job, state=state)
    assert second.returncode == 0, second.stderr
    assert sorted(committed_values(out, "id")) == list(range(120))  # the second run read only the 20 new


DIE_BEFORE_SECOND_COMMIT = """
import os, signal, sys
from seatunnel_py_kafka import sink
from seatunnel_py import run_job
calls = []
original = sink.KafkaCommitter.commit
def commit(self, infos):
    calls.append(infos)
    if len(calls) == 2:  # checkpoint saved with its commit infos: die before committing them
        os.kill(os.getpid(), signal.SIGKILL)
    original(self, infos)
sink.KafkaCommitter.commit = commit
run_job(sys.argv[1])
"""


def test_a_crash_between_saved_checkpoint_and_commit_is_committed_by_the_restart(
        new_topic: Callable[..., str], write_job: Callable[..., Path], tmp_path: Path) -> None:
    source, target = new_topic(1), new_topic(1)
    produce_json(source, [{"id": i, "name": f"n{i}"} for i in range(1500)])
    job = write_job(f"""
        env {{ job.mode = BATCH, job.name = "crash-{source}", checkpoint.interval = 400,
              read_limit.rows_per_second = 500 }}
        source {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{source}", start_mode = earliest, batch_size = 50,
                          schema = {{ fields {{ id = bigint, name = string }} }} }} }}
        sink {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{target}", semantics = EXACTLY_ONCE }} }}
    """)
    state = tmp_path / "state"
    env = {**os.environ, "SEATUNNEL_PY_STATE_STORE": str(state)}
    died = subprocess.run([sys.executable, "-c", DIE_BEFORE_SECOND_COMMIT, str(job)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120, check=False)
    assert died.returncode == -9, died.stderr
    first = committed_ids(target)
    assert 0 < len(first) < 1500 and len(kcat_read(target)) > len(first)  # checkpoint 2 prepared, not committed
    again = run_job(job, state=state)
    assert again.returncode == 0, again.stderr
    assert committed_ids(target) == list(range(1500))
