"""The importable entry points the CLI and tests share: check a job, run a job."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .api.errors import SeaTunnelError
from .api.secrets import mask_secrets
from .config.binding import bind_job_collecting
from .config.issues import ConfigErrors, ConfigIssue
from .config.job import JobConfig
from .config.loader import load_file
from .engine import activity
from .engine.failures import JobFailed, describe
from .engine.metrics import JobMetrics
from .engine.outcome import is_transient
from .engine.plan import Plan, build_plan
from .engine.report import RunRecorder, write_report
from .engine.restore import choose, state_key
from .engine.runner import JobResult, JobRunner
from .engine.signals import stop_on_signals
from .engine.state import Checkpoint, StateError, StateStore, open_store
from .engine.state.local import LocalStateStore
from .engine.state.store import LEGACY_STATE_DIR, STATE_STORE_ENV, is_url
from .plugins import get_registry
from .registry import Registry

if TYPE_CHECKING:
    from .engine.exporter import MetricsSession

log = logging.getLogger(__name__)


def load_job(
    path: str | Path,
    variables: Mapping[str, str] | None = None,
    job_name: str | None = None,
    registry: Registry | None = None,
    environ: Mapping[str, str] | None = None,
) -> JobConfig:
    """Parse and validate a job file; raise ``ConfigErrors`` listing every problem."""
    job, issues = _bind(path, variables, job_name, registry, environ)
    if issues:
        raise ConfigErrors(issues)
    return job


def _bind(path: str | Path, variables: Mapping[str, str] | None, job_name: str | None,
          registry: Registry | None, environ: Mapping[str, str] | None = None) -> tuple[JobConfig, list[ConfigIssue]]:
    raw = load_file(path, variables, environ)
    job, issues = bind_job_collecting(raw, registry or get_registry())
    if job is None:
        raise ConfigErrors(issues)
    if job_name:
        job.env = job.env.model_copy(update={"job_name": job_name})
    return job, issues


def plan_job(path: str | Path, variables: Mapping[str, str] | None = None, job_name: str | None = None,
             registry: Registry | None = None) -> Plan:
    """Bind and plan a job, reporting binding and planning problems together."""
    job, issues = _bind(path, variables, job_name, registry)
    plan = build_plan(job, prior=issues)
    for warning in plan.warnings:
        log.warning("%s", warning)
    return plan


def check_job(path: str | Path, variables: Mapping[str, str] | None = None, registry: Registry | None = None) -> Plan:
    """Validate a job completely without connecting anywhere; return its plan."""
    return plan_job(path, variables, registry=registry)


def _open(location: str | None) -> StateStore:
    """``open_store``, with any failure as one ``StateError`` line."""
    try:
        return open_store(location)
    except StateError:
        raise
    except (OSError, SeaTunnelError, ImportError, ValueError) as exc:
        raise StateError(f"state store {mask_secrets(location or 'default')}: cannot be opened: "
                         f"{describe(exc)}") from None


def _load(store: StateStore, key: str) -> Checkpoint | None:
    """``store.load``, with a failure to read (not a corrupt state: that says so itself) as one line."""
    try:
        return store.load(key)
    except StateError:
        raise
    except (OSError, SeaTunnelError) as exc:
        raise StateError(f"state store {store.url}: cannot read the saved state of job {key!r}: "
                         f"{describe(exc)}") from None


def _attempt(job: JobConfig, key: str, store: StateStore, ignore_state: bool, legacy: bool, handle_signals: bool,
             recorder: RunRecorder, exporter: MetricsSession | None) -> JobResult:
    """One attempt of a run: load the state, plan (new plugin instances), run."""
    recorder.runner = None
    saved = _load(store, key)
    if saved is None and legacy:
        saved = adopt_legacy_state(store, key)
    resume = choose(job, saved, ignore_state)
    if resume.restored is not None:
        log.info("resuming job %r from checkpoint %d", key, resume.restored.checkpoint_id)
    restored_id = resume.restored.checkpoint_id if resume.restored else None
    if recorder.attempts == 1:
        recorder.restored_from = restored_id
    plan = build_plan(job, restored_checkpoint_id=restored_id)
    recorder.plan = plan
    activity.run_context["run_id"] = plan.run_id
    for warning in plan.warnings:
        log.warning("%s", warning)
    runner = JobRunner(plan, recorder.metrics, store=store, state_key=key, restored=resume.restored,
                       first_checkpoint_id=resume.next_checkpoint_id)
    recorder.runner = runner
    if exporter is not None:
        exporter.watch(runner, resume.restored.created_at if resume.restored else None)
    if handle_signals:
        with stop_on_signals(runner):
            result = runner.run()
    else:
        result = runner.run()
    recorder.result = result
    return result


def store_location(job: JobConfig, override: str | None = None) -> str | None:
    """The state store a job uses: ``override`` (``--state-store``), else ``env.state.store``.

    A relative path in ``env.state.store`` is taken from the job file's folder, like every
    other path in a job file; ``None`` leaves the choice to ``open_store``.
    """
    if override:
        return override
    configured = job.env.state_store or None
    if configured and not is_url(configured) and not Path(configured).expanduser().is_absolute():
        return str(job.work_dir / configured)
    return configured


def adopt_legacy_state(store: StateStore, key: str) -> Checkpoint | None:
    """The job's state from the old default (``.seatunnel-py/state`` in the working directory), moved over.

    Before the default moved out of the working directory, a job started from this folder
    saved its checkpoints here; without this, its next run would start over.
    """
    legacy = LocalStateStore(Path.cwd() / LEGACY_STATE_DIR)
    try:
        saved = legacy.load(key)
    except StateError:
        return None
    if saved is None:
        return None
    store.save(saved)
    log.warning("job %r: moved its state from %s (the old default, under the working directory) to %s; "
                "the old copy is no longer used", key, legacy.url, store.url)
    return saved


def run_job(
    path: str | Path,
    variables: Mapping[str, str] | None = None,
    job_name: str | None = None,
    registry: Registry | None = None,
    metrics: JobMetrics | None = None,
    state_store: str | StateStore | None = None,
    ignore_state: bool = False,
    handle_signals: bool = False,
    report: str | Path | None = None,
) -> JobResult:
    """Check and run a job; raise ``ConfigErrors``, ``StateError``, ``StateLocked`` or ``JobFailed``.

    The job's state lives in ``state_store`` (a store or its URL), else in the store its
    ``env.state.store`` names (a relative path from the job file's folder), else
    ``$SEATUNNEL_PY_STATE_STORE``, else ``$XDG_STATE_HOME/seatunnel-py/state``
    (``~/.local/state/…``): never relative to the working directory. The run holds the job's lock in
    that store, resumes from the last saved checkpoint unless ``ignore_state``, and saves
    a checkpoint every ``checkpoint.interval`` and at the end. With ``handle_signals``
    (the CLI), SIGTERM/SIGINT stop the job cleanly, a second one at once.

    A run report (``engine/report.py``) is written to ``report`` (else the job's
    ``env.report``, from the job file's folder) when the run ends, also when it fails.
    """
    recorder = RunRecorder(str(path), metrics or JobMetrics())
    try:
        result = _run(path, variables, job_name, registry, state_store, ignore_state, handle_signals, recorder)
    except BaseException as exc:
        recorder.error = exc
        raise
    finally:
        _write_report(report, recorder)
    recorder.result = result
    return result


def _write_report(report: str | Path | None, recorder: RunRecorder) -> None:
    job = recorder.job
    if report is not None:
        target = Path(report)
    elif job is not None and job.env.report:
        target = job.work_dir / Path(job.env.report).expanduser()
    else:
        return
    try:
        write_report(target, recorder.document())
    except OSError as exc:
        log.error("cannot write the run report %s: %s", target, exc)


@contextmanager
def _exported(job: JobConfig, key: str, recorder: RunRecorder) -> Iterator[MetricsSession | None]:
    """The run's metrics exporter while the block runs (``engine/exporter.py``), ``None`` when the
    job's ``env`` turns no metrics on: then nothing of it is even imported."""
    if not job.env.metrics_enabled:
        yield None
        return
    from .engine.exporter import MetricsSession

    with MetricsSession(recorder.metrics).running(job, key) as session:
        yield session


def _run(path: str | Path, variables: Mapping[str, str] | None, job_name: str | None, registry: Registry | None,
         state_store: str | StateStore | None, ignore_state: bool, handle_signals: bool,
         recorder: RunRecorder) -> JobResult:
    job, issues = _bind(path, variables, job_name, registry)
    recorder.job = job
    if issues:
        build_plan(job, prior=issues)  # raises every binding and planning problem together
    key = state_key(job)
    activity.run_context.update(job=key, run_id=None, checkpoint=None)
    location = None if isinstance(state_store, StateStore) else store_location(job, state_store)
    store = state_store if isinstance(state_store, StateStore) else _open(location)
    recorder.state_store = store.url
    try:
        # metrics are pushed or served only while the run holds the job's lock: the run holding it owns them
        with store.locked(key), _exported(job, key, recorder) as exporter:
            legacy = location is None and not os.environ.get(STATE_STORE_ENV)
            retries, interval = job.env.job_retry_times or 0, job.env.job_retry_interval_seconds or 3
            while True:
                try:
                    return _attempt(job, key, store, ignore_state, legacy, handle_signals, recorder, exporter)
                except JobFailed as failure:
                    if recorder.attempts > retries or not is_transient(failure.cause):
                        raise
                    runner = recorder.runner
                    if ignore_state and runner is not None and runner.coordinator.last_id is not None:
                        ignore_state = False  # the next attempt goes on from what this one saved
                    recorder.failed_attempts.append(failure)
                    if exporter is not None:
                        exporter.attempt_failed()
                    log.warning("attempt %d of %d failed (%s); trying again in %d s from the last checkpoint",
                                recorder.attempts, retries + 1, failure, interval)
                    time.sleep(interval)
                    recorder.attempts += 1
    finally:
        if not isinstance(state_store, StateStore):
            store.close()
