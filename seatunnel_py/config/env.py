"""The ``env`` block."""

from __future__ import annotations

from pydantic import Field

from ..api.options import OptionEnum, PluginOptions, option


class JobModeOption(OptionEnum):
    """``job.mode``: run to completion or continuously."""

    BATCH = "BATCH"
    STREAMING = "STREAMING"


class EnvOptions(PluginOptions):
    """Options of the ``env`` block (SeaTunnel's names)."""

    job_mode: JobModeOption = option(
        JobModeOption.BATCH, "BATCH runs to completion, STREAMING until stopped", alias="job.mode"
    )
    job_name: str = option("SeaTunnel_Job", "job name; keys saved state; `run -n` overrides it", alias="job.name")
    parallelism: int = Field(
        1, ge=1, le=1024, description="pipeline tasks per source (a plugin's own `parallelism` overrides it)"
    )
    checkpoint_interval: int | None = Field(
        None, ge=1, alias="checkpoint.interval", description="milliseconds between checkpoints"
    )
    checkpoint_timeout: int | None = Field(
        None, ge=1, alias="checkpoint.timeout", description="milliseconds before a checkpoint fails"
    )
    shutdown_timeout: int = Field(
        30_000, ge=1, alias="shutdown.timeout",
        description="milliseconds a plugin call may still take once the job has to end (failure, timeout, "
                    "stop) before the run gives up on it, names it and exits 1",
    )
    report: str | None = option(
        None, "seatunnel-py: write a JSON run report to this file at the end of every run, also on failure "
        "(relative: from the job file's folder; `run --report` overrides it)",
    )
    state_store: str | None = option(
        None,
        "where checkpoints are saved: a directory, a SQLAlchemy URL (sqlite:, postgresql:, mysql:) or a "
        "pyarrow.fs URI (s3://, gs://, hdfs://, file://); a relative path is taken from the job file's "
        "folder; default $SEATUNNEL_PY_STATE_STORE, else $XDG_STATE_HOME/seatunnel-py/state "
        "(~/.local/state/seatunnel-py/state)",
        alias="state.store",
        secret=True,
    )
    min_pause: int | None = option(None, "minimum milliseconds between checkpoints", alias="min-pause")
    rows_per_second: int | None = Field(
        None, ge=1, alias="read_limit.rows_per_second", description="row rate limit per source task"
    )
    bytes_per_second: int | None = Field(
        None, ge=1, alias="read_limit.bytes_per_second", description="byte rate limit per source task"
    )
    job_retry_times: int | None = option(
        None,
        "times a run tries again, in the same process, after a retryable failure (server unreachable, "
        "timeout), from its last checkpoint; unset: no retry (SeaTunnel retries 3 times)",
        alias="job.retry.times",
    )
    job_retry_interval_seconds: int | None = option(
        None, "seconds between two attempts (default 3)", alias="job.retry.interval.seconds"
    )
    metrics_pushgateway: str | None = option(
        None,
        "seatunnel-py: push Prometheus metrics (`seatunnel_py_*`) to this Pushgateway URL every "
        "`metrics.push.interval.seconds` and when the run ends, grouped by job key (`job` = the job key); "
        "`http://user:password@host:9091` sends basic auth; unset: no push",
        alias="metrics.pushgateway",
        secret=True,
    )
    metrics_push_interval_seconds: int = Field(
        30, ge=1, le=86_400, alias="metrics.push.interval.seconds",
        description="seatunnel-py: seconds between two pushes to `metrics.pushgateway` while the job runs",
    )
    metrics_port: int | None = Field(
        None, ge=1, le=65_535, alias="metrics.port",
        description="seatunnel-py: serve Prometheus metrics on this port at `/metrics`, and at `/healthz` a "
                    "liveness check (503 once the job has failed or a checkpoint is overdue); unset: not served",
    )
    metrics_host: str = option(
        "0.0.0.0", "seatunnel-py: the address `metrics.port` listens on (127.0.0.1: this machine only)",
        alias="metrics.host",
    )
    savemode_execute_location: str | None = option(
        None, "accepted for compatibility (save modes run in the client)", alias="savemode.execute.location"
    )
    jars: str | None = option(None, "accepted for compatibility (Java only; ignored)")
    custom_parameters: dict[str, object] | None = option(None, "free-form parameters, ignored by the engine")

    @property
    def metrics_enabled(self) -> bool:
        """True when the job pushes metrics (``metrics.pushgateway``) or serves them (``metrics.port``)."""
        return bool(self.metrics_pushgateway) or self.metrics_port is not None


#: keys of other engines that SeaTunnel's Zeta engine ignores too
FOREIGN_PREFIXES = ("spark.", "flink.", "execution.", "shade.", "tag_filter")
