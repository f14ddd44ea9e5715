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
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .. import __version__
from ..api.errors import SeaTunnelError
from ..api.secrets import mask_secrets
from .failures import JobFailed, describe
from .metrics import JobMetrics
from .outcome import ExitCode, exit_code, status_of

if TYPE_CHECKING:
    from ..config.env import EnvOptions
    from ..config.job import JobConfig
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


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without its ``user:password@`` part, and the user and password (``None`` when absent)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.username is None and parts.password is None:
        return urlunsplit(parts), None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit(parts._replace(netloc=netloc)), parts.username, parts.password


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
        self._pusher: _Pusher | None = None
        self._server: _Server | None = None
        self._lag = _LagWatch()

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
                self._server = _Server(self, self.settings.host, self.settings.port)
            except OSError as exc:
                where = f"{self.settings.host}:{self.settings.port}"
                raise JobFailed("metrics", MetricsError(
                    f"cannot serve metrics on {where}: {exc.strerror or exc}; set env.metrics.port to a free "
                    "port (or env.metrics.host to an address of this machine)")) from None
            log.info("metrics: serving http://%s:%d/metrics and /healthz", self.settings.host, self._server.port)
        if self.settings.pushgateway:
            self._pusher = _Pusher(self, self.settings.pushgateway, self.settings.push_interval, key)
            log.info("metrics: pushing to %s every %g s as job %r", self._pusher.url, self.settings.push_interval,
                     key)
        self._enabled = True

    def families(self) -> list[Family]:
        """Every metric, as of now."""
        return list(_RunCollector(self).collect())

    def registry(self) -> Any:
        """A ``prometheus_client`` registry of the run's metrics (what ``/metrics`` serves), made on the
        first scrape, in the thread answering it: a run nobody scrapes never imports ``prometheus_client``."""
        with self._registry_lock:
            if self._registry is None:
                from prometheus_client import CollectorRegistry

                registry = CollectorRegistry(auto_describe=False)
                registry.register(_Bridge(self))
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
        if self.enabled:
            runner.coordinator.measure_size = True

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
        overdue = _overdue(runner)
        if overdue:
            return False, overdue
        return True, status

    def exposition(self, accept: str | None = None) -> tuple[bytes, str]:
        """(body, content type) of ``/metrics``: the text format, or OpenMetrics when ``accept`` asks for it."""
        from prometheus_client.exposition import choose_encoder

        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry()), content_type


def _overdue(runner: JobRunner) -> str | None:
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


class _RunCollector:
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


class _Bridge:
    """The run's metrics as a ``prometheus_client`` collector (for ``/metrics``)."""

    def __init__(self, session: MetricsSession) -> None:
        self.session = session

    def collect(self) -> Iterator[Any]:
        """``prometheus_client`` metric families of ``MetricsSession.families``."""
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        for family in self.session.families():
            kind = CounterMetricFamily if family.kind == "counter" else GaugeMetricFamily
            made = kind(family.name, family.doc, labels=list(family.labels))
            for values, value in family.samples:
                made.add_metric(list(values), value)
            yield made


class _LagWatch:
    """Asks the sources that define ``split_lag`` how far behind they are, in a thread of its own."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], int] = {}
        self._thread: threading.Thread | None = None
        self._last = 0.0
        self._failed: set[str] = set()

    def refresh(self, runner: JobRunner) -> None:
        """Start a refresh unless one runs or the last one is recent; the values come later."""
        sources = [node for node in runner.plan.sources if callable(getattr(node.plugin, "split_lag", None))]
        if not sources or (self._thread is not None and self._thread.is_alive()):
            return
        if time.monotonic() - self._last < LAG_REFRESH_SECONDS:
            return
        self._last = time.monotonic()
        self._thread = threading.Thread(target=self._refresh, args=(runner, sources), name="metrics-lag",
                                        daemon=True)
        self._thread.start()

    def _refresh(self, runner: JobRunner, sources: list[Any]) -> None:
        from .runner import state_key_of

        values: dict[tuple[str, str], int] = {}
        failed = False
        for node in sources:
            positions: dict[str, Any] = {}
            try:
                positions.update(runner.coordinator.split_states.get(state_key_of(node), {}))
                for task in list(runner.tasks):
                    if task.source is node:
                        for pump in list(task.reader.pumps.values()):
                            known = pump.known_state()
                            if known is not None:
                                positions[pump.split.split_id] = known
                lag = node.plugin.split_lag(positions)
            except Exception as exc:  # the metrics must never fail the job
                if node.label not in self._failed:
                    self._failed.add(node.label)
                    log.warning("metrics: %s cannot tell its lag: %s", node.label, describe(exc))
                failed = True
                continue
            values.update({(node.label, str(split)): int(records) for split, records in lag.items()})
        self.values = values
        # nothing to tell yet (no split open, nothing asked of the cluster): ask again at the next collection
        self._last = time.monotonic() if values or failed else 0.0


class _Pusher:
    """Pushes the metrics to a Pushgateway every interval, in a thread, and once more at the end.

    A POST of the text format to ``/metrics/job/<job key>`` (the job key base64-encoded when
    it holds a character a URL path cannot), with basic auth when the URL carried
    credentials, over ``http.client``.
    """

    def __init__(self, session: MetricsSession, url: str, interval: float, key: str) -> None:
        self.session = session
        self.url, user, password = split_credentials(url)
        self.key = key
        self.interval = interval
        self._authorization = None if user is None and password is None else _basic(user or "", password or "")
        self._stopping = threading.Event()
        self._failures = 0
        self._thread = threading.Thread(target=self._loop, name="metrics-push", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            self.push()
            if self._stopping.wait(self.interval):
                return

    def push(self) -> bool:
        """Push once; a failure is logged (a warning the first time in a row, then at debug level)."""
        try:
            self._post(render_text(self.session.families()))
        except Exception as exc:  # the gateway away or refusing: the job goes on
            self._failures += 1
            level = logging.WARNING if self._failures == 1 else logging.DEBUG
            log.log(level, "metrics: pushing to %s failed: %s", self.url, mask_secrets(describe(exc)))
            return False
        if self._failures:
            log.info("metrics: pushing to %s works again", self.url)
        self._failures = 0
        return True

    def _post(self, body: bytes) -> None:
        import http.client

        parts = urlsplit(self.url)
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(parts.hostname or "localhost", parts.port, timeout=PUSH_TIMEOUT)
        headers = {"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}
        if self._authorization:
            headers["Authorization"] = self._authorization
        try:
            connection.request("POST", f"{parts.path.rstrip('/')}/metrics/job{_job_segment(self.key)}", body, headers)
            response = connection.getresponse()
            answer = response.read(500).decode("utf-8", "replace").strip()
        finally:
            connection.close()
        if response.status >= 300:
            raise ConnectionError(f"HTTP {response.status} {response.reason}" + (f": {answer}" if answer else ""))

    def stop(self) -> None:
        """Stop the periodic pushes and push the final values (bounded by ``PUSH_TIMEOUT``)."""
        self._stopping.set()
        self._thread.join(PUSH_TIMEOUT + 1)
        if not self.push() and self._failures > 1:
            log.warning("metrics: the final push to %s failed too", self.url)


def _job_segment(key: str) -> str:
    """``/<key>``, or ``@base64/<key in URL-safe base64>`` when the key is not a plain path segment."""
    if key and all(c.isascii() and (c.isalnum() or c in "-_.~") for c in key):
        return f"/{key}"
    import base64

    return "@base64/" + base64.urlsafe_b64encode(key.encode()).decode()


def _basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class _Server:
    """``/metrics`` and ``/healthz`` on ``host:port``: bound at once, each request answered in a thread of its own.

    The socket is bound when the run starts (a taken port fails the run there); ``http.server``
    and ``prometheus_client`` are imported by the first request. Stopping closes the socket,
    which ends the accepting thread at once.
    """

    def __init__(self, session: MetricsSession, host: str, port: int) -> None:
        import socket

        self.session = session
        family = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
        self.sock = socket.create_server((host, port), family=family, backlog=16)
        self.port = int(self.sock.getsockname()[1])
        self._thread = threading.Thread(target=self._accept, name="metrics-http", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, address = self.sock.accept()
            except OSError:  # closed: the run ended
                return
            threading.Thread(target=self._answer, args=(connection, address), name="metrics-request",
                             daemon=True).start()

    def _answer(self, connection: Any, address: Any) -> None:
        try:
            connection.settimeout(10)
            _handler_class()(connection, address, self)
        except Exception:  # a client gone mid-request: nothing to tell anyone
            log.debug("metrics: answering %s failed", address, exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop answering and free the port."""
        import socket

        with suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.sock.close()
        self._thread.join(1)


_HANDLER: type | None = None


def _handler_class() -> type:
    """The request handler (``http.server`` is imported on the first request, not with the engine)."""
    global _HANDLER
    if _HANDLER is None:
        from http.server import BaseHTTPRequestHandler

        class Handler(BaseHTTPRequestHandler):
            server: _Server  # type: ignore[assignment]

            def do_GET(self) -> None:
                """``/metrics``: the metrics; ``/healthz``: 200 or 503 with a JSON reason; ``/``: an index."""
                session = self.server.session
                path = self.path.split("?", 1)[0].rstrip("/") or "/"
                if path == "/metrics":
                    exposition, content_type = session.exposition(self.headers.get("Accept"))
                    self._send(200, content_type, exposition)
                elif path in ("/healthz", "/livez"):
                    healthy, reason = session.health()
                    body = json.dumps({"healthy": healthy, "status": session.status(), "reason": reason,
                                       "job": session.key}) + "\n"
                    self._send(200 if healthy else 503, "application/json", body.encode())
                elif path == "/":
                    self._send(200, "text/plain; charset=utf-8", b"seatunnel-py: /metrics (Prometheus), /healthz\n")
                else:
                    self._send(404, "text/plain; charset=utf-8", b"not found: /metrics or /healthz\n")

            def _send(self, code: int, content_type: str, body: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Requests are logged at debug level only (a scrape every few seconds is no news)."""
                log.debug("metrics: %s %s", self.address_string(), format % args)

        _HANDLER = Handler
    return _HANDLER
