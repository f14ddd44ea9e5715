"""Which saved state a run resumes from, and whether the job can still use it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..config.job import JobConfig, PluginSpec
from .state import Checkpoint, StateError


def state_key(job: JobConfig) -> str:
    """The name a job's state is saved under.

    ``job.name`` (or ``run -n``) when given. A job file without a name is keyed by its
    file, ``<file stem>@<hash of its absolute path>``, so two unnamed jobs never share
    state (SeaTunnel names them all ``SeaTunnel_Job``).
    """
    if "job_name" in job.env.model_fields_set:
        return job.env.job_name
    path = Path(job.file).resolve()
    return f"{path.stem}@{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class Resume:
    """What a run starts from: the checkpoint to restore (if any) and the next checkpoint id."""

    restored: Checkpoint | None
    next_checkpoint_id: int
    saved: Checkpoint | None


def position_key(spec: PluginSpec) -> str:
    """The stable key of a plugin in saved state: its block and position, e.g. ``source[0]``."""
    return f"{spec.kind.value}[{spec.index}]"


def plugins_of(job: JobConfig) -> dict[str, str]:
    """State key → plugin name for the sources and sinks of ``job``, recorded in every checkpoint."""
    return {position_key(spec): spec.name for spec in (*job.sources, *job.sinks)}


def choose(job: JobConfig, saved: Checkpoint | None, ignore_state: bool) -> Resume:
    """Decide what to restore; ``StateError`` when the saved state does not fit the job.

    Checkpoint ids keep growing even when the state is ignored, so ids derived from them
    by sinks (transaction ids, deduplication tokens) never repeat for a job.
    """
    next_id = saved.checkpoint_id + 1 if saved else 1
    if saved is None or ignore_state or not (saved.plugins or saved.splits or saved.writers or saved.pending):
        return Resume(None, next_id, saved)  # nothing saved, ignored, or only a reset's id counter
    now = plugins_of(job)
    problems = []
    for key, name in sorted(saved.plugins.items()):
        has_state = bool(saved.splits.get(key)) or bool(saved.pending.get(key)) or bool(saved.writers.get(key))
        if not has_state:
            continue
        if key not in now:
            problems.append(f"{key} ({name}) is no longer in the job")
        elif now[key] != name:
            problems.append(f"{key} was {name} and is now {now[key]}")
    if problems:
        raise StateError(
            f"the saved state of job {saved.job_name!r} (checkpoint {saved.checkpoint_id}) does not fit the job "
            f"any more: {'; '.join(problems)}. Its positions cannot be used: run with --ignore-state to start "
            "over, or `seatunnel-py state reset` it")
    return Resume(saved, next_id, saved)
