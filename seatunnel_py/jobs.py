"""The importable entry points the CLI and tests share: check a job, run a job."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from .config.binding import bind_job_collecting
from .config.issues import ConfigErrors, ConfigIssue
from .config.job import JobConfig
from .config.loader import load_file
from .engine.metrics import JobMetrics
from .engine.plan import Plan, build_plan
from .engine.restore import choose, state_key
from .engine.runner import JobResult, JobRunner
from .engine.signals import stop_on_signals
from .engine.state import StateStore, open_store
from .plugins import get_registry
from .registry import Registry

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


def run_job(
    path: str | Path,
    variables: Mapping[str, str] | None = None,
    job_name: str | None = None,
    registry: Registry | None = None,
    metrics: JobMetrics | None = None,
    state_store: str | StateStore | None = None,
    ignore_state: bool = False,
    handle_signals: bool = False,
) -> JobResult:
    """Check and run a job; raise ``ConfigErrors``, ``StateError``, ``StateLocked`` or ``JobFailed``.

    The job's state lives in ``state_store`` (a store or its URL), else in the store its
    ``env.state.store`` names, else ``$SEATUNNEL_PY_STATE_STORE``, else
    ``.seatunnel-py/state`` under the working directory. The run holds the job's lock in
    that store, resumes from the last saved checkpoint unless ``ignore_state``, and saves
    a checkpoint every ``checkpoint.interval`` and at the end. With ``handle_signals``
    (the CLI), SIGTERM/SIGINT stop the job cleanly, a second one at once.
    """
    job, issues = _bind(path, variables, job_name, registry)
    if issues:
        build_plan(job, prior=issues)  # raises every binding and planning problem together
    key = state_key(job)
    store = state_store if isinstance(state_store, StateStore) else open_store(
        state_store or (job.env.state_store or None))
    try:
        with store.locked(key):
            resume = choose(job, store.load(key), ignore_state)
            if resume.restored is not None:
                log.info("resuming job %r from checkpoint %d", key, resume.restored.checkpoint_id)
            restored_id = resume.restored.checkpoint_id if resume.restored else None
            plan = build_plan(job, restored_checkpoint_id=restored_id)
            for warning in plan.warnings:
                log.warning("%s", warning)
            runner = JobRunner(plan, metrics, store=store, state_key=key, restored=resume.restored,
                               first_checkpoint_id=resume.next_checkpoint_id)
            if handle_signals:
                with stop_on_signals(runner):
                    return runner.run()
            return runner.run()
    finally:
        if not isinstance(state_store, StateStore):
            store.close()
