"""Scripted plugins for engine tests: a source that plays a script, sinks that record.

A script is a list of steps per split: an int ``n`` emits a batch of ``n`` rows with
consecutive ``id`` values, ``"FAIL"`` raises, ``"WAIT"`` yields no data once after 50 ms, and
``"ABORT"`` fails the job the first time it is reached and is passed over afterwards
(Bytewax's abort marker): a run restored from a checkpoint before it goes on; ``"BLOCK"``
sets ``ScriptedSource.blocked`` and hangs inside ``read()`` until the test sets
``ScriptedSource.release`` (a stuck reader). A reader's
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
from seatunnel_py.engine.state import Checkpoint
from seatunnel_py.engine.state.local import LocalStateStore

WAIT_SECONDS = 0.05
"""How long a ``WAIT`` step takes: a poll that finds no data."""
SCHEMA = pa.schema([pa.field("id", pa.int64()), pa.field("split", pa.string())])


class ScriptOptions(PluginOptions):
    """Options of ScriptedSource."""

    script: list[list[Any]] = option([[3]], "steps per split")
    id_type: str = option("int64", "Arrow type of the ids yielded (the declared type is always int64)")
    set_in_state: bool = option(False, "snapshot() returns a set (not JSON-serialisable)")
    reject_per_batch: int = option(0, "rows reported as rejected with every batch")


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
    blocked = threading.Event()
    release = threading.Event()

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
        if self.source.options.set_in_state:
            return {"step": self.step, "seen": {self.split.split_id}}
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
            if step == "BLOCK":
                ScriptedSource.blocked.set()
                ScriptedSource.release.wait()
                continue
            if step == "WAIT":
                time.sleep(WAIT_SECONDS)  # like a poll that found nothing
                yield None
                continue
            ids = pa.array(range(self.next_id, self.next_id + int(step)), self.source.options.id_type)
            self.next_id += int(step)
            with ScriptedSource.lock:
                ScriptedSource.produced += 1
            if self.source.options.reject_per_batch:
                self.source.context.counters.reject(self.source.options.reject_per_batch)
            yield pa.RecordBatch.from_arrays([ids, pa.array([self.split.split_id] * len(ids))], names=SCHEMA.names)


class RecordOptions(PluginOptions):
    """Options of RecordingSink."""

    delay_ms: int = option(0, "sleep per batch")
    fail_on_commit: bool = option(False, "raise in commit")
    fail_on_finish: bool = option(False, "raise in finish(True)")
    block_on_write: int = option(0, "hang inside write() from this batch on (1-based; 0: never)")
    info_not_json: bool = option(False, "prepare_commit() returns a bytes value")


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
    released_states: dict[int, Any] = {}
    finish_calls: list[tuple[bool, int | None]] = []
    """What ``release_writer_states`` received."""
    on_save: Any = None
    """A test's hook, called by ``HookedStore`` right after a checkpoint is saved."""

    @classmethod
    def reset(cls) -> None:
        cls.events, cls.batches, cls.committed, cls.consumed = [], [], [], 0
        cls.staged, cls.visible, cls.visible_keys = {}, [], set()
        cls.released_states, cls.on_save, cls.finish_calls = {}, None, []
        ScriptedSource.blocked = threading.Event()
        ScriptedSource.release.set()  # frees a reader a previous test left hanging
        ScriptedSource.release = threading.Event()
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

    def release_writer_states(self, states: dict[int, dict[str, Any]]) -> None:
        RecordingSink.released_states.update(states)

    def finish(self, success: bool, last_checkpoint_id: int | None = None) -> None:
        self.events.append(f"finish:{success}")
        RecordingSink.finish_calls.append((success, last_checkpoint_id))
        if success and self.options.fail_on_finish:
            raise RuntimeError("finish refused")


class _RecordingWriter(SinkWriter):
    def __init__(self, sink: RecordingSink, index: int) -> None:
        self.sink = sink
        self.index = index
        self.pending: list[pa.RecordBatch] = []
        self.written = 0

    def write(self, batch: pa.RecordBatch) -> None:
        self.written += 1
        if self.sink.options.block_on_write and self.written >= self.sink.options.block_on_write:
            ScriptedSource.blocked.set()
            ScriptedSource.release.wait()
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
        info: dict[str, Any] = {"writer": self.index, "rows": rows, "key": key, "checkpoint": checkpoint_id}
        if self.sink.options.info_not_json:
            info["raw"] = b"bytes"
        return info

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
                if info["key"] not in RecordingSink.staged:
                    raise RuntimeError(f"staged output {info['key']} is gone (aborted after its checkpoint was saved)")
                RecordingSink.visible_keys.add(info["key"])
                RecordingSink.visible.extend(RecordingSink.staged[info["key"]])

    def abort(self, infos: list[dict[str, Any]], last_checkpoint_id: int | None = None) -> None:
        """Drops the staged batches of ``infos`` (as LocalFile deletes staged files)."""
        RecordingSink.events.append(f"committer_abort:{sorted(i['checkpoint'] for i in infos)}")
        for info in infos:
            RecordingSink.staged.pop(info["key"], None)


class HookedStore(LocalStateStore):
    """A local state store that calls ``RecordingSink.on_save`` right after each save."""

    def save(self, checkpoint: Checkpoint) -> int:
        size = super().save(checkpoint)
        if RecordingSink.on_save is not None:
            RecordingSink.on_save(checkpoint)
        return size
