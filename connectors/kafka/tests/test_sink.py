"""Kafka sink against the real broker: formats, keys and partitions, routing, transactions and their recovery."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
from kafka_helpers import BROKER, DIE_AFTER_PREPARE, ROOT, kcat_read, run_job
from seatunnel_py_kafka.sink import KafkaSink

from seatunnel_py.api import PluginContext, RowKind, attach_row_kinds


def make_sink(**options: Any) -> KafkaSink:
    options.setdefault("bootstrap.servers", BROKER)
    opts = KafkaSink.options_model.model_validate(options)
    assert not opts.check(), opts.check()
    return KafkaSink(opts, PluginContext(job_name="kafka-sink-test", job_key="kafka-sink-test", label="sink[0].Kafka"))


def people() -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({
        "id": pa.array([1, 2, 3], pa.int64()),
        "name": ["alice", 'bob "b"\n', None],
        "score": [1.5, None, -2.0],
    })


def write(sink: KafkaSink, *batches: pa.RecordBatch, checkpoint: int = 1) -> list[Any]:
    """Write like the engine does: writer, prepare_commit, committer.commit; return the infos."""
    schema = batches[0].schema
    sink.check_input(schema)
    committer = sink.create_committer()
    writer = sink.create_writer(0, schema)
    for batch in batches:
        writer.write(batch)
    info = writer.prepare_commit(checkpoint)
    writer.close()
    infos = [info] if info is not None else []
    if committer is not None:
        committer.commit(infos)
    sink.finish(True)
    return infos


def test_json_and_text_formats(new_topic: Callable[..., str]) -> None:
    topic = new_topic(1)
    write(make_sink(topic=topic), people())
    got = [json.loads(line) for line in kcat_read(topic)]
    assert got == [{"id": 1, "name": "alice", "score": 1.5}, {"id": 2, "name": 'bob "b"\n', "score": None},
                   {"id": 3, "name": None, "score": -2.0}]
    text = new_topic(1)
    write(make_sink(topic=text, format="text", field_delimiter="|"), people().select(["id", "score"]))
    assert kcat_read(text) == ["1|1.5", "2|", "3|-2"]


def test_change_data_formats_encode_row_kinds(new_topic: Callable[..., str]) -> None:
    batch = attach_row_kinds(people().slice(0, 2).select(["id"]).append_column("id2", pa.array([1, 1])).select(["id"]),
                             pa.array([int(RowKind.UPDATE_BEFORE), int(RowKind.UPDATE_AFTER)], pa.int8()))
    canal = new_topic(1)
    write(make_sink(topic=canal, format="canal_json"), batch)
    assert [json.loads(x) for x in kcat_read(canal)] == [{"data": [{"id": 1}], "type": "DELETE"},
                                                         {"data": [{"id": 2}], "type": "INSERT"}]
    debezium = new_topic(1)
    write(make_sink(topic=debezium, format="debezium_json"), batch)
    assert [json.loads(x) for x in kcat_read(debezium)] == [{"before": {"id": 1}, "after": None, "op": "d"},
                                                            {"before": None, "after": {"id": 2}, "op": "c"}]


def test_keys_fixed_partition_and_assigned_partitions(new_topic: Callable[..., str]) -> None:
    keyed = new_topic(4)
    batch = pa.RecordBatch.from_pydict({"id": list(range(40)), "name": [f"n{i % 5}" for i in range(40)]})
    write(make_sink(topic=keyed, partition_key_fields=["name"]), batch)
    by_key: dict[str, set[str]] = defaultdict(set)
    for line in kcat_read(keyed, "%k %p\\n"):
        key, partition = line.rsplit(" ", 1)
        by_key[key].add(partition)
    assert set(by_key) == {json.dumps({"name": f"n{i}"}, separators=(",", ":")) for i in range(5)}
    assert all(len(p) == 1 for p in by_key.values())  # one key, one partition
    fixed = new_topic(3)
    write(make_sink(topic=fixed, partition=2), batch)
    assert set(kcat_read(fixed, "%p\\n")) == {"2"}
    assigned = new_topic(4)
    write(make_sink(topic=assigned, assign_partitions=["n1", "n2"]), batch)
    for line in kcat_read(assigned, "%p %s\\n"):
        partition, value = line.split(" ", 1)
        name = json.loads(value)["name"]
        assert partition == {"n1": "0", "n2": "1"}.get(name, partition)  # the i-th string: partition i
        assert name in ("n1", "n2") or partition in ("2", "3")


def test_topic_routed_by_a_field(new_topic: Callable[..., str]) -> None:
    first, second = new_topic(1), new_topic(1)
    batch = pa.RecordBatch.from_pydict({"id": [1, 2, 3], "dest": [first, second, first]})
    write(make_sink(topic="${dest}"), batch)
    assert [json.loads(x)["id"] for x in kcat_read(first)] == [1, 3]
    assert [json.loads(x)["id"] for x in kcat_read(second)] == [2]


def test_native_format_writes_key_value_headers_partition(new_topic: Callable[..., str]) -> None:
    topic = new_topic(2)
    batch = pa.RecordBatch.from_pydict({
        "key": pa.array([b"k1", None], pa.binary()), "value": pa.array([b"v1", b"v2"], pa.binary()),
        "headers": pa.array([[("h", b"x")], None], pa.map_(pa.string(), pa.binary())),
        "partition": pa.array([1, 0], pa.int32())})
    write(make_sink(topic=topic, format="native"), batch)
    assert sorted(kcat_read(topic, "%p %k %s %h\\n")) == ["0  v2 ", "1 k1 v1 h=x"]


def test_exactly_once_visible_only_after_commit(new_topic: Callable[..., str]) -> None:
    topic = new_topic(1)
    assert make_sink(topic=topic, semantics="EXACTLY_ONCE").transaction_prefix == \
        "SeaTunnel-kafka-sink-test-sink_0_.Kafka"  # the default: job key and sink label
    sink = make_sink(topic=topic, semantics="EXACTLY_ONCE", transaction_prefix=f"tx-{topic}")
    committer = sink.create_committer()
    assert committer is not None
    writer = sink.create_writer(0, people().schema)
    writer.write(people())
    info = writer.prepare_commit(7)
    assert info is not None and info["transactional_id"] == f"tx-{topic}-0-0"
    assert writer.snapshot(7) == {"transaction_prefix": f"tx-{topic}", "sequence": 1}
    writer.write(people())  # the next checkpoint's transaction
    assert kcat_read(topic, read_committed=True) == []
    assert len(kcat_read(topic)) == 6  # read_uncommitted sees the open transactions
    committer.commit([info])
    committer.commit([info])  # idempotent: recovered over the wire, already committed
    assert len(kcat_read(topic, read_committed=True)) == 3
    writer.abort()
    writer.close()
    assert len(kcat_read(topic, read_committed=True)) == 3


def test_a_transaction_prepared_by_a_dead_process_is_committed_by_the_next(new_topic: Callable[..., str]) -> None:
    topic = new_topic(1)
    prefix = f"dead-{topic}"
    script = textwrap.dedent(DIE_AFTER_PREPARE.format(broker=BROKER, topic=topic, prefix=prefix))
    died = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          check=False)
    assert died.returncode == -9, died.stderr
    transaction = json.loads(died.stdout)["transactional_id"]
    assert transaction == f"{prefix}-0-0"
    assert kcat_read(topic, read_committed=True) == [] and len(kcat_read(topic)) == 100
    committer = make_sink(topic=topic, semantics="EXACTLY_ONCE", transaction_prefix=prefix).create_committer()
    assert committer is not None
    committer.commit([{"transactional_id": transaction, "checkpoint_id": 1}])
    assert sorted(json.loads(x)["id"] for x in kcat_read(topic, read_committed=True)) == list(range(100))
    committer.commit([{"transactional_id": transaction, "checkpoint_id": 1}])  # again: nothing to do


def test_job_writes_json_to_kafka_and_bad_config_is_refused(
        new_topic: Callable[..., str], write_job: Callable[..., Path], tmp_path: Path) -> None:
    topic = new_topic(2)
    job = write_job(f"""
        env {{ job.mode = BATCH, parallelism = 2 }}
        source {{ FakeSource {{ row.num = 500, schema = {{ fields {{ id = bigint, name = string }} }} }} }}
        sink {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{topic}", semantics = AT_LEAST_ONCE }} }}
    """)
    done = run_job(job, state=tmp_path / "state")
    assert done.returncode == 0, done.stderr
    assert len(kcat_read(topic)) == 1000
    bad = write_job(f"""
        env {{ job.mode = BATCH }}
        source {{ FakeSource {{ schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{topic}", format = maxwell_json,
                        kafka.config = {{ partitioner.class = "x.Y" }} }} }}
    """, name="bad.conf")
    refused = run_job(bad)
    assert refused.returncode == 2
    assert "bad.conf:3: sink.Kafka.format: maxwell_json cannot be written" in refused.stderr
    assert "bad.conf:4: sink.Kafka.kafka.config.partitioner.class: partitioner.class is a Java client property" \
        in refused.stderr


def test_unreachable_broker_and_secrets(new_topic: Callable[..., str], write_job: Callable[..., Path]) -> None:
    job = write_job("""
        env { job.mode = BATCH }
        source { FakeSource { row.num = 3, schema = { fields { id = bigint } } } }
        sink { Kafka { bootstrap.servers = "127.0.0.1:1", topic = "x", semantics = AT_LEAST_ONCE,
                       kafka.config = { message.timeout.ms = 2000, security.protocol = SASL_PLAINTEXT,
                                        sasl.mechanism = PLAIN, sasl.username = u, sasl.password = "hunter2-secret" } } }
    """)
    done = run_job(job)
    assert done.returncode == 1
    assert "Kafka: 3 message(s) not delivered to 127.0.0.1:1" in done.stderr or "Kafka: writing to" in done.stderr
    assert "hunter2-secret" not in done.stderr + done.stdout
    checked = subprocess.run([sys.executable, "-m", "seatunnel_py.cli", "check", str(job)], capture_output=True,
                             text=True, cwd=ROOT, timeout=60, check=False)
    assert checked.returncode == 0 and "hunter2-secret" not in checked.stdout + checked.stderr
    assert "'kafka.config': '******'" in checked.stdout + checked.stderr


def test_the_source_reads_a_transactional_topic_to_its_end(new_topic: Callable[..., str]) -> None:
    from seatunnel_py_kafka.source import KafkaSource

    topic = new_topic(2)
    sink = make_sink(topic=topic, semantics="EXACTLY_ONCE", transaction_prefix=f"tx-{topic}")
    write(sink, pa.RecordBatch.from_pydict({"id": list(range(50)), "name": ["x"] * 50}))
    opts = KafkaSource.options_model.model_validate({"bootstrap.servers": BROKER, "topic": topic, "poll.timeout": 3000,
                                                     "start_mode": "earliest",
                                                     "schema": {"fields": {"id": "bigint", "name": "string"}}})
    source = KafkaSource(opts, PluginContext(job_mode="BATCH"))
    source.open()
    rows = []
    for split in source.splits():  # ends at the commit markers: a stuck reader would fail after poll.timeout
        reader = source.create_reader(split)
        rows.extend(r for b in reader.read() if b is not None for r in b.column("id").to_pylist())
        assert reader.snapshot()["offset"] == split.payload["end"]
        reader.close()
    source.close()
    assert sorted(rows) == list(range(50))
