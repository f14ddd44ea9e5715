"""The checkpoint coordinator: barriers out, reports in, persist, then commit.

Order of one checkpoint (``../DESIGN.md`` §5, SeaTunnel's §4.2):

1. ``trigger``: every pipeline task gets a barrier request; its reader answers at the
   next batch boundary with the state of its splits, and its writers, when the barrier
   reaches them, ``prepare_commit`` and ``snapshot``.
2. ``collect``: when every task has reported, each sink's ``before_commit`` may veto,
   then the checkpoint (split states, writer states, commit infos) is saved to the state
   store in one atomic write.
3. Only then each committer commits the infos, and each source hears
   ``notify_checkpoint_complete`` (Kafka commits its consumer-group offsets there).

One checkpoint is in flight at a time. A checkpoint that does not complete within
``checkpoint.timeout`` fails the job; the next run resumes from the last saved one.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import time
from dataclasses import dataclass, field
from typing import Any

from ..api.errors import SeaTunnelError
from ..api.sink import CommitInfo, Committer, Sink
from ..api.source import Source, State
from . import activity
from .plan import Node
from .state import Checkpoint, StateStore
from .task import PipelineTask, PluginFailure, TaskReport, guarded

log = logging.getLogger(__name__)


class CheckpointExpired(SeaTunnelError):
    """A checkpoint took longer than ``checkpoint.timeout``."""


@dataclass
class _InFlight:
    checkpoint_id: int
    final: bool
    started: float
    waiting: set[int]
    splits: dict[str, dict[str, State]] = field(default_factory=dict)
    writers: dict[str, dict[str, Any]] = field(default_factory=dict)
    infos: dict[str, list[CommitInfo]] = field(default_factory=dict)


@dataclass
class CheckpointCoordinator:
    """Drives the checkpoints of one run and keeps the job's cumulative state."""

    job_key: str
    run_id: str
    store: StateStore | None
    next_id: int
    sources: dict[str, Node]
    """State key (``source[0]``) → node."""
    sinks: dict[str, Node]
    """State key (``sink[0]``) → node."""
    plugins: dict[str, str]
    """State key → plugin name, recorded so a changed job is recognised on restore."""
    committers: dict[str, Committer | None]
    split_states: dict[str, dict[str, State]]
    """Source key → split id → state: restored ones, updated by every checkpoint."""
    timeout: float
    reports: queue.Queue[TaskReport] = field(default_factory=queue.Queue)
    in_flight: _InFlight | None = None
    completed: int = 0
    """Checkpoints of this run saved, committed and acknowledged to the sources."""
    last_id: int | None = None
    final_done: bool = False
    created: float = field(default_factory=time.monotonic)
    """When the run started (``time.monotonic``): a first checkpoint is due one interval after it."""
    last_completed: float | None = None
    """``time.monotonic()`` when the last checkpoint of this run completed."""
    last_completed_at: float | None = None
    """Wall-clock time (epoch seconds) when the last checkpoint of this run was saved."""
    last_duration: float | None = None
    """Seconds from the last completed checkpoint's trigger to its commits done."""
    last_size: int | None = None
    """Bytes of the last saved checkpoint, as the state store reports them."""
    duration_total: float = 0.0
    """Seconds spent in the checkpoints completed by this run, added up."""

    def trigger(self, tasks: list[PipelineTask], final: bool) -> int:
        """Send barrier requests to every task; returns the checkpoint id."""
        checkpoint_id = self.next_id
        self.next_id += 1
        self.in_flight = _InFlight(checkpoint_id, final, time.monotonic(), {id(t) for t in tasks})
        activity.run_context["checkpoint"] = checkpoint_id
        for task in tasks:
            task.request_barrier(checkpoint_id, final)
        log.debug("checkpoint %d triggered (final=%s)", checkpoint_id, final)
        return checkpoint_id

    def collect(self, tasks: list[PipelineTask], wait: float) -> bool:
        """Take in reports for up to ``wait`` seconds; complete the checkpoint when all came.

        True when a checkpoint completed. Raises ``CheckpointExpired`` after the timeout.
        """
        flight = self.in_flight
        if flight is None:
            return False
        try:
            report = self.reports.get(timeout=wait)
        except queue.Empty:
            report = None
        while report is not None:
            self._merge(flight, report)
            try:
                report = self.reports.get_nowait()
            except queue.Empty:
                report = None
        if flight.waiting:
            elapsed = time.monotonic() - flight.started
            if elapsed > self.timeout:
                raise CheckpointExpired(
                    f"checkpoint {flight.checkpoint_id} expired before completing: {len(flight.waiting)} of "
                    f"{len(tasks)} tasks did not reach it within {self.timeout * 1000:.0f} ms; "
                    "increase env.checkpoint.timeout or look for a blocked source or sink")
            return False
        self._complete(flight, tasks)
        return True

    def _merge(self, flight: _InFlight, report: TaskReport) -> None:
        if report.checkpoint_id != flight.checkpoint_id:
            return
        flight.waiting.discard(id(report.task))
        source_key = next(k for k, n in self.sources.items() if n is report.task.source)
        flight.splits.setdefault(source_key, {}).update(report.split_states)
        for key, states in report.writer_states.items():
            flight.writers.setdefault(key, {}).update(states)
        for key, infos in report.infos.items():
            flight.infos.setdefault(key, []).extend(infos)

    def _complete(self, flight: _InFlight, tasks: list[PipelineTask]) -> None:
        for node in self.sinks.values():
            sink: Sink = node.plugin  # type: ignore[assignment]
            guarded(node.label, sink.before_commit, flight.checkpoint_id, flight.final)
        for key, states in flight.splits.items():
            self.split_states.setdefault(key, {}).update(states)
        for key, node in self.sources.items():
            if key in self.split_states:
                source: Source = node.plugin  # type: ignore[assignment]
                self.split_states[key] = guarded(node.label, source.compact_states, self.split_states[key])
        checkpoint = Checkpoint(
            job_name=self.job_key,
            checkpoint_id=flight.checkpoint_id,
            run_id=self.run_id,
            finished=flight.final,
            plugins=self.plugins,
            splits=self.split_states,
            writers=flight.writers,
            pending=flight.infos,
        )
        if self.store is not None:
            try:
                self.last_size = self.store.save(checkpoint)
            except Exception as exc:
                raise PluginFailure(f"state store {self.store.url}", exc) from exc
        saved_at = time.time()
        for task in tasks:  # persisted: no longer to be aborted on failure
            task.prepared.clear()
        self.in_flight = None
        activity.run_context["checkpoint"] = None
        self.last_id = flight.checkpoint_id
        self.final_done = flight.final
        log.debug("checkpoint %d saved", flight.checkpoint_id)
        self.commit(flight.infos)
        self._mark_committed(checkpoint)
        for key, node in self.sources.items():
            source = node.plugin  # type: ignore[assignment]
            guarded(node.label, source.notify_checkpoint_complete, flight.checkpoint_id,
                    dict(self.split_states.get(key, {})))
        self.last_completed = time.monotonic()
        self.last_completed_at = saved_at
        self.last_duration = self.last_completed - flight.started
        self.duration_total += self.last_duration
        self.completed += 1  # last, so that whoever sees the count also sees the figures above

    def _mark_committed(self, checkpoint: Checkpoint) -> None:
        """Record that the checkpoint's commits are done, so that no later run commits them again.

        A commit is idempotent, but only while its output stays where it was put: a
        landing folder whose files a consumer moves away would make every later run fail
        on re-committing them. Failing to record it is only logged: the next run then
        commits again, idempotently, as it did before.
        """
        if self.store is None or not any(checkpoint.pending.values()):
            return
        try:
            self.store.save(dataclasses.replace(checkpoint, committed=True))
        except Exception:
            log.warning("checkpoint %d: recording that its commits are done failed; the next run commits "
                        "them again", checkpoint.checkpoint_id, exc_info=True)

    def commit(self, infos: dict[str, list[CommitInfo]]) -> None:
        """Hand each sink's infos to its committer (idempotent by contract)."""
        for key, node in self.sinks.items():
            committer = self.committers.get(key)
            mine = infos.get(key) or []
            if committer is not None and mine:
                guarded(node.label, committer.commit, mine)
