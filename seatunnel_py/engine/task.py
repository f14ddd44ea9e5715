"""A pipeline task: split readers, an emitter, an optional transforming thread, a writer.

The reading side (``reading.py``) reads every open split in a thread of its own and has
one emitter thread put batches and checkpoint barriers into the task's queue; the
writing thread runs every batch through the task's own transform instances into its sink
writers. The queue bounds memory to ``queue_depth`` batches per task whatever the input
size, and lets reading overlap writing (Arrow releases the GIL in its C++ code). A task
whose source feeds transforms has a third thread between the two, joined to the writing
thread by a second bounded queue, so that transforming overlaps writing too: the
transforms run in that thread, the writers in the writing thread, each plugin instance
always in the same thread.

Checkpoint barriers travel through the same queue, in band: the coordinator asks for a
barrier, the emitter answers at once with the state of every split after the last batch
it forwarded, and the writing thread, when the barrier reaches it, has its writers
``prepare_commit`` and ``snapshot``, then reports to the coordinator. Rows before the
barrier belong to the checkpoint, rows after it to the next one.

BATCH: a task takes the next split from the source's shared queue when its current one
ends. STREAMING: splits are dealt to the tasks (``assign``) and a task reads all its
splits at once, each in its thread. When its input ends (no split left, or a stop was
requested) the emitter keeps answering barriers until the coordinator's final one.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..api.context import PluginContext
from ..api.sink import CommitInfo, Sink, SinkWriter
from ..api.source import Split, State
from ..api.transform import Transform
from ..registry import PluginKind
from .contract import SchemaCheck, json_round_trip
from .guard import JobControl, PluginFailure, guarded
from .metrics import JobMetrics
from .plan import Node
from .ratelimit import RateLimiter
from .reading import Barrier, TaskReader

log = logging.getLogger(__name__)
_END = object()
_STOP = object()
__all__ = ["Barrier", "JobControl", "PipelineTask", "PluginFailure", "TaskReport", "guarded"]


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
        self.sinks = sinks
        self.sink_key = sink_key
        self.writer_for = writer_for
        self.reports = reports
        self.control = control
        self.metrics = metrics
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=queue_depth)
        self.context_for = context_for
        self.reader = TaskReader(source=source, index=index, shared_splits=shared_splits,
                                 restored_splits=restored_splits, control=control, metrics=metrics,
                                 limiter=limiter, emit=self._put, end=_END)
        self.input_ended = self.reader.input_ended
        self.assigned = 0
        self.transforms: dict[int, Transform] = {}
        self.schema_checks: dict[int, SchemaCheck] = {}
        self.writers: dict[int, SinkWriter] = {}
        self.writer_indexes: dict[int, int] = {}
        self.prepared: dict[str, list[CommitInfo]] = {}
        """Sink key → infos prepared and not yet persisted (aborted if the job fails)."""
        self.threads = [
            threading.Thread(target=self.reader.run, name=f"{source.label}-emit-{index}", daemon=True),
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

    def all_threads(self) -> list[threading.Thread]:
        """Every thread of the task, split readers included."""
        return [*self.threads, *self.reader.threads]

    def assign(self, split: Split) -> None:
        """STREAMING: give this task one more split to read."""
        self.assigned += 1
        self.reader.assign(split)

    def request_barrier(self, checkpoint_id: int, final: bool) -> None:
        """Ask for a barrier behind the batches the task has read so far."""
        self.reader.request_barrier(checkpoint_id, final)

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
                    guarded(sink.label, self.writers[id(sink)].write, batch, what="SinkWriter.write")
                    self.metrics.on_write(sink.label, batch.num_rows, batch.nbytes)
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
                self.schema_checks[id(node)] = SchemaCheck(node.output_schema)

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
                out = guarded(consumer.label, self.transforms[id(consumer)].apply, batch, what="Transform.apply")
                rows_out = 0 if out is None else out.num_rows
                self.metrics.on_transform(consumer.label, batch.num_rows, rows_out, batch.nbytes,
                                          0 if out is None else out.nbytes)
                if rows_out:
                    guarded(consumer.label, self.schema_checks[id(consumer)].check, out,
                            what="the batch schema check")
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
            info = guarded(node.label, writer.prepare_commit, barrier.checkpoint_id, what="SinkWriter.prepare_commit")
            if info is not None:
                info = guarded(node.label, json_round_trip, info, "the commit info SinkWriter.prepare_commit() "
                               "returned", what="SinkWriter.prepare_commit")
                infos.setdefault(key, []).append(info)
                self.prepared.setdefault(key, []).append(info)
            state = guarded(node.label, writer.snapshot, barrier.checkpoint_id, what="SinkWriter.snapshot")
            if state is not None:
                state = guarded(node.label, json_round_trip, state, "the state SinkWriter.snapshot() returned",
                                what="SinkWriter.snapshot")
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
