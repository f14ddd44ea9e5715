"""Run a planned job in BATCH mode: pipeline tasks, final commit, result.

Order at the end of a bounded job (the checkpoint issue makes it periodic): every task
calls ``prepare_commit`` on its writers when its input ends; once every task has ended,
each sink's committer commits all infos, then ``Sink.finish`` runs. If any plugin
fails, every task stops, writers abort, committers abort what was prepared, and the job
fails with one line naming the plugin.
"""

from __future__ import annotations

import itertools
import logging
import queue
import time
from dataclasses import dataclass, field
from datetime import datetime

from ..api.context import PluginContext
from ..api.errors import ConnectorError, PlanError, SeaTunnelError
from ..api.sink import CommitInfo, Committer, Sink
from ..api.source import Source, Split
from .metrics import JobMetrics
from .plan import Node, Plan
from .ratelimit import RateLimiter
from .task import FINAL_CHECKPOINT, JobControl, PipelineTask, PluginFailure, guarded

log = logging.getLogger(__name__)
QUEUE_DEPTH = 4


class JobFailed(SeaTunnelError):
    """The job failed at run time (exit code 1); the message is one line naming the plugin."""

    def __init__(self, label: str, cause: BaseException) -> None:
        self.label = label
        self.cause = cause
        super().__init__(f"{label} failed: {describe(cause)}")


def describe(exc: BaseException) -> str:
    """A one-line description of an exception, without a traceback."""
    if isinstance(exc, (ConnectorError, PlanError)):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return " ".join(text.split())


@dataclass
class JobResult:
    """What a finished job reports."""

    job_name: str
    start_time: datetime
    end_time: datetime
    metrics: JobMetrics
    per_sink_rows: dict[str, int] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        """Wall-clock duration."""
        return (self.end_time - self.start_time).total_seconds()


class BatchRunner:
    """Runs one plan to completion."""

    def __init__(self, plan: Plan, metrics: JobMetrics | None = None, queue_depth: int = QUEUE_DEPTH) -> None:
        self.plan = plan
        self.metrics = metrics or JobMetrics()
        self.queue_depth = queue_depth
        self.control = JobControl()
        self.tasks: list[PipelineTask] = []
        self._writer_counters: dict[int, itertools.count[int]] = {}

    def context_for(self, node: Node) -> PluginContext:
        """The context a per-task plugin instance is built with."""
        return node.plugin.context

    def _writer_index(self, node: Node) -> int:
        return next(self._writer_counters.setdefault(id(node), itertools.count()))

    def run(self) -> JobResult:
        """Run the job; raise ``JobFailed`` if a plugin fails."""
        plan = self.plan
        start = datetime.now()
        self.metrics.started = time.time()
        opened: list[Source] = []
        committers: dict[int, Committer | None] = {}
        try:
            for node in plan.sinks:
                sink: Sink = node.plugin  # type: ignore[assignment]
                guarded(node.label, sink.prepare, node.input_schema)
                committers[id(node)] = guarded(node.label, sink.create_committer)
            for node in plan.sources:
                source: Source = node.plugin  # type: ignore[assignment]
                guarded(node.label, source.open)
                opened.append(source)
                self._start_tasks(node, guarded(node.label, source.splits))
            self._wait()
            if self.control.failure is not None:
                raise self.control.failure
            for node in plan.sinks:
                guarded(node.label, node.plugin.before_commit, FINAL_CHECKPOINT, True)  # type: ignore[attr-defined]
            self._commit(committers)
            for node in plan.sinks:
                guarded(node.label, node.plugin.finish, True)  # type: ignore[attr-defined]
        except PluginFailure as failure:
            self.control.fail(failure)
            self._wait()
            self._abort(committers)
            raise JobFailed(failure.label, failure.cause) from failure.cause
        except KeyboardInterrupt:
            self.control.stop.set()
            self._wait()
            self._abort(committers)
            raise
        finally:
            for source in opened:
                try:
                    source.close()
                except Exception:
                    log.debug("closing a source failed", exc_info=True)
        end = datetime.now()
        per_sink = {n.label: self.metrics.per_plugin_in.get(n.label, 0) for n in plan.sinks}
        return JobResult(plan.job.name, start, end, self.metrics, per_sink)

    def _start_tasks(self, node: Node, splits: list[Split]) -> None:
        pending: queue.Queue[Split] = queue.Queue()
        for split in splits:
            pending.put(split)
        env = self.plan.job.env
        sinks = self.plan.sinks_reached_from(node)
        for index in range(self.plan.parallelism_of(node)):
            task = PipelineTask(
                index=index,
                source=node,
                splits=pending,
                sinks=sinks,
                writer_index=self._writer_index,
                control=self.control,
                metrics=self.metrics,
                limiter=RateLimiter(env.rows_per_second, env.bytes_per_second, self.control.stop),
                queue_depth=self.queue_depth,
                context_for=self.context_for,
            )
            self.tasks.append(task)
            task.start()

    def _wait(self) -> None:
        for task in self.tasks:
            while not task.join(timeout=0.2):
                pass

    def _infos(self, node: Node) -> list[CommitInfo]:
        return [info for task in self.tasks for info in task.commit_infos.get(id(node), [])]

    def _commit(self, committers: dict[int, Committer | None]) -> None:
        for node in self.plan.sinks:
            committer = committers.get(id(node))
            infos = self._infos(node)
            if committer is not None and infos:
                guarded(node.label, committer.commit, infos)

    def _abort(self, committers: dict[int, Committer | None]) -> None:
        for node in self.plan.sinks:
            committer = committers.get(id(node))
            try:
                if committer is not None:
                    committer.abort(self._infos(node))
                node.plugin.finish(False)  # type: ignore[attr-defined]
            except Exception:
                log.debug("%s: abort failed", node.label, exc_info=True)
