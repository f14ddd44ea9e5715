"""The metric families of a run and their text rendering (the Prometheus exposition format).

``RunCollector`` reads, at the moment it is asked, what the engine counts anyway
(``JobMetrics``, the checkpoint coordinator, the tasks' queues) and returns it as
``Family`` objects; ``render_text`` writes them in the text format a Pushgateway takes.
Part of the exporter (``exporter.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..api.secrets import mask_secrets
from .outcome import ExitCode, status_of

if TYPE_CHECKING:
    from .exporter import MetricsSession
    from .runner import JobRunner

log = logging.getLogger(__name__)


PREFIX = "seatunnel_py_"
PUSH_TIMEOUT = 5.0
"""Seconds one push may take before it is given up (the run goes on; the next push tries again)."""
LAG_REFRESH_SECONDS = 5.0
"""Least seconds between two ``split_lag`` calls of a source."""
STATUSES = ("running", "retrying", *(status_of(code) for code in ExitCode))
"""Values of ``seatunnel_py_run_status``'s ``status`` label: one of them is 1, the others 0."""


@dataclass
class Family:
    """One metric with its samples, as a push or a scrape renders it."""

    name: str
    """The full name (``seatunnel_py_…``; a counter's ends in ``_total``)."""
    kind: str
    """``counter`` or ``gauge``."""
    doc: str
    labels: tuple[str, ...] = ()
    samples: list[tuple[tuple[str, ...], float]] = field(default_factory=list)

    def add_metric(self, values: list[str], value: float) -> None:
        """One sample: label values in the order of ``labels``."""
        self.samples.append((tuple(values), float(value)))


def _escape(text: str, quote: bool) -> str:
    text = text.replace("\\", "\\\\").replace("\n", "\\n")
    return text.replace('"', '\\"') if quote else text


def _number(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


def render_text(families: list[Family]) -> bytes:
    """Prometheus' text exposition format (0.0.4) of ``families``, what a push sends.

    Written here, not by ``prometheus_client``: importing it costs a short BATCH run more
    (~11 ms of CPU) than everything else the metrics do. Its parser checks this output in
    the tests, and the real Pushgateway takes it in the integration tests.
    """
    lines = []
    for family in families:
        lines.append(f"# HELP {family.name} {_escape(family.doc, False)}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        for values, value in family.samples:
            if family.labels:
                labels = ",".join(f'{k}="{_escape(v, True)}"' for k, v in zip(family.labels, values, strict=True))
                lines.append(f"{family.name}{{{labels}}} {_number(value)}")
            else:
                lines.append(f"{family.name} {_number(value)}")
    return ("\n".join(lines) + "\n").encode()


def checkpoint_overdue(runner: JobRunner) -> str | None:
    """Why the run's checkpoints are overdue, if they are: none completed for an interval plus the timeout."""
    if runner.interval is None:
        return None
    coordinator = runner.coordinator
    since = coordinator.last_completed if coordinator.last_completed is not None else coordinator.created
    allowed = max(runner.interval, runner.min_pause) + coordinator.timeout
    late = time.monotonic() - since
    if late <= allowed:
        return None
    what = (f"no checkpoint completed in the {late:.1f} s since the run started" if coordinator.last_completed is None
            else f"the last checkpoint completed {late:.1f} s ago")
    return f"checkpoint overdue: {what}, more than checkpoint.interval + checkpoint.timeout ({allowed:g} s)"


def _family(kind: str, name: str, doc: str, value: float | None, labels: list[str] | None) -> Family:
    made = Family(PREFIX + name, kind, doc, tuple(labels or ()))
    if value is not None:
        made.add_metric([], value)
    return made


def _gauge(name: str, doc: str, value: float | None = None, labels: list[str] | None = None) -> Family:
    return _family("gauge", name, doc, value, labels)


def _counter(name: str, doc: str, value: float | None = None, labels: list[str] | None = None) -> Family:
    return _family("counter", name, doc, value, labels)


class RunCollector:
    """Builds every metric family from the session, when a push or a scrape asks."""

    def __init__(self, session: MetricsSession) -> None:
        self.session = session

    def collect(self) -> Iterator[Family]:
        """The metric families, as of now."""
        session = self.session
        runner = session.runner
        plan = runner.plan if runner is not None else None
        nodes = [*plan.sources, *plan.transforms, *plan.sinks] if plan is not None else []
        kinds = {node.label: (node.spec.kind.value, node.spec.name) for node in nodes}
        now = time.time()

        gauge, counter = _gauge, _counter

        job = session.job
        info = gauge("run_info", "The run: job key and name, mode, run id, seatunnel-py version (value 1)",
                     labels=["job_key", "job_name", "mode", "run_id", "version"])
        info.add_metric([mask_secrets(session.key or ""), mask_secrets(job.name if job else ""),
                         job.env.job_mode.value if job else "", plan.run_id if plan else "", __version__], 1)
        yield info
        status = session.status()
        family = gauge("run_status", "1 for the run's status (running, retrying, or how it ended), 0 for the others",
                       labels=["status"])
        for name in STATUSES:
            family.add_metric([name], 1 if name == status else 0)
        yield family
        healthy, _ = session.health()
        yield gauge("healthy", "1 while /healthz answers 200: not failing, no checkpoint overdue", 1 if healthy else 0)
        yield gauge("run_start_timestamp_seconds", "When the run started (Unix time)", session.started)
        yield gauge("run_duration_seconds", "Seconds since the run started (at its end: how long it took)",
                    (session.ended or now) - session.started)
        yield gauge("run_attempts", "Attempts of the run so far (job.retry.times)", max(1, session.attempts))
        if session.ended is not None and session.error is None:
            yield gauge("last_success_timestamp_seconds", "When a run of the job last succeeded (Unix time)",
                        session.ended)
        yield from self._rows(kinds, nodes, counter)
        yield from self._checkpoints(gauge, counter)
        yield from self._queues(gauge)
        yield from self._lag(gauge)

    def _rows(self, kinds: dict[str, tuple[str, str]], nodes: list[Any],
              counter: Callable[..., Family]) -> Iterator[Family]:
        session = self.session
        metrics = session.metrics
        inputs, outputs = metrics.flows()
        live_rejects = {node.label: node.plugin.context.counters.rejected for node in nodes}
        read = [flow for label, flow in outputs.items() if kinds.get(label, ("source",))[0] == "source"]
        written = [flow for label, flow in inputs.items() if kinds.get(label, ("sink",))[0] == "sink"]
        rejected = metrics.failed_rows
        if session.ended is None or session.error is not None:  # the run adds its plugins' rejects when it ends
            rejected += sum(live_rejects.values())
        yield counter("rows_read_total", "Rows the sources read", sum(f.rows for f in read))
        yield counter("bytes_read_total", "Bytes (Arrow buffers) the sources read", sum(f.bytes for f in read))
        yield counter("rows_written_total", "Rows the sinks wrote", sum(f.rows for f in written))
        yield counter("bytes_written_total", "Bytes (Arrow buffers) the sinks wrote", sum(f.bytes for f in written))
        yield counter("rows_rejected_total", "Rows an error policy rejected", rejected)
        labels = ["plugin", "kind", "name"]
        for direction, flows, what in (("in", inputs, "received (transforms, sinks)"),
                                       ("out", outputs, "handed on (sources, transforms)")):
            rows = counter(f"plugin_rows_{direction}_total", f"Rows a plugin {what}", labels=labels)
            nbytes = counter(f"plugin_bytes_{direction}_total", f"Bytes (Arrow buffers) a plugin {what}", labels=labels)
            batches = counter(f"plugin_batches_{direction}_total", f"Batches a plugin {what}", labels=labels)
            for label, flow in sorted(flows.items()):
                values = [label, *kinds.get(label, ("", ""))]
                rows.add_metric(values, flow.rows)
                nbytes.add_metric(values, flow.bytes)
                batches.add_metric(values, flow.batches)
            yield from (rows, nbytes, batches)
        family = counter("plugin_rows_rejected_total", "Rows a plugin's error policy rejected (this attempt)",
                         labels=labels)
        for label, count in sorted(live_rejects.items()):
            family.add_metric([label, *kinds[label]], count)
        yield family

    def _checkpoints(self, gauge: Callable[..., Family], counter: Callable[..., Family]) -> Iterator[Family]:
        session = self.session
        runner = session.runner
        coordinator = runner.coordinator if runner is not None else None
        completed = session._checkpoints_before + (coordinator.completed if coordinator else 0)
        yield counter("checkpoints_total", "Checkpoints the run completed", completed)
        if coordinator is None:
            return
        yield counter("checkpoint_duration_seconds_total",
                      "Seconds the checkpoints of the current attempt took, trigger to commits done",
                      coordinator.duration_total)
        flight = coordinator.in_flight
        yield gauge("checkpoint_in_flight_seconds", "Seconds the checkpoint in flight has taken so far (0: none)",
                    time.monotonic() - flight.started if flight is not None else 0.0)
        saved_at = coordinator.last_completed_at or (session.restored_at if completed == 0 else None)
        if saved_at is not None:
            yield gauge("checkpoint_last_success_timestamp_seconds",
                        "When the job's last checkpoint was saved (Unix time; the one resumed from until this "
                        "run saves one)", saved_at)
        if coordinator.last_id is not None:
            yield gauge("checkpoint_last_id", "Id of the last checkpoint saved", coordinator.last_id)
        if coordinator.last_duration is not None:
            yield gauge("checkpoint_last_duration_seconds", "Seconds the last checkpoint took, trigger to commits done",
                        coordinator.last_duration)
        if coordinator.last_size is not None:
            yield gauge("checkpoint_last_size_bytes", "Size of the last checkpoint saved (its JSON form)",
                        coordinator.last_size)

    def _queues(self, gauge: Callable[..., Family]) -> Iterator[Family]:
        runner = self.session.runner
        labels = ["plugin", "task", "queue"]
        held = gauge("queue_batches", "Batches waiting in a task's queue", labels=labels)
        capacity = gauge("queue_capacity_batches", "Batches a task's queue holds at most", labels=labels)
        fill = gauge("queue_fill_ratio", "How full a task's queue is (0 to 1)", labels=labels)
        for task in list(runner.tasks) if runner is not None else []:
            for name, queue in (("read", task.queue), ("transformed", task.outbox)):
                if queue is None:
                    continue
                values = [task.source.label, str(task.index), name]
                size, most = queue.qsize(), queue.maxsize
                held.add_metric(values, size)
                capacity.add_metric(values, most)
                fill.add_metric(values, size / most if most else 0.0)
        yield from (held, capacity, fill)

    def _lag(self, gauge: Callable[..., Family]) -> Iterator[Family]:
        runner = self.session.runner
        if runner is not None:
            self.session._lag.refresh(runner)
        values = self.session._lag.values
        if not values:
            return
        family = gauge("source_lag_records", "Records between a split's position and the end of its input "
                                             "(sources that can tell: Kafka)", labels=["plugin", "split"])
        for (label, split), lag in sorted(values.items()):
            family.add_metric([label, mask_secrets(split)], lag)
        yield family
