"""Helpers and fixtures of the Kafka tests: the real broker started by integration/services/kafka.sh.

The broker must be running (``bash integration/services.sh start``); the session fixture
starts it through the same script when it does not answer, and fails with that hint if
it cannot. ``kcat`` is the independent client the tests check with.
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from seatunnel_py.testing import run_cli, wait_for

ROOT = Path(__file__).resolve().parents[3]
SERVICE = ROOT / "integration" / "services" / "kafka.sh"
BROKER = "127.0.0.1:9092"
HINT = "start the test services first: bash integration/services.sh start"


def broker_answers() -> bool:
    """True when a metadata request to the broker succeeds."""
    return subprocess.run(["kcat", "-b", BROKER, "-L", "-m", "3"], capture_output=True, check=False).returncode == 0


def service(command: str) -> None:
    """Run ``integration/services/kafka.sh start|stop``."""
    subprocess.run(["bash", str(SERVICE), command], check=True, capture_output=True, timeout=180)


@pytest.fixture(scope="session")
def broker() -> str:
    """The bootstrap servers of the running test broker."""
    if not broker_answers():
        try:
            service("start")
        except (subprocess.CalledProcessError, FileNotFoundError) as exc:
            pytest.fail(f"the Kafka broker is not running and could not be started ({exc}); {HINT}")
    return BROKER


_ADMIN: list[Any] = []


def admin() -> Any:
    """The AdminClient of the test broker (one, kept alive: its futures need it)."""
    from confluent_kafka.admin import AdminClient

    if not _ADMIN:
        _ADMIN.append(AdminClient({"bootstrap.servers": BROKER}))
    return _ADMIN[0]


@pytest.fixture
def new_topic(broker: str) -> Iterator[Callable[..., str]]:
    """Create topics with a unique name (``partitions`` given); they are deleted after the test."""
    from confluent_kafka.admin import NewTopic

    made: list[str] = []

    def create(partitions: int = 1, prefix: str = "t") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        for future in admin().create_topics([NewTopic(name, partitions, 1)]).values():
            future.result()
        made.append(name)
        wait_for(lambda: len(_partitions(name)) == partitions, 10, f"topic {name}")
        return name

    yield create
    if made and broker_answers():
        for future in admin().delete_topics(made).values():
            with contextlib.suppress(Exception):  # deleting is a courtesy; the next test uses new names
                future.result()


def _partitions(topic: str) -> list[int]:
    found = admin().list_topics(topic, timeout=5).topics.get(topic)
    return [] if found is None or found.error is not None else list(found.partitions)


def produce(topic: str, values: Sequence[bytes | str | None], partition: int | None = None,
            keys: Sequence[Any] | None = None, timestamps: Sequence[int] | None = None,
            headers: Sequence[Any] | None = None) -> None:
    """Write ``values`` to ``topic`` (one partition, or by key / round robin) and wait for delivery."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": BROKER, "linger.ms": 5, "partitioner": "murmur2_random",
                         "logger": logging.getLogger("kafka-test-producer")})
    for i, value in enumerate(values):
        kwargs: dict[str, Any] = {}
        if partition is not None:
            kwargs["partition"] = partition
        if keys is not None:
            kwargs["key"] = keys[i]
        if timestamps is not None:
            kwargs["timestamp"] = timestamps[i]
        if headers is not None and headers[i] is not None:
            kwargs["headers"] = headers[i]
        while True:
            try:
                producer.produce(topic, value, **kwargs)
                break
            except BufferError:
                producer.poll(0.05)
    assert producer.flush(30) == 0


def produce_json(topic: str, rows: Sequence[dict[str, Any]], partition: int | None = None) -> None:
    """Write one JSON message per row."""
    produce(topic, [json.dumps(r) for r in rows], partition=partition)


def kcat_read(topic: str, fmt: str = "%s\\n", read_committed: bool = False, extra: Sequence[str] = ()) -> list[str]:
    """Every message of ``topic`` as kcat prints it with ``-f fmt`` (one line per message)."""
    args = ["kcat", "-b", BROKER, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", fmt, *extra]
    args += ["-X", f"isolation.level={'read_committed' if read_committed else 'read_uncommitted'}"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.split("\n") if line]


def run_job(job: Path, *args: str, state: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``seatunnel-py run JOB`` in a subprocess (state under ``state`` when given)."""
    env = {"SEATUNNEL_PY_STATE_STORE": str(state)} if state is not None else None
    return run_cli("run", "--no-progress", job, *args, env=env, timeout=timeout)


DIE_AFTER_PREPARE = """
import json, os, signal
import pyarrow as pa
from seatunnel_py.api import PluginContext
from seatunnel_py_kafka.sink import KafkaSink
opts = KafkaSink.options_model.model_validate({{"bootstrap.servers": "{broker}", "topic": "{topic}",
                                               "semantics": "EXACTLY_ONCE", "transaction_prefix": "{prefix}"}})
sink = KafkaSink(opts, PluginContext(job_name="dies"))
writer = sink.create_writer(0, pa.schema([("id", pa.int64())]))
writer.write(pa.RecordBatch.from_pydict({{"id": list(range(100))}}))
print(json.dumps(writer.prepare_commit(1)), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
"""A script (``.format(broker=…, topic=…, prefix=…)``): an EXACTLY_ONCE writer prepares one transaction of
100 rows, prints its commit info as JSON, and dies by SIGKILL before anything commits it."""
