"""How a run ended, as a status word and an exit code a scheduler can act on.

| code | status | meaning |
|---|---|---|
| 0 | ``succeeded`` | the job ran to its end (or to a requested stop) |
| 1 | ``failed`` | the job failed; running it again resumes, but it will likely fail again |
| 2 | ``invalid`` | bad job file or usage: nothing ran |
| 3 | ``succeeded_with_rejects`` | the job ran to its end, and rows were rejected by an error policy |
| 75 | ``retryable`` | may pass later: a server unreachable, a timeout, the lock held by another run |

A plugin that hangs (``JobStuck``) is exit 1: something is wrong with it, not with the
weather.
| 130 | ``interrupted`` | stopped at once by a second signal |

75 is ``EX_TEMPFAIL`` of ``sysexits.h``, the code mail and cron tools use for "try again later".
"""

from __future__ import annotations

import enum

from ..api.errors import OptionError, PlanError, TransientError
from ..config.issues import ConfigErrors, UsageError
from ..registry import DuplicatePluginError
from .checkpoint import CheckpointExpired
from .failures import JobFailed
from .metrics import JobMetrics
from .state import StateLocked


class ExitCode(enum.IntEnum):
    """The exit codes of ``seatunnel-py run`` (see the module's table)."""

    SUCCEEDED = 0
    FAILED = 1
    INVALID = 2
    SUCCEEDED_WITH_REJECTS = 3
    RETRYABLE = 75
    INTERRUPTED = 130


def is_transient(cause: BaseException | None) -> bool:
    """True for failures that may pass when the run is tried again later."""
    return isinstance(cause, (TransientError, ConnectionError, TimeoutError, CheckpointExpired))


def exit_code(error: BaseException | None, metrics: JobMetrics | None = None) -> ExitCode:
    """The exit code of a run that raised ``error`` (``None``: it returned)."""
    if error is None:
        rejected = metrics.failed_rows if metrics is not None else 0
        return ExitCode.SUCCEEDED_WITH_REJECTS if rejected else ExitCode.SUCCEEDED
    if isinstance(error, (ConfigErrors, UsageError, PlanError, OptionError, DuplicatePluginError)):
        return ExitCode.INVALID
    if isinstance(error, StateLocked):
        return ExitCode.RETRYABLE
    if isinstance(error, JobFailed):
        return ExitCode.RETRYABLE if is_transient(error.cause) else ExitCode.FAILED
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    return ExitCode.FAILED


def status_of(code: ExitCode) -> str:
    """The status word of the run report for ``code``."""
    return code.name.lower()
