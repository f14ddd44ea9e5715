"""Kafka source against the real broker: start modes, formats, bad messages, BATCH end offsets."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from kafka_helpers import BROKER, admin, produce, produce_json, run_job
from seatunnel_py_kafka.source import KafkaSource

from seatunnel_py.api import ROW_KIND_COLUMN, ConnectorError, DataError, PluginContext, RowKind
from seatunnel_py.testing import committed_values, wait_for

SCHEMA = {"fields": {"id": "bigint", "name": "string"}}


def make_source(mode: str = "BATCH", **options: Any) -> KafkaSource:
    options.setdefault("bootstrap.servers", BROKER)
    options.setdefault("poll.timeout", 5000)
    opts = KafkaSource.options_model.model_validate(options)
    assert not opts.check(), opts.check()
    return KafkaSource(opts, PluginContext(job_name="kafka-test", job_mode=mode))  # type: ignore[arg-type]


def read_all(source: KafkaSource, states: dict[str, Any] | None = None) -> pa.Table:
    source.open()
    schema = source.output_schema()
    batches = []
    try:
        for split in source.splits():
            reader = source.create_reader(split, (states or {}).get(split.split_id))
            try:
                batches.extend(b for b in reader.read() if b is not None)
            finally:
                reader.close()
    finally:
        source.close()
    if not batches:
        return schema.empty_table()
    return pa.Table.from_batches(batches)


def ids(table: pa.Table) -> list[int]:
    return sorted(table.column("id").to_pylist())


def two_partitions(new_topic: Callable[..., str]) -> str:
    """10 rows in partition 0 (ids 0..9), 10 in partition 1 (ids 100..109), timestamps 1000 + id."""
    topic = new_topic(2)
    for partition, base in ((0, 0), (1, 100)):
        rows = [json.dumps({"id": base + i, "name": f"n{base + i}"}) for i in range(10)]
        produce(topic, rows, partition=partition, timestamps=[1_000_000 + base + i for i in range(10)])
    return topic


def test_start_modes(new_topic: Callable[..., str]) -> None:
    topic = two_partitions(new_topic)
    base = {"topic": topic, "schema": SCHEMA}
    assert ids(read_all(make_source(**base, start_mode="earliest"))) == [*range(10), *range(100, 110)]
    assert read_all(make_source(**base, start_mode="latest")).num_rows == 0
    specific = make_source(**base, start_mode="specific_offsets",
                           **{"start_mode.offsets": {f"{topic}-0": 7, f"{topic}-1": 9}})
    assert ids(read_all(specific)) == [7, 8, 9, 109]
    by_time = make_source(**base, start_mode="timestamp", **{"start_mode.timestamp": 1_000_105})
    assert ids(read_all(by_time)) == [105, 106, 107, 108, 109]
    bounded = make_source(**base, start_mode="earliest", **{"start_mode.end_timestamp": 1_000_003})
    assert ids(read_all(bounded)) == [0, 1, 2]  # partition 1 starts after the end timestamp


def test_group_offsets_start_mode(new_topic: Callable[..., str]) -> None:
    from confluent_kafka import Consumer, TopicPartition

    topic = two_partitions(new_topic)
    group = f"g-{topic}"
    source = make_source(topic=topic, schema=SCHEMA, start_mode="group_offsets", **{"consumer.group": group})
    assert read_all(source).num_rows == 20  # no committed offsets: auto.offset.reset (earliest)
    consumer = Consumer({"bootstrap.servers": BROKER, "group.id": group})
    consumer.commit(offsets=[TopicPartition(topic, 0, 4), TopicPartition(topic, 1, 10)], asynchronous=False)
    consumer.close()
    again = make_source(topic=topic, schema=SCHEMA, start_mode="group_offsets", **{"consumer.group": group})
    assert ids(read_all(again)) == [4, 5, 6, 7, 8, 9]
    latest = make_source(topic=topic, schema=SCHEMA, start_mode="group_offsets",
                         **{"consumer.group": f"{group}-new", "kafka.config": {"auto.offset.reset": "latest"}})
    assert read_all(latest).num_rows == 0


def test_state_resumes_after_the_last_batch(new_topic: Callable[..., str]) -> None:
    topic = two_partitions(new_topic)
    source = make_source(topic=topic, schema=SCHEMA, start_mode="earliest")
    source.open()
    split = next(s for s in source.splits() if s.payload["partition"] == 0)
    reader = source.create_reader(split)
    batch = next(b for b in reader.read() if b is not None)
    assert batch.num_rows == 10 and reader.snapshot() == {"offset": 10}
    reader.close()
    source.close()
    table = read_all(make_source(topic=topic, schema=SCHEMA, start_mode="earliest"),
                     {f"{topic}-0": {"offset": 6}, f"{topic}-1": {"offset": 10}})
    assert ids(table) == [6, 7, 8, 9]


def test_json_types_and_pretty_printed_messages(new_topic: Callable[..., str]) -> None:
    topic = new_topic(1)
    rows = [
        {"id": 1, "d": "2024-01-02", "ts": "2024-01-02 03:04:05", "amount": "12.50", "ok": True,
         "tags": ["a", "b"], "inner": {"x": 1}, "score": 1.5, "extra": "ignored"},
        {"id": 2, "d": None, "ts": None, "amount": 3, "ok": False, "tags": [], "inner": None, "score": None},
    ]
    produce(topic, [json.dumps(rows[0], indent=2), json.dumps(rows[1])])
    schema = {"fields": {"id": "int", "d": "date", "ts": "timestamp", "amount": "decimal(10, 2)", "ok": "boolean",
                         "tags": "array<string>", "inner": "{x = bigint}", "score": "double"}}
    table = read_all(make_source(topic=topic, schema=schema, start_mode="earliest"))
    got = table.to_pylist()
    assert [r["id"] for r in got] == [1, 2]
    assert str(got[0]["d"]) == "2024-01-02" and str(got[0]["ts"]) == "2024-01-02 03:04:05"
    assert str(got[0]["amount"]) == "12.50" and str(got[1]["amount"]) == "3.00"
    assert got[0]["tags"] == ["a", "b"] and got[0]["inner"] == {"x": 1} and got[1]["score"] is None
    maps = new_topic(1)
    produce(maps, [json.dumps({"id": 1, "attrs": {"k": "v"}})])
    table = read_all(make_source(topic=maps, start_mode="earliest",
                                 schema={"fields": {"id": "int", "attrs": "map<string, string>"}}))
    assert table.column("attrs").to_pylist() == [[("k", "v")]]


def test_json_without_schema_is_one_content_column(new_topic: Callable[..., str]) -> None:
    topic = new_topic(1)
    produce(topic, ['{"a": 1}', "plain text", None])  # the tombstone carries no row
    table = read_all(make_source(topic=topic, start_mode="earliest"))
    assert table.column_names == ["content"]
    assert table.column("content").to_pylist() == ['{"a": 1}', "plain text"]


def test_text_format_with_delimiter(new_topic: Callable[..., str]) -> None:
    topic = new_topic(1)
    produce(topic, ["1|alice|2024-01-02", "2|bob|", "3"])
    schema = {"fields": {"id": "bigint", "name": "string", "day": "date"}}
    table = read_all(make_source(topic=topic, format="text", field_delimiter="|", schema=schema,
                                 start_mode="earliest"))
    assert table.to_pylist()[0]["name"] == "alice" and str(table.to_pylist()[0]["day"]) == "2024-01-02"
    assert table.column("day").to_pylist()[1:] == [None, None]
    assert table.column("name").to_pylist()[2] is None


@pytest.mark.parametrize("fmt", ["canal_json", "debezium_json", "maxwell_json", "ogg_json"])
def test_change_data_formats_give_row_kinds(new_topic: Callable[..., str], fmt: str) -> None:
    row1, row1b, row2 = {"id": 1, "name": "a"}, {"id": 1, "name": "A"}, {"id": 2, "name": "b"}
    messages = {
        "canal_json": [{"data": [row1, row2], "type": "INSERT", "isDdl": False},
                       {"data": [{"id": "1", "name": "A"}], "old": [{"name": "a"}], "type": "UPDATE"},
                       {"data": [row2], "type": "DELETE"}, {"isDdl": True, "type": "ALTER", "data": None}],
        "debezium_json": [{"schema": {}, "payload": {"before": None, "after": row1, "op": "c"}},
                          {"before": None, "after": row2, "op": "r"},
                          {"before": row1, "after": row1b, "op": "u"}, {"before": row2, "after": None, "op": "d"}],
        "maxwell_json": [{"type": "insert", "data": row1}, {"type": "insert", "data": row2},
                         {"type": "update", "data": row1b, "old": {"name": "a"}}, {"type": "delete", "data": row2}],
        "ogg_json": [{"op_type": "I", "after": row1}, {"op_type": "I", "after": row2},
                     {"op_type": "U", "before": row1, "after": row1b}, {"op_type": "D", "before": row2}],
    }[fmt]
    topic = new_topic(1)
    produce_json(topic, messages)
    table = read_all(make_source(topic=topic, format=fmt, schema=SCHEMA, start_mode="earliest"))
    kinds = [RowKind(k).name for k in table.column(ROW_KIND_COLUMN).to_pylist()]
    assert kinds == ["INSERT", "INSERT", "UPDATE_BEFORE", "UPDATE_AFTER", "DELETE"]
    assert table.column("id").to_pylist() == [1, 2, 1, 1, 2]
    assert table.column("name").to_pylist() == ["a", "b", "a", "A", "b"]


def test_native_format(new_topic: Callable[..., str]) -> None:
    topic = new_topic(2)
    produce(topic, [b"\x00\x01", b"v2"], partition=1, keys=[b"k1", None], timestamps=[1234, 5678],
            headers=[[("h", b"x")], None])
    table = read_all(make_source(topic=topic, format="native", start_mode="earliest"))
    got = table.to_pylist()
    assert [r["value"] for r in got] == [b"\x00\x01", b"v2"] and [r["key"] for r in got] == [b"k1", None]
    assert got[0]["headers"] == [("h", b"x")] and got[1]["headers"] is None
    assert [r["partition"] for r in got] == [1, 1] and [r["offset"] for r in got] == [0, 1]
    assert [r["timestamp"] for r in got] == [1234, 5678] and got[0]["timestampType"] == "CREATE_TIME"


def test_bad_messages_fail_or_skip(new_topic: Callable[..., str]) -> None:
    topic = new_topic(1)
    produce(topic, ['{"id": 1, "name": "a"}', "{not json", '{"id": "x", "name": "b"}', '{"id": 4, "name": "d"}'])
    with pytest.raises(DataError, match=rf"message {topic}-0@1 is not json of the declared schema"):
        read_all(make_source(topic=topic, schema=SCHEMA, start_mode="earliest"))
    skipped = make_source(topic=topic, schema=SCHEMA, start_mode="earliest", format_error_handle_way="skip")
    assert ids(read_all(skipped)) == [1, 4]
    assert skipped.context.counters.rejected == 2  # counted in the job's Total Failed Count
    canal = new_topic(1)
    produce(canal, ['{"data": [{"id": 1}], "type": "INSERT"}', '{"type": "BOGUS", "data": []}'])
    with pytest.raises(DataError, match=rf"{canal}-0@1 is not canal_json: unknown type 'BOGUS'"):
        read_all(make_source(topic=canal, format="canal_json", schema=SCHEMA, start_mode="earliest"))
    debezium = new_topic(1)
    produce_json(debezium, [{"op": "c", "after": {"id": 1}}, {"op": "c", "after": {"id": "x1"}},
                            {"op": "d", "before": {"id": "3"}}])
    with pytest.raises(DataError, match=rf"{debezium}-0@1: a value does not fit the declared schema"):
        read_all(make_source(topic=debezium, format="debezium_json", schema=SCHEMA, start_mode="earliest"))
    table = read_all(make_source(topic=debezium, format="debezium_json", schema=SCHEMA, start_mode="earliest",
                                 format_error_handle_way="skip"))
    assert table.column("id").to_pylist() == [1, 3] and table.column(ROW_KIND_COLUMN).to_pylist() == [0, 3]


def test_batch_stops_at_the_end_offsets_taken_at_start(new_topic: Callable[..., str]) -> None:
    topic = new_topic(2)
    produce_json(topic, [{"id": i, "name": "x"} for i in range(2000)])
    source = make_source(topic=topic, schema=SCHEMA, start_mode="earliest", batch_size=100)
    source.open()
    splits = source.splits()
    ends = sum(s.payload["end"] for s in splits)
    assert ends == 2000
    stop = threading.Event()
    written = [0]

    def keep_writing() -> None:
        while not stop.is_set():
            produce_json(topic, [{"id": 10_000 + written[0] + i, "name": "late"} for i in range(100)])
            written[0] += 100

    producer = threading.Thread(target=keep_writing)
    producer.start()
    try:
        time.sleep(0.5)
        rows = 0
        for split in splits:
            reader = source.create_reader(split)
            rows += sum(b.num_rows for b in reader.read() if b is not None)
            reader.close()
        assert not stop.is_set() and written[0] > 0  # the producer was still writing when reading ended
    finally:
        stop.set()
        producer.join()
        source.close()
    assert rows == 2000


def test_missing_topic_and_unreachable_broker_fail_with_one_line(new_topic: Callable[..., str]) -> None:
    with pytest.raises(ConnectorError, match=r"Kafka: topic 'no_such_topic_x' does not exist on 127.0.0.1:9092"):
        read_all(make_source(topic="no_such_topic_x"))
    with pytest.raises(ConnectorError, match=r"Kafka: cannot list topics from 127.0.0.1:1: "):
        read_all(make_source(topic="t", **{"bootstrap.servers": "127.0.0.1:1", "poll.timeout": 2000}))


def test_job_in_parallel_over_four_partitions_commits_group_offsets(
        new_topic: Callable[..., str], write_job: Callable[..., Path], tmp_path: Path) -> None:
    import subprocess

    topic = new_topic(4)
    produce_json(topic, [{"id": i, "name": f"n{i}"} for i in range(4000)])
    group = f"g-{topic}"
    out = tmp_path / "out"
    job = write_job(f"""
        env {{ job.mode = BATCH, parallelism = 2, job.name = "k4" }}
        source {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{topic}", consumer.group = "{group}",
                          start_mode = earliest, schema = {{ fields {{ id = bigint, name = string }} }} }} }}
        sink {{ LocalFile {{ path = "{out}", file_format_type = parquet }} }}
    """)
    done = run_job(job, state=tmp_path / "state")
    assert done.returncode == 0, done.stderr
    assert sorted(committed_values(out, "id")) == list(range(4000))
    produce_json(topic, [{"id": 5000 + i, "name": "new"} for i in range(8)], partition=3)
    seen = subprocess.run(["kcat", "-b", BROKER, "-G", group, topic, "-e", "-q", "-f", "%p:%o\\n",
                           "-X", "enable.auto.commit=false"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert seen.returncode == 0, seen.stderr
    lines = [ln for ln in seen.stdout.split("\n") if ln]
    assert len(lines) == 8 and all(ln.startswith("3:") for ln in lines)  # only what came after the commit
    counts = admin().list_consumer_groups().result()
    assert any(g.group_id == group for g in counts.valid)


def test_pattern_discovers_new_topics_and_group_commits_follow_the_option(new_topic: Callable[..., str]) -> None:
    from confluent_kafka import Consumer, TopicPartition

    first = new_topic(2, prefix="pat")
    stem = first[:-4]  # topics sharing the first 6 hex digits match; others created meanwhile do not
    source = make_source(mode="STREAMING", topic=f"{stem}.*", pattern=True, start_mode="earliest",
                         **{"consumer.group": f"g-{first}"})
    source.open()
    assert sorted(s.split_id for s in source.splits()) == [f"{first}-0", f"{first}-1"]
    assert source.discover_splits() == []
    second = f"{stem}zzzz"
    from confluent_kafka.admin import NewTopic

    for future in admin().create_topics([NewTopic(second, 1, 1)]).values():
        future.result()
    found: list[Any] = []

    def discovered() -> bool:  # the broker's metadata and the partition leader follow create_topics a moment later
        found.extend(source.discover_splits())
        return bool(found)

    wait_for(discovered, 30, f"discovery of topic {second}", every=0.5)
    assert [s.split_id for s in found] == [f"{second}-0"] and found[0].payload["end"] is None
    source.notify_checkpoint_complete(3, {f"{first}-0": {"offset": 5}, f"{second}-0": {"offset": 0}})
    consumer = Consumer({"bootstrap.servers": BROKER, "group.id": f"g-{first}"})
    committed = consumer.committed([TopicPartition(first, 0), TopicPartition(first, 1)], timeout=10)
    assert [tp.offset for tp in committed] == [5, -1001]
    consumer.close()
    source.close()
    quiet = make_source(mode="STREAMING", topic=first, commit_on_checkpoint=False, start_mode="earliest",
                        **{"consumer.group": f"g2-{first}", "partition-discovery.interval-millis": -1})
    quiet.open()
    quiet.splits()
    quiet.notify_checkpoint_complete(1, {f"{first}-0": {"offset": 5}})
    assert quiet.discover_splits() == []
    consumer = Consumer({"bootstrap.servers": BROKER, "group.id": f"g2-{first}"})
    assert consumer.committed([TopicPartition(first, 0)], timeout=10)[0].offset == -1001  # nothing committed
    consumer.close()
    quiet.close()
    admin().delete_topics([second])

