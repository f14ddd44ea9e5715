"""EXACTLY_ONCE identity and recovery against the real broker: transactional ids per job key, the
producer id and epoch checked before a restart commits, expired ids, one failed commit among several,
a restart with fewer writers, and the plan-time warning for protocols recovery does not speak.

Faults are placed by ``faults.py`` (a wrapped connector method fires at an event of the run).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kafka_helpers import BROKER, DIE_AFTER_PREPARE, ROOT, kcat_read, produce_json
from seatunnel_py_kafka.recovery import TransactionRecovery
from seatunnel_py_kafka.sink import KafkaSink
from seatunnel_py_kafka.transactions import Decision, Prepared, TransactionState, decide

from seatunnel_py.api import ConnectorError, PluginContext
from seatunnel_py.testing import run_cli, start_job, stop_job, wait_for

FAULTS = Path(__file__).resolve().parent / "faults.py"


def committed_ids(topic: str) -> list[int]:
    return sorted(json.loads(line)["id"] for line in kcat_read(topic, read_committed=True))


def run_with_fault(fault: str, job: Path, *args: str, state: Path) -> subprocess.Popen[str]:
    """Start ``faults.py FAULT JOB ARGS`` with the job's state under ``state``."""
    env = {**os.environ, "SEATUNNEL_PY_STATE_STORE": str(state)}
    return subprocess.Popen([sys.executable, str(FAULTS), fault, str(job), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def outcome(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    """Wait for a ``run_with_fault`` process: (exit code, stderr); killed if it outlives ``timeout``."""
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
        raise AssertionError(f"the job did not end within {timeout:.0f} s: {err}") from None
    return proc.returncode, err


def open_transaction_ends(topic: str, partitions: int) -> list[tuple[int, int]]:
    """Per partition (last stable offset, high watermark): equal when no transaction is open."""
    from confluent_kafka import IsolationLevel, TopicPartition
    from confluent_kafka.admin import AdminClient, OffsetSpec

    admin = AdminClient({"bootstrap.servers": BROKER})
    request = {TopicPartition(topic, p): OffsetSpec.latest() for p in range(partitions)}
    stable = admin.list_offsets(request, isolation_level=IsolationLevel.READ_COMMITTED)
    high = admin.list_offsets(request, isolation_level=IsolationLevel.READ_UNCOMMITTED)
    return [(stable[tp].result().offset, high[tp].result().offset) for tp in request]


# --- 1. identity ------------------------------------------------------------------------------------------
UNNAMED = """
    env {{ job.mode = BATCH, checkpoint.interval = 300 }}
    source {{ Kafka {{ bootstrap.servers = "{broker}", topic = "{source}", start_mode = earliest, batch_size = 50,
                      schema = {{ fields {{ id = bigint, name = string }} }} }} }}
    sink {{ Kafka {{ bootstrap.servers = "{broker}", topic = "{target}", semantics = EXACTLY_ONCE }} }}
"""


def test_two_unnamed_jobs_have_their_own_transactional_ids_and_run_at_once(
        new_topic: Callable[..., str], tmp_path: Path) -> None:
    from seatunnel_py import check_job

    source = new_topic(1)
    produce_json(source, [{"id": i, "name": f"n{i}"} for i in range(400)])
    targets, jobs = {}, {}
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        targets[name] = new_topic(1)
        jobs[name] = folder / "job.conf"  # the same file name, no job.name: only the path tells them apart
        jobs[name].write_text(textwrap.dedent(UNNAMED.format(broker=BROKER, source=source, target=targets[name])))
    prefixes = {}
    for name, job in jobs.items():
        sink = check_job(job).sinks[0].plugin
        assert isinstance(sink, KafkaSink)
        prefixes[name] = sink.transaction_prefix
    assert prefixes["a"] != prefixes["b"], prefixes
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    (meeting / "expected").write_text("a b")
    state = tmp_path / "state"  # one store: the two jobs' keys differ
    procs = {name: run_with_fault("rendezvous", job, str(meeting), state=state) for name, job in jobs.items()}
    try:
        for name, proc in procs.items():  # each writer waits, transaction open, until the other one has written
            code, err = outcome(proc)
            assert code == 0, f"job {name}: {err}"
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    for name in jobs:
        assert committed_ids(targets[name]) == list(range(400)), name


# --- 2. recovery that checks what it commits ----------------------------------------------------------------
def test_decisions_of_recovery() -> None:
    ours = Prepared("t-0-0", producer_id=7, producer_epoch=3, started_ms=1000)
    assert decide(ours, None) == Decision.EXPIRED
    assert decide(ours, TransactionState("Ongoing", 7, 3, 1000)) == Decision.COMMIT
    assert decide(ours, TransactionState("CompleteCommit", 7, 3, 1000)) == Decision.ALREADY_COMMITTED
    assert decide(ours, TransactionState("CompleteAbort", 7, 3, 1000)) == Decision.LOST
    assert decide(ours, TransactionState("CompleteAbort", 7, 4, 1000)) == Decision.LOST  # timed out: epoch bumped
    assert decide(ours, TransactionState("CompleteAbort", 7, 4, 2000)) == Decision.MOVED_ON  # a later transaction
    assert decide(ours, TransactionState("Ongoing", 7, 4, 2000)) == Decision.MOVED_ON  # someone else's, open
    assert decide(ours, TransactionState("Ongoing", 9, 0, 2000)) == Decision.MOVED_ON  # the id was re-created
    assert decide(ours, TransactionState("Empty", 7, 5, -1)) == Decision.MOVED_ON
    legacy = Prepared("t-0-0")  # a commit info of an older version: the state alone decides
    assert decide(legacy, TransactionState("Ongoing", 7, 4, 2000)) == Decision.COMMIT
    assert decide(legacy, TransactionState("CompleteAbort", 7, 4, 2000)) == Decision.LOST


def make_sink(topic: str, **options: Any) -> KafkaSink:
    opts = KafkaSink.options_model.model_validate({"bootstrap.servers": BROKER, "topic": topic,
                                                   "semantics": "EXACTLY_ONCE", **options})
    return KafkaSink(opts, PluginContext(job_name="t", job_key="t", label="sink[0].Kafka"))


def test_a_restart_commits_only_the_transaction_its_checkpoint_recorded(new_topic: Callable[..., str]) -> None:
    from confluent_kafka import Producer

    topic = new_topic(1)
    prefix = f"verify-{topic}"
    script = textwrap.dedent(DIE_AFTER_PREPARE.format(broker=BROKER, topic=topic, prefix=prefix))
    died = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          check=False)
    assert died.returncode == -9, died.stderr
    info = json.loads(died.stdout)
    committer = make_sink(topic, transaction_prefix=prefix).create_committer()
    assert committer is not None
    committer.commit([info])  # the restart after the crash: committed over the wire
    assert sorted(json.loads(x)["id"] for x in kcat_read(topic, read_committed=True)) == list(range(100))
    # a later producer takes the id (another job with the same prefix, a run since) and leaves a transaction open
    intruder = Producer({"bootstrap.servers": BROKER, "transactional.id": info["transactional_id"],
                         "logger": logging.getLogger("intruder")})
    intruder.init_transactions(30)
    intruder.begin_transaction()
    for i in range(50):
        intruder.produce(topic, json.dumps({"id": 1000 + i}))
    assert intruder.flush(30) == 0
    try:
        committer.commit([info])  # the same saved checkpoint again (a run died before its first checkpoint)
        state = TransactionRecovery(BROKER).describe(info["transactional_id"])
        assert state is not None and state.state == "Ongoing"  # not committed on the intruder's behalf
        assert len(kcat_read(topic, read_committed=True)) == 100
    finally:
        intruder.abort_transaction(30)


def test_an_id_the_broker_no_longer_knows_is_not_reported_as_lost(
        new_topic: Callable[..., str], caplog: pytest.LogCaptureFixture) -> None:
    topic = new_topic(1)
    sink = make_sink(topic)
    committer = sink.create_committer()
    assert committer is not None
    gone = f"{sink.transaction_prefix}-{uuid.uuid4().hex}-0-1"  # the broker answers as for an expired id
    with caplog.at_level(logging.WARNING, logger="seatunnel_py_kafka"):
        committer.commit([{"transactional_id": gone, "checkpoint_id": 9, "producer_id": 12, "producer_epoch": 0,
                           "started_ms": 1}])
    assert any("no longer knows its transactional id" in r.getMessage() and gone in r.getMessage()
               for r in caplog.records), caplog.text


def test_a_commit_info_for_another_applications_transaction_is_refused(new_topic: Callable[..., str]) -> None:
    """The state store is only a file: a crafted commit info must not commit someone else's transaction."""
    committer = make_sink(new_topic(1)).create_committer()
    assert committer is not None
    with pytest.raises(ConnectorError, match="refusing a commit info from the saved state: transactional id "
                                             "'payments-writer-1'"):
        committer.commit([{"transactional_id": "payments-writer-1", "checkpoint_id": 3, "producer_id": 7,
                           "producer_epoch": 0, "started_ms": 1}])


def test_a_weekly_cron_run_starts_after_the_transactional_id_expired(
        new_topic: Callable[..., str], write_job: Callable[..., Path], tmp_path: Path) -> None:
    source, target = new_topic(1), new_topic(1)
    produce_json(source, [{"id": i, "name": "week 1"} for i in range(100)])
    job = write_job(f"""
        env {{ job.mode = BATCH, job.name = "weekly-{source}" }}
        source {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{source}", start_mode = earliest,
                          schema = {{ fields {{ id = bigint, name = string }} }} }} }}
        sink {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{target}", semantics = EXACTLY_ONCE }} }}
    """)
    state = tmp_path / "state"
    # week 1 commits its checkpoint and dies before the engine records that: week 2 commits it again
    code, err = outcome(run_with_fault("kill-after-commit", job, state=state))
    assert code == -9, err
    assert committed_ids(target) == list(range(100))
    produce_json(source, [{"id": 100 + i, "name": "week 2"} for i in range(50)])
    # a week later the broker has forgotten the transactional id of that committed checkpoint
    code, err = outcome(run_with_fault("expired", job, state=state))
    assert code == 0, err
    assert "no longer knows its transactional id" in err
    assert committed_ids(target) == list(range(150))


STREAMING_TWO_PARTITIONS = """
    env {{ job.mode = STREAMING, job.name = "{name}", parallelism = {parallelism}, checkpoint.interval = 500,
          read_limit.rows_per_second = 400 }}
    source {{ Kafka {{ bootstrap.servers = "{broker}", topic = "{source}", start_mode = earliest, batch_size = 50,
                      schema = {{ fields {{ id = bigint, name = string }} }} }} }}
    sink {{ Kafka {{ bootstrap.servers = "{broker}", topic = "{target}", semantics = EXACTLY_ONCE }} }}
"""


def two_partition_job(new_topic: Callable[..., str], tmp_path: Path, rows: int) -> tuple[Path, str, str]:
    source, target = new_topic(2), new_topic(1)
    produce_json(source, [{"id": i, "name": f"n{i}"} for i in range(rows // 2)], partition=0)
    produce_json(source, [{"id": i, "name": f"n{i}"} for i in range(rows // 2, rows)], partition=1)
    return tmp_path / "job.conf", source, target


def write_streaming(job: Path, source: str, target: str, parallelism: int) -> None:
    job.write_text(textwrap.dedent(STREAMING_TWO_PARTITIONS.format(
        name=f"job-{source}", parallelism=parallelism, broker=BROKER, source=source, target=target)))


def run_until_all_committed(job: Path, state: Path, target: str, rows: int) -> tuple[int | None, str]:
    proc = start_job(job, state=state)
    try:
        wait_for(lambda: proc.poll() is not None or len(committed_ids(target)) >= rows, 90,
                 f"{rows} committed rows in {target}")
    finally:
        _out, err = stop_job(proc) if proc.poll() is None else proc.communicate()
    return proc.returncode, err


def test_a_failed_commit_of_one_writer_leaves_the_others_committed(
        new_topic: Callable[..., str], tmp_path: Path) -> None:
    rows = 3000
    job, source, target = two_partition_job(new_topic, tmp_path, rows)
    write_streaming(job, source, target, parallelism=2)
    state = tmp_path / "state"
    code, err = outcome(run_with_fault("fail-first-commit", job, state=state))
    assert code == 1, err
    assert "1 of 2 transaction(s) of checkpoint" in err and "injected failure" in err
    code, err = run_until_all_committed(job, state, target, rows)
    assert code == 0, err
    assert committed_ids(target) == list(range(rows))  # the failed one committed by the restart, none aborted


# --- 3. rescale ---------------------------------------------------------------------------------------------
def test_a_restart_with_fewer_writers_fences_the_vanished_writers_transactions(
        new_topic: Callable[..., str], tmp_path: Path) -> None:
    rows = 3000
    job, source, target = two_partition_job(new_topic, tmp_path, rows)
    write_streaming(job, source, target, parallelism=2)
    state = tmp_path / "state"
    code, err = outcome(run_with_fault("kill-with-open-transactions", job, state=state))
    assert code == -9, err
    assert len(kcat_read(target)) > len(committed_ids(target))  # both writers had messages in open transactions
    write_streaming(job, source, target, parallelism=1)
    code, err = run_until_all_committed(job, state, target, rows)
    assert code == 0, err
    assert committed_ids(target) == list(range(rows))  # every row exactly once
    stable, high = open_transaction_ends(target, 1)[0]
    assert stable == high  # no transaction left open: read_committed consumers reach the end


# --- plan-time warning ------------------------------------------------------------------------------------
def test_check_warns_when_exactly_once_meets_a_protocol_recovery_does_not_speak(write_job: Callable[..., Path]) -> None:
    job = write_job(f"""
        env {{ job.mode = BATCH }}
        source {{ FakeSource {{ row.num = 3, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "x", semantics = EXACTLY_ONCE,
                        kafka.config = {{ security.protocol = SASL_SSL, sasl.mechanism = PLAIN, sasl.username = u,
                                         sasl.password = "hunter2-secret" }} }} }}
    """)
    checked = run_cli("check", job)
    assert checked.returncode == 0, checked.stderr
    assert "security.protocol = SASL_SSL" in checked.stderr and "recovery speaks PLAINTEXT only" in checked.stderr
    assert "hunter2-secret" not in checked.stdout + checked.stderr
    plain = write_job(f"""
        env {{ job.mode = BATCH }}
        source {{ FakeSource {{ row.num = 3, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "x", semantics = EXACTLY_ONCE }} }}
    """, name="plain.conf")
    assert "PLAINTEXT only" not in run_cli("check", plain).stderr
