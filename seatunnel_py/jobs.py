"""The importable entry points the CLI and tests share: check a job, run a job."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from .config.binding import bind_job
from .config.job import JobConfig
from .config.loader import load_file
from .engine.metrics import JobMetrics
from .engine.plan import Plan, build_plan
from .engine.runner import BatchRunner, JobResult
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
    raw = load_file(path, variables, environ)
    job = bind_job(raw, registry or get_registry())
    if job_name:
        job.env = job.env.model_copy(update={"job_name": job_name})
    return job


def check_job(path: str | Path, variables: Mapping[str, str] | None = None, registry: Registry | None = None) -> Plan:
    """Validate a job completely without connecting anywhere; return its plan."""
    plan = build_plan(load_job(path, variables, registry=registry))
    for warning in plan.warnings:
        log.warning("%s", warning)
    return plan


def run_job(
    path: str | Path,
    variables: Mapping[str, str] | None = None,
    job_name: str | None = None,
    registry: Registry | None = None,
    metrics: JobMetrics | None = None,
) -> JobResult:
    """Check and run a job to completion; raise ``ConfigErrors`` or ``JobFailed``."""
    job = load_job(path, variables, job_name, registry)
    plan = build_plan(job)
    for warning in plan.warnings:
        log.warning("%s", warning)
    if job.env.job_mode.value == "STREAMING":
        from .api.errors import PlanError

        raise PlanError(
            "job.mode = STREAMING needs checkpoints, which this version does not have yet; run it with job.mode = BATCH"
        )
    return BatchRunner(plan, metrics).run()
