"""What the engine tells a plugin about the job it runs in."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

JobMode = Literal["BATCH", "STREAMING"]


class RowCounters:
    """What a plugin reports about rows beyond the batches it hands on (thread-safe).

    ``reject(rows)``: rows dropped by the job's error policy (a message that cannot be
    decoded, skipped by ``format_error_handle_way = skip``). They count as failed in the
    job's statistics (``Total Failed Count``) instead of vanishing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.rejected = 0

    def reject(self, rows: int = 1) -> None:
        """Count ``rows`` rows rejected by the error policy."""
        with self._lock:
            self.rejected += rows


@dataclass(frozen=True)
class PluginContext:
    """Facts a plugin may use when it is built: the job, its mode, where it stands."""

    job_name: str = "SeaTunnel_Job"
    """``env.job.name`` as written (SeaTunnel's default ``SeaTunnel_Job`` when unset): for display only."""
    job_key: str = "SeaTunnel_Job"
    """The engine's identity of the job: ``job.name`` when set, else ``<file stem>@<hash of its path>``.

    The job's state and run lock are kept under this key. Derive every name that must be
    the same across runs of one job and differ between jobs from it: staging folders,
    transaction ids, XA prefixes, checkpoint-table keys. Two unnamed jobs never share it.
    """
    job_mode: JobMode = "BATCH"
    label: str = ""
    """Where the plugin stands in the job, e.g. ``source.FakeSource`` or ``sink[1].Console``."""
    parallelism: int = 1
    work_dir: Path = field(default_factory=Path.cwd)
    """Directory relative paths in options are resolved against (the job file's folder)."""
    run_id: str = ""
    """Unique id of this run (used in temporary names)."""
    restored_checkpoint_id: int | None = None
    """The saved checkpoint this run resumes from; ``None`` on a fresh start.

    Sinks apply their schema and data save modes only on a fresh start (a resumed run
    must not drop what earlier checkpoints committed). Checkpoint ids keep growing
    across runs of the same ``job.name``, so ids derived from them (transaction ids,
    deduplication tokens) never repeat.
    """

    counters: RowCounters = field(default_factory=RowCounters, compare=False)
    """Where the plugin reports rows it rejected (shared by every instance of the plugin in a run)."""

    @property
    def bounded(self) -> bool:
        """True in BATCH mode: sources must end."""
        return self.job_mode == "BATCH"
