"""Run a planned job in BATCH or STREAMING mode: pipeline tasks, checkpoints, result.

Start: every sink's committer is created; if the run resumes a saved checkpoint, its
commit infos are committed again (idempotently: the crash may have come before or
after they were); then sinks ``prepare``, sources ``open`` and list their splits, and
pipeline tasks start. While the job runs, the coordinator takes a checkpoint every
``checkpoint.interval`` (BATCH: only if set; STREAMING: 10 s unless set). When every
task's input has ended (BATCH: no split left; either mode: a stop was requested), a
final checkpoint commits the rest and the sinks ``finish``. If any plugin fails, every
task stops, writers abort, committers abort what was prepared but not saved, and the job
fails with one line naming the plugin; the saved state is that of the last completed
checkpoint, from which the next run resumes.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from ..api.context import PluginContext
from ..api.sink import CommitInfo, Committer, Sink
from ..api.source import Source, Split
from .activity import StuckThread, stuck_report
from .checkpoint import CheckpointCoordinator, CheckpointExpired
from .failures import JobFailed, stuck_failure
from .guard import call_accepting
from .metrics import JobMetrics
from .plan import Node, Plan
from .ratelimit import RateLimiter
from .restore import plugins_of, position_key
from .state import Checkpoint, StateStore
from .task import JobControl, PipelineTask, PluginFailure, guarded
from .writers import WriterIndexes

log = logging.getLogger(__name__)
QUEUE_DEPTH = 4
STREAMING_INTERVAL_MS = 10_000
"""Checkpoint interval of a STREAMING job without ``checkpoint.interval`` (SeaTunnel's shipped default)."""
DEFAULT_TIMEOUT_MS = 60_000
"""``checkpoint.timeout`` when unset (SeaTunnel's shipped default)."""
DISCOVERY_SECONDS = 5.0
"""STREAMING: how often sources are asked for new splits."""


@dataclass
class JobResult:
    """What a finished job reports."""

    job_name: str
    start_time: datetime
    end_time: datetime
    metrics: JobMetrics
    per_sink_rows: dict[str, int] = field(default_factory=dict)
    checkpoints: int = 0
    last_checkpoint_id: int | None = None
    restored_from: int | None = None
    stopped: bool = False
    """True when a stop was requested (signal) before the input ended."""

    @property
    def seconds(self) -> float:
        """Wall-clock duration."""
        return (self.end_time - self.start_time).total_seconds()


def state_key_of(node: Node) -> str:
    """The stable key of a plugin in saved state: its block and position, e.g. ``source[0]``."""
    return position_key(node.spec)


class JobRunner:
    """Runs one plan, in its mode, with checkpoints saved to ``store`` (none: kept in memory)."""

    def __init__(
        self,
        plan: Plan,
        metrics: JobMetrics | None = None,
        queue_depth: int = QUEUE_DEPTH,
        store: StateStore | None = None,
        state_key: str | None = None,
        restored: Checkpoint | None = None,
        first_checkpoint_id: int = 1,
    ) -> None:
        self.plan = plan
        self.metrics = metrics or JobMetrics()
        self.queue_depth = queue_depth
        self.control = JobControl()
        self.tasks: list[PipelineTask] = []
        self.restored = restored
        self.streaming = plan.job.env.job_mode.value == "STREAMING"
        env = plan.job.env
        interval = env.checkpoint_interval or (STREAMING_INTERVAL_MS if self.streaming else None)
        self.interval = interval / 1000 if interval else None
        self.min_pause = (env.min_pause or 0) / 1000
        self.grace = env.shutdown_timeout / 1000
        self.writers = WriterIndexes(plan, restored)
        self._finished: set[int] = set()
        """Sinks whose ``finish`` was called (it is called once)."""
        self.coordinator = CheckpointCoordinator(
            job_key=state_key or env.job_name,
            run_id=plan.run_id,
            store=store,
            next_id=first_checkpoint_id,
            sources={state_key_of(n): n for n in plan.sources},
            sinks={state_key_of(n): n for n in plan.sinks},
            plugins=plugins_of(plan.job),
            committers={},
            split_states={k: dict(v) for k, v in (restored.splits if restored else {}).items()},
            timeout=(env.checkpoint_timeout or DEFAULT_TIMEOUT_MS) / 1000,
        )

    def context_for(self, node: Node) -> PluginContext:
        """The context a per-task plugin instance is built with."""
        return node.plugin.context

    def request_stop(self) -> None:
        """Stop reading, take a final checkpoint, commit, end (the first SIGTERM/SIGINT)."""
        self.control.drain.set()

    def stop_now(self) -> None:
        """Stop at once without a final checkpoint (a second signal)."""
        self.control.stop.set()

    def run(self) -> JobResult:
        """Run the job; raise ``JobFailed`` if a plugin fails or hangs, ``KeyboardInterrupt`` if stopped at once.

        The job runs in a coordinator thread; the calling thread only watches it, so a
        signal handler never interrupts a plugin call or the checkpoint path, and a plugin
        that does not return once the job has to end cannot hold the caller: after the
        grace period (``shutdown.timeout``) the run fails naming it.
        """
        outcome: list[JobResult | BaseException] = []

        def target() -> None:
            try:
                outcome.append(self._run())
            except BaseException as exc:  # handed to the caller's thread
                outcome.append(exc)

        thread = threading.Thread(target=target, name="coordinator", daemon=True)
        thread.start()
        self._supervise(thread)
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def _supervise(self, coordinator: threading.Thread) -> None:
        """Wait for the coordinator thread; give up on it once the job had to end long enough ago."""
        deadline: float | None = None
        while True:
            coordinator.join(0.1)
            if not coordinator.is_alive():
                return
            now = time.monotonic()
            if deadline is None:
                if self.control.stop.is_set():
                    deadline = now + 2 * self.grace
                elif self.control.drain.is_set():
                    deadline = now + self.coordinator.timeout + 2 * self.grace
            elif now > deadline:
                stuck = stuck_report([coordinator, *self._threads()])
                raise self._stuck_failure(self.control.failure, stuck)

    def _run(self) -> JobResult:
        plan = self.plan
        start = datetime.now()
        self.metrics.started = time.time()
        opened: list[Source] = []
        try:
            for key, node in self.coordinator.sinks.items():
                sink: Sink = node.plugin  # type: ignore[assignment]
                self.coordinator.committers[key] = guarded(node.label, sink.create_committer)
            if self.restored is not None and not self.restored.committed:
                self.coordinator.commit(self.restored.pending)
            for node in plan.sinks:
                guarded(node.label, node.plugin.prepare, node.input_schema)  # type: ignore[attr-defined]
            self.writers.release_orphans()
            for key, node in self.coordinator.sources.items():
                source: Source = node.plugin  # type: ignore[assignment]
                if self.restored is not None:
                    guarded(node.label, source.restore_states, dict(self.restored.splits.get(key, {})))
                guarded(node.label, source.open)
                opened.append(source)
                self._start_tasks(key, node, guarded(node.label, source.splits))
            self._coordinate()
            stuck = self._wait()
            if self.control.failure is not None:
                raise self.control.failure
            if not self.coordinator.final_done:
                raise KeyboardInterrupt  # stopped at once (a second signal): nothing more commits
            for node in plan.sinks:
                self._finish(node, True)
            if stuck:  # every row is committed, but a plugin did not stop
                raise self._stuck_failure(None, stuck)
        except PluginFailure as failure:
            stuck = self._fail(failure)
            if stuck:
                raise self._stuck_failure(failure, stuck) from failure.cause
            raise JobFailed(failure.label, failure.cause) from failure.cause
        except CheckpointExpired as expired:
            timed_out = PluginFailure("checkpoint", expired)
            stuck = self._fail(timed_out)
            if stuck:
                raise self._stuck_failure(timed_out, stuck) from None
            raise JobFailed("checkpoint", expired) from None
        except KeyboardInterrupt:
            self.control.stop.set()
            self._wait()
            self._abort()
            raise
        finally:
            for source in opened:
                try:
                    source.close()
                except Exception:
                    log.debug("closing a source failed", exc_info=True)
        end = datetime.now()
        self.metrics.failed_rows += sum(node.plugin.context.counters.rejected
                                        for node in [*plan.sources, *plan.transforms, *plan.sinks])
        per_sink = {n.label: self.metrics.per_plugin_in.get(n.label, 0) for n in plan.sinks}
        return JobResult(
            plan.job.name, start, end, self.metrics, per_sink,
            checkpoints=self.coordinator.completed, last_checkpoint_id=self.coordinator.last_id,
            restored_from=self.restored.checkpoint_id if self.restored else None,
            stopped=self.control.drain.is_set(),
        )

    def _stuck_failure(self, failure: PluginFailure | None, stuck: list[StuckThread]) -> JobFailed:
        return stuck_failure(failure.label if failure else None, failure.cause if failure else None, stuck,
                             self.grace)

    def _finish(self, node: Node, success: bool) -> None:
        """``Sink.finish`` once per sink, told the last saved checkpoint id when it asks for it."""
        if id(node) in self._finished:
            return
        self._finished.add(id(node))
        sink: Sink = node.plugin  # type: ignore[assignment]
        guarded(node.label, call_accepting, sink.finish, (success,),
                {"last_checkpoint_id": self.coordinator.last_id}, what="Sink.finish")

    def _fail(self, failure: PluginFailure) -> list[StuckThread]:
        """Stop every task, abort what no saved checkpoint holds; the threads that did not stop."""
        self.control.fail(failure)
        stuck = self._wait()
        self._abort()
        return stuck

    def _start_tasks(self, key: str, node: Node, splits: list[Split]) -> None:
        shared: queue.Queue[Split] | None = None
        if not self.streaming:
            shared = queue.Queue()
            for split in splits:
                shared.put(split)
        env = self.plan.job.env
        sinks = self.plan.sinks_reached_from(node)
        restored = (self.restored.splits if self.restored else {}).get(key, {})
        mine: list[PipelineTask] = []
        for index in range(self.plan.parallelism_of(node)):
            task = PipelineTask(
                index=index,
                source=node,
                shared_splits=shared,
                restored_splits=restored,
                sinks=sinks,
                sink_key=state_key_of,
                writer_for=self.writers.writer_for,
                reports=self.coordinator.reports,
                control=self.control,
                metrics=self.metrics,
                limiter=RateLimiter(env.rows_per_second, env.bytes_per_second, self.control.stop),
                queue_depth=self.queue_depth,
                context_for=self.context_for,
            )
            mine.append(task)
        if self.streaming:
            for number, split in enumerate(splits):
                mine[number % len(mine)].assign(split)
        self.tasks.extend(mine)
        for task in mine:
            task.start()

    def _coordinate(self) -> None:
        """The coordinator loop: periodic and final checkpoints, split discovery."""
        coordinator = self.coordinator
        now = time.monotonic()
        next_due = now + self.interval if self.interval else None
        next_discovery = now + DISCOVERY_SECONDS
        while self.control.failure is None and not self.control.stop.is_set():
            if coordinator.in_flight is not None:
                if coordinator.collect(self.tasks, 0.05):
                    if coordinator.final_done:
                        break
                    if self.interval:
                        next_due = time.monotonic() + max(self.interval, self.min_pause)
                continue
            if all(t.input_ended.is_set() for t in self.tasks):
                coordinator.trigger(self.tasks, final=True)
                continue
            now = time.monotonic()
            if next_due is not None and now >= next_due:
                coordinator.trigger(self.tasks, final=False)
                continue
            if self.streaming and now >= next_discovery:
                self._discover()
                next_discovery = now + DISCOVERY_SECONDS
            self.control.stop.wait(0.02)

    def _discover(self) -> None:
        for node in self.plan.sources:
            source: Source = node.plugin  # type: ignore[assignment]
            mine = [t for t in self.tasks if t.source is node]
            for split in guarded(node.label, source.discover_splits):
                min(mine, key=lambda t: t.assigned).assign(split)
                log.info("%s: new split %s", node.label, split.split_id)

    def _threads(self) -> list[threading.Thread]:
        return [thread for task in self.tasks for thread in task.all_threads()]

    def _wait(self) -> list[StuckThread]:
        """Wait for every task thread, at most the grace period; those still running."""
        deadline = time.monotonic() + self.grace
        for thread in self._threads():
            thread.join(max(0.0, deadline - time.monotonic()))
        return stuck_report(self._threads())

    def _prepared(self, key: str) -> list[CommitInfo]:
        return [info for task in self.tasks for info in task.prepared.get(key, [])]

    def _abort(self) -> None:
        """Committers drop what was prepared and no saved checkpoint holds; sinks finish unsuccessfully.

        Runs on the coordinator thread, the one that saves checkpoints, so a checkpoint is
        either saved (its infos are no longer ``prepared``) or aborted, never both.
        """
        last = {"last_checkpoint_id": self.coordinator.last_id}
        for key, node in self.coordinator.sinks.items():
            committer: Committer | None = self.coordinator.committers.get(key)
            try:
                if committer is not None:
                    guarded(node.label, call_accepting, committer.abort, (self._prepared(key),), last,
                            what="Committer.abort")
                self._finish(node, False)
            except PluginFailure:
                log.debug("%s: abort failed", node.label, exc_info=True)
