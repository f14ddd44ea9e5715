"""A pipeline task: a reader thread and a writing thread joined by a bounded queue.

The reader thread reads splits and puts batches in the task's queue; the writing thread
runs every batch through the task's own transform instances into its sink writers. The
queue bounds memory to ``queue_depth`` batches per task whatever the input size, and
lets reading overlap writing (Arrow releases the GIL in its C++ code). A task whose
source feeds transforms has a third thread between the two, joined to the writing
thread by a second bounded queue, so that transforming overlaps writing too: the
transforms run in that thread, the writers in the writing thread, each plugin instance
always in the same thread.

Checkpoint barriers travel through the same queue, in band: the coordinator asks for a
barrier, the reader answers between two batches with the state of its splits, and the
processor, when the barrier reaches it, has its writers ``prepare_commit`` and
``snapshot``, then reports to the coordinator. Rows before the barrier belong to the
checkpoint, rows after it to the next one.

BATCH: a task takes the next split from the source's shared queue when its current one
ends. STREAMING: splits are dealt to the tasks (``assign``) and a task interleaves the
reads of all its splits. When its input ends (no split left, or a stop was requested)
the reader keeps answering barriers until the coordinator's final one.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ..api.context import PluginContext
from ..api.sink import CommitInfo, Sink, SinkWriter
from ..api.source import Source, Split, SplitReader, State
from ..api.transform import Transform
from ..registry import PluginKind
from .metrics import JobMetrics
from .plan import Node
from .ratelimit import RateLimiter

log = logging.getLogger(__name__)
_END = object()
_STOP = object()
IDLE_WAIT = 0.05
"""Seconds a reader waits when none of its splits had data."""


class PluginFailure(Exception):
    """A plugin raised: which plugin, and the original exception."""

    def __init__(self, label: str, cause: BaseException) -> None:
        super().__init__(f"{label}: {cause}")
        self.label = label
        self.cause = cause


@dataclass
class JobControl:
    """What all tasks of a job share: the stop flags and the first failure.

    ``stop`` ends everything at once (failure or a second signal); ``drain`` asks the
    readers to end their input so that a final checkpoint can be taken.
    """

    stop: threading.Event = field(default_factory=threading.Event)
    drain: threading.Event = field(default_factory=threading.Event)
    failure: PluginFailure | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, failure: PluginFailure) -> None:
        """Record the first failure and ask every task to stop."""
        with self._lock:
            if self.failure is None:
                self.failure = failure
        self.stop.set()


def guarded(label: str, call: Callable[..., Any], *args: Any) -> Any:
    """Call a plugin, turning any exception into a ``PluginFailure`` naming it."""
    try:
        return call(*args)
    except PluginFailure:
        raise
    except Exception as exc:
        raise PluginFailure(label, exc) from exc


@dataclass(frozen=True)
class Barrier:
    """In-band marker: the split states after every batch that precedes it."""

    checkpoint_id: int
    final: bool
    split_states: dict[str, State]


@dataclass
class TaskReport:
    """What one task contributes to a checkpoint."""

    task: PipelineTask
    checkpoint_id: int
    split_states: dict[str, State]
    writer_states: dict[str, dict[str, Any]]
    """Sink key → writer index → writer state."""
    infos: dict[str, list[CommitInfo]]
    """Sink key → commit infos."""


@dataclass
class _Reading:
    split: Split
    reader: SplitReader
    batches: Iterator[pa.RecordBatch | None]


class PipelineTask:
    """One source task: reader → transforms → sink writers."""

    def __init__(
        self,
        *,
        index: int,
        source: Node,
        shared_splits: queue.Queue[Split] | None,
        restored_splits: dict[str, State],
        sinks: list[Node],
        sink_key: Callable[[Node], str],
        writer_for: Callable[[Node, Node, int], tuple[int, Any]],
        reports: queue.Queue[TaskReport],
        control: JobControl,
        metrics: JobMetrics,
        limiter: RateLimiter,
        queue_depth: int,
        context_for: Callable[[Node], PluginContext],
    ) -> None:
        self.index = index
        self.source = source
        self.shared_splits = shared_splits
        self.inbox: queue.Queue[Split] = queue.Queue()
        self.restored_splits = restored_splits
        self.sinks = sinks
        self.sink_key = sink_key
        self.writer_for = writer_for
        self.reports = reports
        self.control = control
        self.metrics = metrics
        self.limiter = limiter
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=queue_depth)
        self.context_for = context_for
        self.barrier_requests: queue.Queue[tuple[int, bool]] = queue.Queue()
        self.input_ended = threading.Event()
        self.assigned = 0
        self.transforms: dict[int, Transform] = {}
        self.writers: dict[int, SinkWriter] = {}
        self.writer_indexes: dict[int, int] = {}
        self.prepared: dict[str, list[CommitInfo]] = {}
        """Sink key → infos prepared and not yet persisted (aborted if the job fails)."""
        self.threads = [
            threading.Thread(target=self._run_reader, name=f"{source.label}-read-{index}", daemon=True),
            threading.Thread(target=self._run_processor, name=f"{source.label}-proc-{index}", daemon=True),
        ]
        self.outbox: queue.Queue[Any] | None = None
        """Transformed batches on their way to the writing thread (only with transforms)."""
        if any(node.spec.kind == PluginKind.TRANSFORM for node in source.downstream()):
            self.outbox = queue.Queue(maxsize=max(1, queue_depth // 2))
            self.threads.insert(1, threading.Thread(target=self._run_transformer,
                                                    name=f"{source.label}-transform-{index}", daemon=True))

    # --- control ----------------------------------------------------------------
    def start(self) -> None:
        """Start both threads."""
        for thread in self.threads:
            thread.start()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for both threads; True when they are done."""
        for thread in self.threads:
            thread.join(timeout)
        return not any(t.is_alive() for t in self.threads)

    def assign(self, split: Split) -> None:
        """STREAMING: give this task one more split to interleave."""
        self.assigned += 1
        self.inbox.put(split)

    def request_barrier(self, checkpoint_id: int, final: bool) -> None:
        """Ask the reader to put a barrier in the queue at its next batch boundary."""
        self.barrier_requests.put((checkpoint_id, final))

    def _put(self, item: Any, into: queue.Queue[Any] | None = None) -> bool:
        target = self.queue if into is None else into
        while not self.control.stop.is_set():
            try:
                target.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _get(self, source: queue.Queue[Any]) -> Any:
        """The next item of ``source``, or ``_STOP`` once the job is stopping."""
        while True:
            try:
                item = source.get(timeout=0.1)
            except queue.Empty:
                if self.control.stop.is_set():
                    return _STOP
                continue
            return _STOP if self.control.stop.is_set() else item

    # --- reader thread ----------------------------------------------------------
    def _run_reader(self) -> None:
        label = self.source.label
        reading: list[_Reading] = []
        finished: dict[str, State] = {}
        try:
            self._read_loop(reading, finished)
        except PluginFailure as failure:
            self.control.fail(failure)
        except Exception as exc:  # an engine bug: still stop cleanly
            self.control.fail(PluginFailure(f"{label} (engine)", exc))
        finally:
            for entry in reading:
                try:
                    entry.reader.close()
                except Exception:
                    log.debug("%s: closing a reader failed", label, exc_info=True)

    def _read_loop(self, reading: list[_Reading], finished: dict[str, State]) -> None:
        label = self.source.label
        while not self.control.stop.is_set():
            if self._serve_barriers(reading, finished, block=self.input_ended.is_set()):
                self._put(_END)
                return
            if self.input_ended.is_set():
                continue
            if self.control.drain.is_set():
                self._end_input(reading, finished)
                continue
            self._take_splits(reading)
            if not reading:
                if self.shared_splits is not None:  # BATCH: nothing left to read
                    self.input_ended.set()
                else:
                    self.control.stop.wait(IDLE_WAIT)
                continue
            had_data = False
            for entry in list(reading):  # one item from every split, in turn
                batch = guarded(label, next, entry.batches, _END)
                if batch is _END:
                    finished[entry.split.split_id] = guarded(label, entry.reader.snapshot)
                    guarded(label, entry.reader.close)
                    reading.remove(entry)
                    had_data = True
                    continue
                if batch is None or batch.num_rows == 0:
                    continue
                had_data = True
                for part in self.limiter.pace(batch):
                    self.metrics.on_read(label, part.num_rows, part.nbytes)
                    if not self._put(part):
                        return
            if not had_data:
                self.control.stop.wait(IDLE_WAIT)

    def _take_splits(self, reading: list[_Reading]) -> None:
        source: Source = self.source.plugin  # type: ignore[assignment]
        label = self.source.label
        fresh: list[Split] = []
        if self.shared_splits is not None:
            if not reading:
                with contextlib.suppress(queue.Empty):
                    fresh.append(self.shared_splits.get_nowait())
        else:
            while True:
                try:
                    fresh.append(self.inbox.get_nowait())
                except queue.Empty:
                    break
        for split in fresh:
            reader = guarded(label, source.create_reader, split, self.restored_splits.get(split.split_id))
            try:
                batches = guarded(label, reader.read)
            except PluginFailure:
                guarded(label, reader.close)
                raise
            reading.append(_Reading(split, reader, batches))

    def _end_input(self, reading: list[_Reading], finished: dict[str, State]) -> None:
        """A stop was requested: keep the position of every open split and close it."""
        label = self.source.label
        for entry in reading:
            finished[entry.split.split_id] = guarded(label, entry.reader.snapshot)
            guarded(label, entry.reader.close)
        reading.clear()
        self.input_ended.set()

    def _serve_barriers(self, reading: list[_Reading], finished: dict[str, State], block: bool) -> bool:
        """Answer pending barrier requests; True after the final barrier went out."""
        try:
            checkpoint_id, final = self.barrier_requests.get(timeout=0.1) if block \
                else self.barrier_requests.get_nowait()
        except queue.Empty:
            return False
        label = self.source.label
        states = dict(finished)
        for entry in reading:
            states[entry.split.split_id] = guarded(label, entry.reader.snapshot)
        finished.clear()
        if not self._put(Barrier(checkpoint_id, final, states)):
            return True
        return final

    # --- transforming thread (only when the source feeds transforms) --------------
    def _run_transformer(self) -> None:
        """Run batches through the transforms; pass the results, barriers and the end on."""
        assert self.outbox is not None
        try:
            self._open_transforms()
            while (item := self._get(self.queue)) is not _STOP:
                if item is _END or isinstance(item, Barrier):
                    if not self._put(item, self.outbox) or item is _END:
                        return
                    continue
                deliveries = self._transform(self.source, item, [])
                if deliveries and not self._put(deliveries, self.outbox):
                    return
        except PluginFailure as failure:
            self.control.fail(failure)
        except Exception as exc:
            self.control.fail(PluginFailure(f"{self.source.label} (engine)", exc))

    # --- writing thread ----------------------------------------------------------
    def _run_processor(self) -> None:
        """Write batches (transforming them first when there is no transforming thread)."""
        inbox = self.queue if self.outbox is None else self.outbox
        try:
            if self.outbox is None:
                self._open_transforms()
            self._open_writers()
            while (item := self._get(inbox)) is not _STOP:
                if item is _END:
                    self._close_writers()
                    return
                if isinstance(item, Barrier):
                    self._checkpoint(item)
                    continue
                deliveries = item if self.outbox is not None else self._transform(self.source, item, [])
                for sink, batch in deliveries:
                    guarded(sink.label, self.writers[id(sink)].write, batch)
                    self.metrics.on_write(sink.label, batch.num_rows)
        except PluginFailure as failure:
            self.control.fail(failure)
        except Exception as exc:
            self.control.fail(PluginFailure(f"{self.source.label} (engine)", exc))
        self._abort_writers()

    def _open_transforms(self) -> None:
        for node in self.source.downstream():
            if node.spec.kind == PluginKind.TRANSFORM:
                transform = guarded(node.label, node.spec.plugin.cls, node.spec.options, self.context_for(node))
                guarded(node.label, transform.bind, node.input_schema)
                self.transforms[id(node)] = transform

    def _open_writers(self) -> None:
        for node in self.source.downstream():
            if node.spec.kind == PluginKind.SINK:
                sink: Sink = node.plugin  # type: ignore[assignment]
                writer_index, state = self.writer_for(node, self.source, self.index)
                writer = guarded(node.label, sink.create_writer, writer_index, node.input_schema, state)
                self.writers[id(node)] = writer
                self.writer_indexes[id(node)] = writer_index

    def _transform(self, node: Node, batch: pa.RecordBatch,
                   deliveries: list[tuple[Node, pa.RecordBatch]]) -> list[tuple[Node, pa.RecordBatch]]:
        """Run ``batch`` down the transforms below ``node``; return what each sink is to write, in order."""
        for consumer in node.consumers:
            if consumer.spec.kind == PluginKind.TRANSFORM:
                out = guarded(consumer.label, self.transforms[id(consumer)].apply, batch)
                rows_out = 0 if out is None else out.num_rows
                self.metrics.on_transform(consumer.label, batch.num_rows, rows_out)
                if rows_out:
                    self._transform(consumer, out, deliveries)
            elif consumer.spec.kind == PluginKind.SINK:
                deliveries.append((consumer, batch))
        return deliveries

    def _checkpoint(self, barrier: Barrier) -> None:
        """The barrier reached the writers: prepare, snapshot, report."""
        writer_states: dict[str, dict[str, Any]] = {}
        infos: dict[str, list[CommitInfo]] = {}
        for node in self.sinks:
            writer = self.writers.get(id(node))
            if writer is None:
                continue
            key = self.sink_key(node)
            info = guarded(node.label, writer.prepare_commit, barrier.checkpoint_id)
            if info is not None:
                infos.setdefault(key, []).append(info)
                self.prepared.setdefault(key, []).append(info)
            state = guarded(node.label, writer.snapshot, barrier.checkpoint_id)
            if state is not None:
                writer_states.setdefault(key, {})[str(self.writer_indexes[id(node)])] = state
        self.reports.put(TaskReport(self, barrier.checkpoint_id, barrier.split_states, writer_states, infos))

    def _close_writers(self) -> None:
        for node in self.sinks:
            writer = self.writers.pop(id(node), None)
            if writer is not None:
                guarded(node.label, writer.close)

    def _abort_writers(self) -> None:
        for key, writer in list(self.writers.items()):
            try:
                writer.abort()
                writer.close()
            except Exception:  # the first failure is what the user needs to see
                log.debug("abort of a writer failed", exc_info=True)
            self.writers.pop(key, None)
