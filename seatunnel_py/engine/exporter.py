"""Prometheus metrics of a run: pushed to a Pushgateway, served at ``/metrics`` with ``/healthz`` beside it.

Enabled by the job's ``env``: ``metrics.pushgateway`` pushes every
``metrics.push.interval.seconds`` and once more when the run ends (the way to watch a
BATCH job, which may be gone before any scrape); ``metrics.port`` serves ``/metrics`` and
the liveness check ``/healthz`` while the run lasts (the way to watch a STREAMING job).
Either works in either mode, and both together. Without them this module is not even
imported (``jobs.py``).

The cost is kept off the run: a push renders the text format itself (``render_text``) and
posts it with ``http.client`` from a thread of its own; ``/metrics`` is answered through
``prometheus_client`` (text or OpenMetrics, as the scraper asks), imported by the first
scrape in the thread answering it, since importing it costs ~11 ms of CPU, more than a
short BATCH run's every push together.

Nothing is counted for the metrics: a push or a scrape reads, at that moment, what the
engine counts anyway (``JobMetrics``, updated once per batch; the checkpoint coordinator;
the tasks' queues), so the pipeline pays nothing per batch or per row, only a checkpoint's
size is measured (one more JSON dump of it) while metrics are on. Every metric is named
``seatunnel_py_…``; see ``docs/unattended.md`` for the list.

Pushes use the Pushgateway's POST (``pushadd`` semantics): a run replaces every metric it pushes in
the job's group (``job`` = the job key) and leaves the others, so
``seatunnel_py_last_success_timestamp_seconds``, pushed only by a run that succeeded,
survives the failed runs after it, and the checkpoint gauges of the last run that took a
checkpoint survive a run that took none. A run that does not get as far as taking the
job's lock (bad job file, lock held by another run) pushes nothing: the run that holds the
lock owns the group.

A source may tell how far behind the end of its input each split is by defining
``split_lag(positions) -> {split id: records}`` (``positions``: split id → the state
after the last batch handed on); the Kafka source does. It is asked in a thread of its
own, at most every ``LAG_REFRESH_SECONDS``, so a scrape never waits for a broker.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..api.errors import SeaTunnelError
from .failures import JobFailed, describe
from .metric_families import PREFIX, STATUSES, Family, RunCollector, checkpoint_overdue, render_text
from .metric_transport import Bridge, LagWatch, MetricsServer, Pusher, split_credentials
from .metrics import JobMetrics
from .outcome import exit_code, status_of

if TYPE_CHECKING:
    from ..config.env import EnvOptions
    from ..config.job import JobConfig
    from .runner import JobRunner


__all__ = ["PREFIX", "STATUSES", "Family", "MetricsError", "MetricsSession", "MetricsSettings", "render_text",
           "split_credentials"]
log = logging.getLogger(__name__)


class MetricsError(SeaTunnelError):
    """Metrics cannot be served as configured (the port is taken, the address does not exist)."""


@dataclass(frozen=True)
class MetricsSettings:
    """The ``metrics.*`` options of a job's ``env``."""

    pushgateway: str | None = None
    push_interval: float = 30.0
    port: int | None = None
    host: str = "0.0.0.0"

    @classmethod
    def of(cls, env: EnvOptions) -> MetricsSettings:
        """The settings of ``env``."""
        return cls(env.metrics_pushgateway or None, float(env.metrics_push_interval_seconds), env.metrics_port,
                   env.metrics_host)

    @property
    def enabled(self) -> bool:
        """True when metrics are pushed or served (``EnvOptions.metrics_enabled``)."""
        return bool(self.pushgateway) or self.port is not None


class MetricsSession:
    """The metrics of one run, across its attempts: what it reports, its pusher and its server."""

    def __init__(self, metrics: JobMetrics) -> None:
        self.metrics = metrics
        self.settings = MetricsSettings()
        self.started = time.time()
        self.job: JobConfig | None = None
        self.key: str | None = None
        self.runner: JobRunner | None = None
        self.attempts = 0
        self.waiting_retry = False
        self.error: BaseException | None = None
        self.ended: float | None = None
        self.restored_at: float | None = None
        """When the checkpoint the first attempt resumed from was saved (epoch seconds)."""
        self._checkpoints_before = 0
        """Checkpoints completed by the attempts before the current one."""
        self._enabled = False
        self._registry: Any = None
        self._registry_lock = threading.Lock()
        self._pusher: Pusher | None = None
        self._server: MetricsServer | None = None
        self._lag = LagWatch()

    # --- the run's side ---------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        """True once ``start`` found metrics configured."""
        return self._enabled

    @contextmanager
    def running(self, job: JobConfig, key: str) -> Iterator[MetricsSession]:
        """Export while the block runs (``start``), then push the outcome and stop (``close``)."""
        self.start(job, key)
        try:
            yield self
        except BaseException as exc:
            self.close(exc)
            raise
        self.close(None)

    def start(self, job: JobConfig, key: str) -> None:
        """Start serving and pushing, if the job's ``env`` asks for it; raise ``JobFailed`` if the port is taken."""
        self.job, self.key = job, key
        self.settings = MetricsSettings.of(job.env)
        if not self.settings.enabled:
            return
        if self.settings.port is not None and importlib.util.find_spec("prometheus_client") is None:
            raise JobFailed("metrics", MetricsError(
                "env.metrics.port needs the prometheus_client package: pip install 'seatunnel-py[metrics]'"))
        if self.settings.port is not None:
            try:
                self._server = MetricsServer(self, self.settings.host, self.settings.port)
            except OSError as exc:
                where = f"{self.settings.host}:{self.settings.port}"
                raise JobFailed("metrics", MetricsError(
                    f"cannot serve metrics on {where}: {exc.strerror or exc}; set env.metrics.port to a free "
                    "port (or env.metrics.host to an address of this machine)")) from None
            log.info("metrics: serving http://%s:%d/metrics and /healthz", self.settings.host, self._server.port)
        if self.settings.pushgateway:
            self._pusher = Pusher(self, self.settings.pushgateway, self.settings.push_interval, key)
            log.info("metrics: pushing to %s every %g s as job %r", self._pusher.url, self.settings.push_interval,
                     key)
        self._enabled = True

    def families(self) -> list[Family]:
        """Every metric, as of now."""
        return list(RunCollector(self).collect())

    def registry(self) -> Any:
        """A ``prometheus_client`` registry of the run's metrics (what ``/metrics`` serves), made on the
        first scrape, in the thread answering it: a run nobody scrapes never imports ``prometheus_client``."""
        with self._registry_lock:
            if self._registry is None:
                from prometheus_client import CollectorRegistry

                registry = CollectorRegistry(auto_describe=False)
                registry.register(Bridge(self))
                self._registry = registry
            return self._registry

    def watch(self, runner: JobRunner, restored_at: float | None = None) -> None:
        """An attempt starts with ``runner`` (restored from a checkpoint saved at ``restored_at``)."""
        if self.runner is not None:
            self._checkpoints_before += self.runner.coordinator.completed
        self.runner = runner
        self.attempts += 1
        self.waiting_retry = False
        if self.attempts == 1:
            self.restored_at = restored_at

    def attempt_failed(self) -> None:
        """The current attempt failed and the run will try again after the retry interval."""
        self.waiting_retry = True

    def close(self, error: BaseException | None) -> None:
        """The run ended (with ``error``, or ``None``): push its outcome once more, stop serving."""
        self.error = error
        self.ended = time.time()
        if self._pusher is not None:
            self._pusher.stop()
        if self._server is not None:
            self._server.stop()

    # --- what a push or a scrape reads ----------------------------------------------------
    def status(self) -> str:
        """``running``, ``retrying`` (waiting between attempts), or the final status of the run report."""
        if self.ended is not None:
            return status_of(exit_code(self.error, self.metrics if self.error is None else None))
        return "retrying" if self.waiting_retry else "running"

    def health(self) -> tuple[bool, str]:
        """(healthy, why): unhealthy once the run has failed or is failing, or a checkpoint is overdue."""
        status = self.status()
        if self.ended is not None:
            return self.error is None, status
        runner = self.runner
        if runner is None:
            return True, "starting"
        if self.waiting_retry:
            return True, "an attempt failed with a retryable error; waiting to try again"
        failure = runner.control.failure
        if failure is not None:
            return False, f"failing: {failure.label}: {describe(failure.cause)}"
        overdue = checkpoint_overdue(runner)
        if overdue:
            return False, overdue
        return True, status

    def exposition(self, accept: str | None = None) -> tuple[bytes, str]:
        """(body, content type) of ``/metrics``: the text format, or OpenMetrics when ``accept`` asks for it."""
        from prometheus_client.exposition import choose_encoder

        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry()), content_type
