"""Scripted plugins for engine tests: a source that plays a script, sinks that record.

A script is a list of steps per split: an int ``n`` emits a batch of ``n`` rows with
consecutive ``id`` values, ``"FAIL"`` raises, ``"WAIT"`` yields no data once after 50 ms, and
``"ABORT"`` fails the job the first time it is reached and is passed over afterwards
(Bytewax's abort marker): a run restored from a checkpoint before it goes on. A reader's
state is the index of its next step, so the source resumes exactly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from seatunnel_py.api import (
    Capability,
    Committer,
    ConnectorError,
    PluginOptions,
    Sink,
    SinkWriter,
    Source,
    Split,
    SplitReader,
    option,
)

WAIT_SECONDS = 0.05
"""How long a ``WAIT`` step takes: a poll that finds no data."""
SCHEMA = pa.schema([pa.field("id", pa.int64()), pa.field("split", pa.string())])


class ScriptOptions(PluginOptions):
    """Options of ScriptedSource."""

    script: list[list[Any]] = option([[3]], "steps per split")


class ScriptedSource(Source[ScriptOptions]):
    """Plays its script; records how many batches it has produced."""

    name = "Scripted"
    options_model = ScriptOptions
    capabilities = frozenset({Capability.BOUNDED, Capability.UNBOUNDED, Capability.PARALLEL, Capability.RESUMABLE})
    produced: int = 0
    lock = threading.Lock()
    aborted: set[tuple[str, int]] = set()
    """(split id, step) of the ABORT markers that already fired."""
    notified: list[tuple[int, dict[str, Any]]] = []
    discoverable: list[Split] = []
    """Splits ``discover_splits`` hands out (once) in STREAMING mode."""

    def output_schema(self) -> pa.Schema:
        return SCHEMA

    def splits(self) -> list[Split]:
        return [Split(f"s{i}", {"steps": steps}) for i, steps in enumerate(self.options.script)]

    def create_reader(self, split: Split, state: dict[str, Any] | None = None) -> SplitReader:
        return _ScriptReader(self, split, state)

    def discover_splits(self) -> list[Split]:
        found, ScriptedSource.discoverable = ScriptedSource.discoverable, []
        return found

    def notify_checkpoint_complete(self, checkpoint_id: int, states: Any) -> None:
        ScriptedSource.notified.append((checkpoint_id, dict(states)))


class _ScriptReader(SplitReader):
    def __init__(self, source: ScriptedSource, split: Split, state: dict[str, Any] | None) -> None:
        self.source = source
        self.split = split
        self.step = int((state or {}).get("step", 0))
        self.next_id = int((state or {}).get("next_id", int(split.split_id[1:]) * 1_000_000))

    def snapshot(self) -> dict[str, Any]:
        return {"step": self.step, "next_id": self.next_id}

    def read(self) -> Iterator[pa.RecordBatch | None]:
        steps = self.split.payload["steps"]
        while self.step < len(steps):
            step = steps[self.step]
            if step == "FAIL":
                raise ConnectorError(f"scripted failure in {self.split.split_id}")
            marker = (self.split.split_id, self.step)
            self.step += 1
            if step == "ABORT":
                if marker not in ScriptedSource.aborted:
                    ScriptedSource.aborted.add(marker)
                    raise ConnectorError(f"scripted abort in {self.split.split_id}")
                continue
            if step == "WAIT":
                time.sleep(WAIT_SECONDS)  # like a poll that found nothing
                yield None
                continue
            ids = pa.array(range(self.next_id, self.next_id + int(step)), pa.int64())
            self.next_id += int(step)
            with ScriptedSource.lock:
                ScriptedSource.produced += 1
            yield pa.RecordBatch.from_arrays([ids, pa.array([self.split.split_id] * len(ids))], schema=SCHEMA)


class RecordOptions(PluginOptions):
    """Options of RecordingSink."""

    delay_ms: int = option(0, "sleep per batch")
    fail_on_commit: bool = option(False, "raise in commit")


class RecordingSink(Sink[RecordOptions]):
    """Keeps every batch and the protocol calls it saw, in class-level lists."""

    name = "Recording"
    options_model = RecordOptions
    capabilities = frozenset({Capability.EXACTLY_ONCE, Capability.MULTI_TABLE})
    events: list[str] = []
    batches: list[pa.RecordBatch] = []
    """Every batch that reached a ``prepare_commit``."""
    committed: list[dict[str, Any]] = []
    staged: dict[str, list[pa.RecordBatch]] = {}
    visible: list[pa.RecordBatch] = []
    """What committers made visible: each staged key once (commit is idempotent)."""
    visible_keys: set[str] = set()
    consumed = 0
    lock = threading.Lock()

    @classmethod
    def reset(cls) -> None:
        cls.events, cls.batches, cls.committed, cls.consumed = [], [], [], 0
        cls.staged, cls.visible, cls.visible_keys = {}, [], set()
        ScriptedSource.produced = 0
        ScriptedSource.aborted = set()
        ScriptedSource.notified = []
        ScriptedSource.discoverable = []

    def prepare(self, schema: pa.Schema) -> None:
        self.events.append("prepare")

    def create_writer(self, task_index: int, schema: pa.Schema, state: dict[str, Any] | None = None) -> SinkWriter:
        self.events.append(f"create_writer:{task_index}:{state}")
        return _RecordingWriter(self, task_index)

    def create_committer(self) -> Committer | None:
        return _RecordingCommitter(self)

    def before_commit(self, checkpoint_id: int, final: bool) -> None:
        self.events.append(f"before_commit:{checkpoint_id}:{final}")

    def finish(self, success: bool) -> None:
        self.events.append(f"finish:{success}")


class _RecordingWriter(SinkWriter):
    def __init__(self, sink: RecordingSink, index: int) -> None:
        self.sink = sink
        self.index = index
        self.pending: list[pa.RecordBatch] = []

    def write(self, batch: pa.RecordBatch) -> None:
        if self.sink.options.delay_ms:
            time.sleep(self.sink.options.delay_ms / 1000)
        with RecordingSink.lock:
            RecordingSink.consumed += 1
        self.pending.append(batch)

    def prepare_commit(self, checkpoint_id: int) -> dict[str, Any]:
        key = f"{self.sink.context.run_id}:{self.index}:{checkpoint_id}"
        with RecordingSink.lock:
            RecordingSink.batches.extend(self.pending)
            RecordingSink.staged[key] = self.pending
            RecordingSink.events.append(f"prepare_commit:{self.index}")
        rows = sum(b.num_rows for b in self.pending)
        self.pending = []
        return {"writer": self.index, "rows": rows, "key": key, "checkpoint": checkpoint_id}

    def snapshot(self, checkpoint_id: int) -> dict[str, Any]:
        return {"writer": self.index, "checkpoint": checkpoint_id}

    def abort(self) -> None:
        with RecordingSink.lock:
            RecordingSink.events.append(f"abort:{self.index}")


class _RecordingCommitter(Committer):
    def __init__(self, sink: RecordingSink) -> None:
        self.sink = sink

    def commit(self, infos: list[dict[str, Any]]) -> None:
        if self.sink.options.fail_on_commit:
            raise RuntimeError("commit refused")
        RecordingSink.committed.extend(infos)
        RecordingSink.events.append("commit")
        for info in infos:
            if info["key"] not in RecordingSink.visible_keys:
                RecordingSink.visible_keys.add(info["key"])
                RecordingSink.visible.extend(RecordingSink.staged[info["key"]])

    def abort(self, infos: list[dict[str, Any]]) -> None:
        RecordingSink.events.append("committer_abort")
