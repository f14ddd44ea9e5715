"""The reading side of a pipeline task: a thread per split, one thread that hands out.

Each open split is read by a thread of its own (``_SplitPump``): it builds the reader,
calls ``next()`` on ``read()`` and, right after every item, ``snapshot()``, and passes
``(batch, state after it)`` on. One more thread, the task's *emitter*, is the only one
that puts into the task's queue: it forwards batches in the order it takes them and
answers checkpoint barriers with, for every split, the state after the last batch it
forwarded. So a barrier is answered at once whatever a reader is doing (a slow query, an
idle Kafka partition, a reader stuck for good), its states always describe exactly the
batches ahead of it, and idle splits never slow a busy one down. Readers need not be
thread-safe: each reader is only ever called from its own thread.

Memory stays bounded: a split's thread asks for the next batch only once the emitter has
forwarded its previous one, so a task holds at most ``queue_depth`` batches in its queue,
one per open split on its way there, and one in the writer's hands.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ..api.source import Source, Split, State
from .contract import SchemaCheck, json_round_trip
from .failures import describe
from .guard import JobControl, PluginFailure, guarded
from .metrics import JobMetrics
from .plan import Node
from .ratelimit import RateLimiter
from .state import StateError

log = logging.getLogger(__name__)
_EXHAUSTED = object()
POLL = 0.1
"""Seconds a waiting thread sleeps between two looks at the stop flags."""
IDLE_WAIT = 0.05
"""Least seconds between two ``next()`` calls of a reader that has no data (``None``)."""


@dataclass(frozen=True)
class Barrier:
    """In-band marker: the split states after every batch that precedes it."""

    checkpoint_id: int
    final: bool
    split_states: dict[str, State]


@dataclass
class _SplitPump:
    """One split being read in a thread of its own."""

    split: Split
    restored: State | None
    state: State | None = None
    """The state after the last item the emitter took from this split."""
    stop: threading.Event = field(default_factory=threading.Event)
    credit: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(1))
    """Taken before ``next()``, given back once the emitter forwarded (or dropped) the batch."""
    thread: threading.Thread | None = None

    def known_state(self) -> State | None:
        """What resumes this split after the batches forwarded so far (``None``: from the start)."""
        return self.state if self.state is not None else self.restored


class TaskReader:
    """Reads the splits of one pipeline task and feeds ``emit`` with batches and barriers."""

    def __init__(self, *, source: Node, index: int, shared_splits: queue.Queue[Split] | None,
                 restored_splits: dict[str, State], control: JobControl, metrics: JobMetrics,
                 limiter: RateLimiter, emit: Callable[[Any], bool], end: object) -> None:
        self.source = source
        self.index = index
        self.shared_splits = shared_splits
        self.restored_splits = restored_splits
        self.control = control
        self.metrics = metrics
        self.limiter = limiter
        self.emit = emit
        self.end = end
        self.events: queue.Queue[tuple[Any, ...]] = queue.Queue()
        """Splits assigned, barrier requests, and what the pumps read, in arrival order."""
        self.input_ended = threading.Event()
        self.pumps: dict[str, _SplitPump] = {}
        self.finished: dict[str, State] = {}
        """States of splits that ended (or were closed by a stop) since the last barrier."""
        self.threads: list[threading.Thread] = []
        self.schema = SchemaCheck(source.output_schema)

    # --- called from other threads ------------------------------------------------
    def assign(self, split: Split) -> None:
        """STREAMING: read one more split, beside the others."""
        self.events.put(("split", split))

    def request_barrier(self, checkpoint_id: int, final: bool) -> None:
        """Put a barrier behind the batches forwarded so far, as soon as possible."""
        self.events.put(("barrier", checkpoint_id, final))

    # --- the emitter thread ---------------------------------------------------------
    def run(self) -> None:
        """The emitter: until the final barrier went out, or the job stops."""
        try:
            self._loop()
        except PluginFailure as failure:
            self.control.fail(failure)
        except Exception as exc:  # an engine bug: still stop cleanly
            self.control.fail(PluginFailure(f"{self.source.label} (engine)", exc))
        finally:
            for pump in self.pumps.values():
                pump.stop.set()

    def _loop(self) -> None:
        control = self.control
        while not control.stop.is_set():
            if not self.input_ended.is_set():
                if control.drain.is_set():
                    self._end_input()
                elif self.shared_splits is not None and not self.pumps:
                    self._next_shared_split()
            try:
                event = self.events.get(timeout=POLL)
            except queue.Empty:
                continue
            kind = event[0]
            if kind == "barrier":
                if self._barrier(event[1], event[2]):
                    return
            elif kind == "split":
                if not self.input_ended.is_set():
                    self._start(event[1])
            else:
                self._from_pump(kind, event[1], event[2], event[3] if kind == "batch" else None)

    def _next_shared_split(self) -> None:
        """BATCH: take the next split of the source's shared queue, or end the input."""
        assert self.shared_splits is not None
        try:
            split = self.shared_splits.get_nowait()
        except queue.Empty:
            self.input_ended.set()
            return
        self._start(split)

    def _start(self, split: Split) -> None:
        pump = _SplitPump(split, self.restored_splits.get(split.split_id))
        pump.thread = threading.Thread(target=self._pump, args=(pump,), daemon=True,
                                       name=f"{self.source.label}-read-{self.index}-{split.split_id}")
        self.pumps[split.split_id] = pump
        self.threads.append(pump.thread)
        pump.thread.start()

    def _from_pump(self, kind: str, pump: _SplitPump, state: State | None, batch: pa.RecordBatch | None) -> None:
        if self.pumps.get(pump.split.split_id) is not pump:
            if kind == "batch":
                pump.credit.release()
            return  # the split was closed by a stop request: what it read after that is dropped
        pump.state = state
        if kind == "end":
            del self.pumps[pump.split.split_id]
            if state is not None:
                self.finished[pump.split.split_id] = state
            return
        if batch is None:
            return
        try:
            guarded(self.source.label, self.schema.check, batch, what="the batch schema check")
            label = self.source.label
            for part in self.limiter.pace(batch):
                self.metrics.on_read(label, part.num_rows, part.nbytes)
                if not self.emit(part):
                    return
        finally:
            pump.credit.release()

    def _barrier(self, checkpoint_id: int, final: bool) -> bool:
        """Forward a barrier; True after the final one (the input has ended)."""
        label = self.source.label
        states: dict[str, State] = dict(self.finished)
        for split_id, pump in self.pumps.items():
            known = pump.known_state()
            if known is not None:
                states[split_id] = known
        self.finished.clear()
        states = {k: guarded(label, json_round_trip, v, f"the state SplitReader.snapshot() returned for split {k!r}",
                             what="SplitReader.snapshot") for k, v in states.items()}
        if not self.emit(Barrier(checkpoint_id, final, states)):
            return True
        if final:
            self.emit(self.end)
        return final

    def _end_input(self) -> None:
        """A stop was requested: keep where every open split stands, stop reading it."""
        for split_id, pump in self.pumps.items():
            pump.stop.set()
            known = pump.known_state()
            if known is not None:
                self.finished[split_id] = known
        self.pumps.clear()
        self.input_ended.set()

    # --- the pump threads -------------------------------------------------------------
    def _pump(self, pump: _SplitPump) -> None:
        """Read one split: ``next()``, ``snapshot()``, pass both on; close the reader at the end."""
        label = self.source.label
        reader = None
        ended = False
        try:
            reader = self._restored_reader(pump)
            batches = guarded(label, reader.read, what="SplitReader.read")
            last = guarded(label, reader.snapshot, what="SplitReader.snapshot")
            self.events.put(("state", pump, last))
            first = pump.restored is not None
            while self._credit(pump):
                started = time.monotonic()
                item = guarded(label, next, batches, _EXHAUSTED, what="SplitReader.read") if not first \
                    else self._first_item(pump, batches)
                first = False
                state = guarded(label, reader.snapshot, what="SplitReader.snapshot")
                if item is _EXHAUSTED:
                    ended = True
                    self.events.put(("end", pump, state))
                    break
                if item is None or item.num_rows == 0:
                    pump.credit.release()
                    if state != last:
                        self.events.put(("state", pump, state))
                        last = state
                    if item is None:  # no data: do not spin on a reader that returns at once
                        pump.stop.wait(max(0.0, IDLE_WAIT - (time.monotonic() - started)))
                    continue
                self.events.put(("batch", pump, state, item))
                last = state
        except PluginFailure as failure:
            self.control.fail(failure)
        except Exception as exc:
            self.control.fail(PluginFailure(f"{label} (engine)", exc))
        finally:
            if reader is not None:
                self._close(reader, label, ended)

    def _restored_reader(self, pump: _SplitPump) -> Any:
        """``create_reader`` for the split, blaming a saved state the source cannot use on that state."""
        source: Source = self.source.plugin  # type: ignore[assignment]
        try:
            return guarded(self.source.label, source.create_reader, pump.split, pump.restored,
                           what="Source.create_reader")
        except PluginFailure as failure:
            raise self._bad_state(pump, failure) from failure.cause

    def _first_item(self, pump: _SplitPump, batches: Any) -> Any:
        """The first ``next()`` of a restored split (where a reader may first use its state)."""
        try:
            return guarded(self.source.label, next, batches, _EXHAUSTED, what="SplitReader.read")
        except PluginFailure as failure:
            raise self._bad_state(pump, failure) from failure.cause

    def _bad_state(self, pump: _SplitPump, failure: PluginFailure) -> PluginFailure:
        """A ``ValueError``/``TypeError``/``KeyError`` from a restored split names the saved state."""
        if pump.restored is None or not isinstance(failure.cause, (ValueError, TypeError, KeyError)):
            return failure
        return PluginFailure(self.source.label, StateError(
            f"the saved state of split {pump.split.split_id!r} ({json.dumps(pump.restored, default=str)[:200]}) "
            f"cannot be used: {describe(failure.cause)}; run with --ignore-state to start over, or "
            "`seatunnel-py state reset` the job"))

    def _close(self, reader: Any, label: str, ended: bool) -> None:
        if ended:  # a split that ended normally must close cleanly
            try:
                guarded(label, reader.close, what="SplitReader.close")
            except PluginFailure as failure:
                self.control.fail(failure)
            return
        try:
            guarded(label, reader.close, what="SplitReader.close")
        except PluginFailure:
            log.debug("%s: closing a reader failed", label, exc_info=True)

    def _stopping(self, pump: _SplitPump) -> bool:
        return pump.stop.is_set() or self.control.stop.is_set()

    def _credit(self, pump: _SplitPump) -> bool:
        """Wait until the split's previous batch was forwarded; False when the split or the job stops first."""
        while not self._stopping(pump):
            if pump.credit.acquire(timeout=POLL):
                return True
        return False
