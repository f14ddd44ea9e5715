"""The run report: one JSON document per run, written also when the run fails.

``run --report FILE`` or ``env { report = "FILE" }`` (relative to the job file's folder).
The document follows ``docs/run-report.schema.json`` (``REPORT_VERSION``); a scheduler or
a monitoring job reads it instead of parsing the statistics block. It is written
atomically (a temporary file renamed), so a reader never sees half a report.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..api.secrets import mask_secrets
from ..config.issues import ConfigErrors
from ..config.job import JobConfig
from .failures import JobFailed, describe
from .metrics import JobMetrics
from .outcome import exit_code, status_of
from .plan import Plan
from .restore import state_key
from .runner import JobResult, JobRunner

REPORT_VERSION = 1


@dataclass
class RunRecorder:
    """Collects what a run learns about itself, as it learns it, for its report."""

    file: str
    metrics: JobMetrics
    started: float = field(default_factory=time.time)
    job: JobConfig | None = None
    plan: Plan | None = None
    state_store: str | None = None
    restored_from: int | None = None
    runner: JobRunner | None = None
    result: JobResult | None = None
    error: BaseException | None = None
    attempts: int = 1
    failed_attempts: list[JobFailed] = field(default_factory=list)
    """Attempts that failed with a retryable error and were tried again (``job.retry.times``)."""

    def document(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        ended = time.time()
        code = exit_code(self.error, self.metrics if self.error is None else None)
        result = self.result
        return {
            "report_version": REPORT_VERSION,
            "seatunnel_py_version": __version__,
            "job": self._job(),
            "run_id": self.plan.run_id if self.plan else None,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": _iso(self.started),
            "ended_at": _iso(ended),
            "seconds": round(ended - self.started, 3),
            "status": status_of(code),
            "exit_code": int(code),
            "attempts": self.attempts,
            "failed_attempts": [{"attempt": number, "plugin": failure.label, "message": str(failure)}
                                for number, failure in enumerate(self.failed_attempts, start=1)],
            "stopped_by_signal": bool(result and result.stopped),
            "rows": {"read": self.metrics.read_rows, "written": self.metrics.written_rows,
                     "rejected": self.metrics.failed_rows},
            "plugins": self._plugins(),
            "checkpoints": {
                "taken": self.runner.coordinator.completed if self.runner else 0,
                "restored_from": self.restored_from,
                "last_saved": self.runner.coordinator.last_id if self.runner else None,
            },
            "state_store": self.state_store,
            "error": self._error(),
        }

    def _job(self) -> dict[str, Any]:
        job = self.job
        return {
            "file": self.file,
            "key": state_key(job) if job else None,
            "name": job.name if job else None,
            "mode": job.env.job_mode.value if job else None,
        }

    def _plugins(self) -> list[dict[str, Any]]:
        if self.plan is None:
            return []
        out = []
        for node in [*self.plan.sources, *self.plan.transforms, *self.plan.sinks]:
            entry: dict[str, Any] = {"label": node.label, "kind": node.spec.kind.value, "name": node.spec.name}
            if node.label in self.metrics.inputs:
                entry["in"] = self.metrics.inputs[node.label].as_dict()
            if node.label in self.metrics.outputs:
                entry["out"] = self.metrics.outputs[node.label].as_dict()
            entry["rejected_rows"] = node.plugin.context.counters.rejected
            out.append(entry)
        return out

    def _error(self) -> dict[str, Any] | None:
        error = self.error
        if error is None:
            return None
        if isinstance(error, JobFailed):
            return {"plugin": error.label, "message": str(error), "type": type(error.cause).__name__}
        if isinstance(error, ConfigErrors):
            return {"plugin": None, "message": "; ".join(issue.render() for issue in error.issues),
                    "type": "ConfigErrors"}
        if isinstance(error, KeyboardInterrupt):
            return {"plugin": None, "message": "stopped at once by a second signal", "type": "KeyboardInterrupt"}
        return {"plugin": None, "message": describe(error), "type": type(error).__name__}


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 1000):03d}Z"


def write_report(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` to ``path`` atomically (secrets masked)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = mask_secrets(json.dumps(document, indent=2, sort_keys=False))
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
