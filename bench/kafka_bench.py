"""Kafka benchmarks: seatunnel-py beside plain confluent-kafka scripts, in one run.

    .venv/bin/python bench/kafka_bench.py --rows 1000000

Needs the broker of ``integration/services/kafka.sh`` on 127.0.0.1:9092. Scenarios, each
run in its own process (peak memory is that run's alone):

* consume: N JSON messages of about 150 bytes in a 4-partition topic → parquet files,
  by (a) a plain confluent-kafka batch-consume + ``pyarrow.json`` script (the baseline),
  (b) a plain per-message ``poll()`` + ``json.loads`` script, and the engine
  (Kafka source → LocalFile sink) at parallelism 1 and 2;
* produce: the same rows from a parquet file → Kafka JSON messages, by a plain batched
  producer script (``json.dumps`` per row, ``produce`` per message, one flush) and by
  the engine (LocalFile source → Kafka sink, NON and EXACTLY_ONCE);
* skew: the same N messages all in partition 0 of a 12-partition topic (one hot
  partition beside 11 idle ones) against a 1-partition topic holding the same data, read
  by the engine (Kafka source → LocalFile parquet, parallelism 1) in STREAMING (timed
  until the sink has taken every message, then stopped) and in BATCH; the ratio is
  hot-beside-idle / single partition (goal: at least 0.9x).

Printed per run: messages/s, MB/s of message values, CPU seconds per million messages
of the tool and of the broker (from /proc), peak memory (max RSS) and the ratio to the
scenario's baseline. The input topic is made once per size and reused by later runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import Measurement, measure  # noqa: E402

BROKER = "127.0.0.1:9092"
PARTITIONS = 4
SCHEMA_FIELDS = {"id": "bigint", "user": "string", "event": "string", "amount": "double", "ts": "bigint",
                 "country": "string", "ok": "boolean", "note": "string"}
PIDFILE = Path(os.environ.get("SEATUNNEL_PY_SERVICES", Path.home() / ".local/share/seatunnel-py/services")) \
    / "kafka" / "kafka.pid"


def message(i: int) -> dict[str, Any]:
    """One input row; its JSON is about 150 bytes."""
    return {"id": i, "user": f"user_{i % 100000:06d}", "event": ("click", "view", "buy")[i % 3],
            "amount": round((i % 10000) * 0.37, 2), "ts": 1_700_000_000_000 + i, "country": ("FR", "DE", "US")[i % 3],
            "ok": i % 2 == 0, "note": f"n{i % 997:04d}-abcdefghijklmnopqrst"}


def arrow_schema() -> Any:
    """The Arrow schema of the rows (the one the jobs declare)."""
    from seatunnel_py.types import parse_schema

    return parse_schema({"fields": SCHEMA_FIELDS}).schema.remove_metadata()


# --- setup (in the parent) --------------------------------------------------------------
def topic_for(rows: int) -> str:
    """Create (once) the input topic holding exactly ``rows`` messages over 4 partitions."""
    return filled_topic(f"bench_kafka_{rows}", rows, PARTITIONS, lambda i: i % PARTITIONS)


def skew_topic(rows: int, partitions: int) -> str:
    """Create (once) a topic of ``partitions`` partitions holding ``rows`` messages, all in partition 0."""
    return filled_topic(f"bench_skew_{rows}_{partitions}", rows, partitions, lambda i: 0)


def filled_topic(name: str, rows: int, partitions: int, partition_of: Callable[[int], int]) -> str:
    """Topic ``name`` of ``partitions`` partitions holding ``rows`` messages (made again unless it does)."""
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": BROKER})
    meta = admin.list_topics(timeout=10)
    if name in meta.topics and count(name, partitions) == rows:
        return name
    if name in meta.topics:
        for f in admin.delete_topics([name]).values():
            f.result()
        time.sleep(2)
    for f in admin.create_topics([NewTopic(name, partitions, 1)]).values():
        f.result()
    producer = Producer({"bootstrap.servers": BROKER, "linger.ms": 50, "batch.size": 1_000_000,
                         "compression.type": "none"})
    for i in range(rows):
        value = json.dumps(message(i), separators=(",", ":"))
        while True:
            try:
                producer.produce(name, value, partition=partition_of(i))
                break
            except BufferError:
                producer.poll(0.05)
    producer.flush(120)
    return name


def count(topic: str, partitions: int = PARTITIONS) -> int:
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": BROKER, "group.id": "bench-count"})
    total = 0
    for p in range(partitions):
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        total += high - low
    consumer.close()
    return total


def parquet_input(rows: int, tmp: Path) -> Path:
    """The produce scenarios' input: the rows in one parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp / "input" / "rows.parquet"
    path.parent.mkdir(parents=True)
    schema = arrow_schema()
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, 100_000):
            batch = [message(i) for i in range(start, min(rows, start + 100_000))]
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return path.parent


def broker_cpu() -> float:
    """CPU seconds the broker process has used so far (0 when it cannot be read)."""
    try:
        pid = int(PIDFILE.read_text().strip())
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


# --- children ---------------------------------------------------------------------------
def done(rows: int, started: float, nbytes: int) -> None:
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started, "bytes": nbytes}))


def end_offsets(consumer: Any, topic: str) -> dict[int, int]:
    from confluent_kafka import TopicPartition

    return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in range(PARTITIONS)}


def child_batch(topic: str, out: Path) -> None:
    """Baseline (a): consume in batches, join the values, pyarrow.json → parquet."""
    import pyarrow as pa
    import pyarrow.json as pj
    import pyarrow.parquet as pq
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    started = time.perf_counter()
    schema = arrow_schema()
    consumer = Consumer({"bootstrap.servers": BROKER, "group.id": "bench-a", "enable.auto.commit": False})
    ends = end_offsets(consumer, topic)
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
    out.mkdir(parents=True, exist_ok=True)
    writer = pq.ParquetWriter(out / "part.parquet", schema)
    rows = nbytes = 0
    total = sum(ends.values())  # the topic was made for the benchmark: offsets start at 0
    options = pj.ParseOptions(explicit_schema=schema)
    while rows < total:
        messages = consumer.consume(20000, timeout=1.0)
        if not messages:
            continue
        values: list[bytes] = [m.value() or b"" for m in messages]
        data = b"\n".join(values)
        nbytes += len(data) - len(values) + 1
        table = pj.read_json(pa.BufferReader(data), parse_options=options)
        writer.write_table(table)
        rows += table.num_rows
    writer.close()
    consumer.close()
    done(rows, started, nbytes)


def child_poll(topic: str, out: Path) -> None:
    """Baseline (b): poll() one message at a time, json.loads, rows → parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    started = time.perf_counter()
    schema = arrow_schema()
    consumer = Consumer({"bootstrap.servers": BROKER, "group.id": "bench-b", "enable.auto.commit": False})
    ends = end_offsets(consumer, topic)
    total = sum(ends.values())
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
    out.mkdir(parents=True, exist_ok=True)
    writer = pq.ParquetWriter(out / "part.parquet", schema)
    rows = nbytes = 0
    pending: list[dict[str, Any]] = []
    while rows + len(pending) < total:
        m = consumer.poll(1.0)
        if m is None or m.error():
            continue
        value = m.value() or b""
        nbytes += len(value)
        pending.append(json.loads(value))
        if len(pending) >= 20000:
            writer.write_table(pa.Table.from_pylist(pending, schema=schema))
            rows += len(pending)
            pending = []
    if pending:
        writer.write_table(pa.Table.from_pylist(pending, schema=schema))
        rows += len(pending)
    writer.close()
    consumer.close()
    done(rows, started, nbytes)


def child_engine_consume(topic: str, out: Path, parallelism: int) -> None:
    """seatunnel-py: Kafka source → LocalFile parquet."""
    from seatunnel_py import run_job

    started = time.perf_counter()
    fields = ", ".join(f"{k} = {v}" for k, v in SCHEMA_FIELDS.items())
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp) / "job.conf"
        job.write_text(f"""
env {{ job.mode = BATCH, parallelism = {parallelism}, state.store = "{tmp}/state" }}
source {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{topic}", start_mode = earliest,
                  schema = {{ fields {{ {fields} }} }} }} }}
sink {{ LocalFile {{ path = "{out}", file_format_type = parquet }} }}
""")
        result = run_job(job)
    done(result.metrics.written_rows, started, 0)


def child_engine_skew(topic: str, out: Path, rows: int, mode: str) -> None:
    """seatunnel-py: Kafka → LocalFile parquet at parallelism 1; STREAMING is stopped once the sink took ``rows``."""
    import signal
    import threading

    from seatunnel_py import run_job
    from seatunnel_py.engine.metrics import JobMetrics

    started = time.perf_counter()
    fields = ", ".join(f"{k} = {v}" for k, v in SCHEMA_FIELDS.items())
    metrics = JobMetrics()
    finished: list[float] = []

    def watch() -> None:  # the time is taken when the last message reached the sink, before the stop
        while metrics.written_rows < rows:
            time.sleep(0.005)
        finished.append(time.perf_counter())
        if mode == "STREAMING":
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp) / "job.conf"
        job.write_text(f"""
env {{ job.mode = {mode}, parallelism = 1, checkpoint.interval = 10000, state.store = "{tmp}/state" }}
source {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{topic}", start_mode = earliest,
                  schema = {{ fields {{ {fields} }} }} }} }}
sink {{ LocalFile {{ path = "{out}", file_format_type = parquet }} }}
""")
        run_job(job, metrics=metrics, handle_signals=True)
    if not finished:
        raise SystemExit(f"the job ended after {metrics.written_rows} of {rows} rows")
    print(json.dumps({"rows": rows, "seconds": finished[0] - started, "bytes": 0}))


def child_produce_plain(source: Path, topic: str) -> None:
    """Baseline: read parquet, json.dumps per row, produce per message, one flush."""
    import pyarrow.parquet as pq
    from confluent_kafka import Producer

    started = time.perf_counter()
    producer = Producer({"bootstrap.servers": BROKER, "linger.ms": 20, "batch.size": 1_000_000})
    rows = nbytes = 0
    for path in sorted(source.glob("*.parquet")):
        for batch in pq.ParquetFile(path).iter_batches(batch_size=65536):
            for row in batch.to_pylist():
                value = json.dumps(row, separators=(",", ":"))
                nbytes += len(value)
                while True:
                    try:
                        producer.produce(topic, value)
                        break
                    except BufferError:
                        producer.poll(0.05)
                rows += 1
            producer.poll(0)
    producer.flush(120)
    done(rows, started, nbytes)


def child_engine_produce(source: Path, topic: str, semantics: str) -> None:
    """seatunnel-py: LocalFile parquet → Kafka JSON."""
    from seatunnel_py import run_job

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp) / "job.conf"
        job.write_text(f"""
env {{ job.mode = BATCH, parallelism = 1, state.store = "{tmp}/state" }}
source {{ LocalFile {{ path = "{source}", file_format_type = parquet, batch_size = 65536 }} }}
sink {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{topic}", semantics = {semantics} }} }}
""")
        result = run_job(job)
    done(result.metrics.written_rows, started, 0)


# --- the table --------------------------------------------------------------------------
def run_measured(label: str, args: list[str]) -> tuple[Measurement, float]:
    before = broker_cpu()
    m = measure(label, [str(Path(__file__).resolve()), *args])
    return m, broker_cpu() - before


def fresh_topic(prefix: str) -> str:
    from confluent_kafka.admin import AdminClient, NewTopic

    name = f"{prefix}_{int(time.time() * 1000)}"
    admin = AdminClient({"bootstrap.servers": BROKER})
    for f in admin.create_topics([NewTopic(name, PARTITIONS, 1)]).values():
        f.result()
    return name


def drop_topic(name: str) -> None:
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": BROKER})
    for f in admin.delete_topics([name]).values():
        f.result()


def print_rows(scenario: str, runs: list[tuple[Measurement, float]]) -> None:
    """One line per run; MB/s counts the message values (measured by the baseline: the same messages)."""
    base = runs[0][0].rows_per_second
    value_bytes = runs[0][0].out_bytes
    for m, broker in runs:
        million = m.rows / 1e6 if m.rows else 1
        ratio = m.rows_per_second / base if base else 0.0
        mbs = value_bytes / m.seconds / 1e6 if m.seconds else 0.0
        print(f"{scenario:<8} {m.rows:>9,}  {m.label:<36} {m.rows_per_second:>10,.0f} {mbs:>7.1f} "
              f"{m.cpu_seconds / million:>9.2f} {broker / million:>9.2f} {m.peak_mb:>8.0f} {ratio:>6.2f}x",
              flush=True)


def main() -> None:
    """Parse arguments, prepare the inputs, run every scenario beside its baseline, print."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="messages (default 1,000,000)")
    parser.add_argument("--scenario", default="consume,produce,skew", help="any of consume, produce, skew")
    parser.add_argument("--repeat", type=int, default=1, help="skew: rounds (the median ratio is printed)")
    args = parser.parse_args()
    header = (f"{'scenario':<8} {'messages':>9}  {'run':<36} {'msg/s':>10} {'MB/s':>7} {'CPU s/M':>9} "
              f"{'broker/M':>9} {'peak MB':>8} {'ratio':>7}")
    print(header)
    print("-" * len(header))
    runs: list[tuple[Measurement, float]]
    with tempfile.TemporaryDirectory(prefix="stpy-kafka-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if "consume" in args.scenario:
            topic = topic_for(args.rows)
            runs = []
            for label, child in (("(a) batch consume + pyarrow.json", ["batch"]),
                                 ("(b) poll() + json.loads", ["poll"]),
                                 ("seatunnel-py, parallelism 1", ["engine", "1"]),
                                 ("seatunnel-py, parallelism 2", ["engine", "2"])):
                out = tmp / f"out-{len(runs)}"
                runs.append(run_measured(label, ["child-" + child[0], topic, str(out), *child[1:]]))
                shutil.rmtree(out, ignore_errors=True)
            print_rows("consume", runs)
            engine_best = max(m.rows_per_second for m, _ in runs[2:])
            print(f"# engine vs (a): {engine_best / runs[0][0].rows_per_second:.2f}x, "
                  f"vs (b): {engine_best / runs[1][0].rows_per_second:.2f}x")
        if "produce" in args.scenario:
            source = parquet_input(args.rows, tmp)
            runs = []
            for label, child in (("plain batched producer", ["produce-plain"]),
                                 ("seatunnel-py, NON", ["produce-engine", "NON"]),
                                 ("seatunnel-py, EXACTLY_ONCE", ["produce-engine", "EXACTLY_ONCE"])):
                topic = fresh_topic("bench_produce")
                try:
                    runs.append(run_measured(label, ["child-" + child[0], str(source), topic, *child[1:]]))
                finally:
                    drop_topic(topic)
            print_rows("produce", runs)
        if "skew" in args.scenario:
            skew(args.rows, args.repeat, tmp)


def skew(rows: int, repeat: int, tmp: Path) -> None:
    """The skew scenario: each mode's single-partition run beside the hot-and-idle run, ``repeat`` rounds."""
    single, skewed = skew_topic(rows, 1), skew_topic(rows, 12)
    nbytes = sum(len(json.dumps(message(i), separators=(",", ":"))) for i in range(rows))
    for mode in ("STREAMING", "BATCH"):
        ratios = []
        for _ in range(repeat):
            runs: list[tuple[Measurement, float]] = []
            for label, topic in ((f"{mode.lower()}, 1 partition", single),
                                 (f"{mode.lower()}, 1 hot + 11 idle", skewed)):
                out = tmp / f"skew-{len(runs)}"
                m, broker = run_measured(label, ["child-engine-skew", topic, str(out), str(rows), mode])
                runs.append((dataclasses.replace(m, out_bytes=nbytes), broker))
                shutil.rmtree(out, ignore_errors=True)
            print_rows("skew", runs)
            ratios.append(runs[1][0].rows_per_second / runs[0][0].rows_per_second)
        print(f"# {mode}: hot partition beside 11 idle ones / single partition: "
              f"{', '.join(f'{r:.2f}x' for r in ratios)}" + (f" (median {statistics.median(ratios):.2f}x)"
                                                              if repeat > 1 else ""), flush=True)


def child_main(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "child-batch":
        child_batch(argv[1], Path(argv[2]))
    elif kind == "child-poll":
        child_poll(argv[1], Path(argv[2]))
    elif kind == "child-engine":
        child_engine_consume(argv[1], Path(argv[2]), int(argv[3]))
    elif kind == "child-engine-skew":
        child_engine_skew(argv[1], Path(argv[2]), int(argv[3]), argv[4])
    elif kind == "child-produce-plain":
        child_produce_plain(Path(argv[1]), argv[2])
    elif kind == "child-produce-engine":
        child_engine_produce(Path(argv[1]), argv[2], argv[3])
    else:
        raise SystemExit(f"unknown child {kind}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("child-"):
        child_main(sys.argv[1:])
    else:
        main()
