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
) -> JobResult:
    """Check and run a job to completion; raise ``ConfigErrors`` or ``JobFailed``."""
    plan = plan_job(path, variables, job_name, registry)
    return BatchRunner(plan, metrics).run()
