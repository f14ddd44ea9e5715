"""A pipeline task: a reader thread and a processing thread joined by a bounded queue.

The reader thread pulls splits from the source's shared split queue, reads them and puts
batches in the task's queue; the processing thread runs every batch through the task's
own transform instances into its sink writers. The queue bounds memory to
``queue_depth`` batches per task whatever the input size, and lets reading overlap
writing (Arrow releases the GIL in its C++ code). Later, checkpoint barriers travel
through the same queue, in band.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ..api.context import PluginContext
from ..api.sink import CommitInfo, Sink, SinkWriter
from ..api.source import Source, Split
from ..api.transform import Transform
from ..registry import PluginKind
from .metrics import JobMetrics
from .plan import Node
from .ratelimit import RateLimiter

log = logging.getLogger(__name__)
_END = object()
FINAL_CHECKPOINT = 1
"""Id of the checkpoint that ends a bounded job."""


class PluginFailure(Exception):
    """A plugin raised: which plugin, and the original exception."""

    def __init__(self, label: str, cause: BaseException) -> None:
        super().__init__(f"{label}: {cause}")
        self.label = label
        self.cause = cause


@dataclass
class JobControl:
    """What all tasks of a job share: the stop flag and the first failure."""

    stop: threading.Event = field(default_factory=threading.Event)
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


class PipelineTask:
    """One source task: reader → transforms → sink writers."""

    def __init__(
        self,
        *,
        index: int,
        source: Node,
        splits: queue.Queue[Split],
        sinks: list[Node],
        writer_index: Callable[[Node], int],
        control: JobControl,
        metrics: JobMetrics,
        limiter: RateLimiter,
        queue_depth: int,
        context_for: Callable[[Node], PluginContext],
    ) -> None:
        self.index = index
        self.source = source
        self.splits = splits
        self.sinks = sinks
        self.writer_index = writer_index
        self.control = control
        self.metrics = metrics
        self.limiter = limiter
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=queue_depth)
        self.context_for = context_for
        self.transforms: dict[int, Transform] = {}
        self.writers: dict[int, SinkWriter] = {}
        self.commit_infos: dict[int, list[CommitInfo]] = {}
        self.threads = [
            threading.Thread(target=self._run_reader, name=f"{source.label}-read-{index}", daemon=True),
            threading.Thread(target=self._run_processor, name=f"{source.label}-proc-{index}", daemon=True),
        ]

    # --- threads ----------------------------------------------------------------
    def start(self) -> None:
        """Start both threads."""
        for thread in self.threads:
            thread.start()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for both threads; True when they are done."""
        for thread in self.threads:
            thread.join(timeout)
        return not any(t.is_alive() for t in self.threads)

    def _put(self, item: Any) -> bool:
        while not self.control.stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run_reader(self) -> None:
        source: Source = self.source.plugin  # type: ignore[assignment]
        label = self.source.label
        try:
            while not self.control.stop.is_set():
                try:
                    split = self.splits.get_nowait()
                except queue.Empty:
                    break
                reader = guarded(label, source.create_reader, split, None)
                try:
                    batches = guarded(label, reader.read)
                    while not self.control.stop.is_set():
                        batch = guarded(label, next, batches, _END)
                        if batch is _END:
                            break
                        if batch is None or batch.num_rows == 0:
                            continue
                        for part in self.limiter.pace(batch):
                            self.metrics.on_read(label, part.num_rows, part.nbytes)
                            if not self._put(part):
                                return
                finally:
                    guarded(label, reader.close)
            self._put(_END)
        except PluginFailure as failure:
            self.control.fail(failure)
        except Exception as exc:  # an engine bug: still stop cleanly
            self.control.fail(PluginFailure(f"{label} (engine)", exc))

    def _run_processor(self) -> None:
        try:
            self._open_plugins()
            while True:
                try:
                    item = self.queue.get(timeout=0.1)
                except queue.Empty:
                    if self.control.stop.is_set():
                        break
                    continue
                if item is _END:
                    self._prepare_commit(checkpoint_id=FINAL_CHECKPOINT)
                    return
                if self.control.stop.is_set():
                    break
                self._route(self.source, item)
        except PluginFailure as failure:
            self.control.fail(failure)
        except Exception as exc:
            self.control.fail(PluginFailure(f"{self.source.label} (engine)", exc))
        self._abort_writers()

    # --- processing -------------------------------------------------------------
    def _open_plugins(self) -> None:
        for node in self.source.downstream():
            if node.spec.kind == PluginKind.TRANSFORM:
                transform = guarded(node.label, node.spec.plugin.cls, node.spec.options, self.context_for(node))
                guarded(node.label, transform.bind, node.input_schema)
                self.transforms[id(node)] = transform
            elif node.spec.kind == PluginKind.SINK:
                sink: Sink = node.plugin  # type: ignore[assignment]
                writer = guarded(node.label, sink.create_writer, self.writer_index(node), node.input_schema)
                self.writers[id(node)] = writer

    def _route(self, node: Node, batch: pa.RecordBatch) -> None:
        for consumer in node.consumers:
            kind = consumer.spec.kind
            if kind == PluginKind.TRANSFORM:
                transform = self.transforms[id(consumer)]
                out = guarded(consumer.label, transform.apply, batch)
                rows_out = 0 if out is None else out.num_rows
                self.metrics.on_transform(consumer.label, batch.num_rows, rows_out)
                if rows_out:
                    self._route(consumer, out)
            elif kind == PluginKind.SINK:
                writer = self.writers[id(consumer)]
                guarded(consumer.label, writer.write, batch)
                self.metrics.on_write(consumer.label, batch.num_rows)

    def _prepare_commit(self, checkpoint_id: int) -> None:
        for node in self.sinks:
            writer = self.writers.get(id(node))
            if writer is None:
                continue
            info = guarded(node.label, writer.prepare_commit, checkpoint_id)
            if info is not None:
                self.commit_infos.setdefault(id(node), []).append(info)
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
