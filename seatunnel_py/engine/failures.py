"""How a run-time failure reaches the user: one line naming the plugin, exit code 1."""

from __future__ import annotations

import logging
import time

from ..api.errors import SeaTunnelError
from ..api.secrets import mask_secrets
from .activity import StuckThread

log = logging.getLogger(__name__)


class JobFailed(SeaTunnelError):
    """The job failed at run time (exit code 1); the message is one line naming the plugin.

    Raised by the runner when a plugin fails, and by the planner when a plugin cannot
    reach its server while planning (a source asking for its schema): the job file is
    fine in both cases.
    """

    def __init__(self, label: str, cause: BaseException) -> None:
        self.label = label
        self.cause = cause
        super().__init__(f"{label} failed: {describe(cause)}")


def describe(exc: BaseException) -> str:
    """A one-line description of an exception, without a traceback."""
    if isinstance(exc, SeaTunnelError):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return mask_secrets(" ".join(text.split()))


class JobStuck(SeaTunnelError):
    """A plugin did not return within the grace period after the job had to end."""


def stuck_failure(label: str | None, cause: BaseException | None, stuck: list[StuckThread],
                  grace: float) -> JobFailed:
    """One line: what failed (if anything did) and which plugin did not return, doing what.

    The Python stack of every such thread is logged at debug level (the CLI's ``-v``).
    """
    now = time.monotonic()
    for thread in stuck:
        log.debug("thread %s did not stop:\n%s", thread.thread, thread.stack)
    blamed = next((t.call.label for t in stuck if t.call is not None), "engine")
    what = "; ".join(t.describe(now) for t in stuck)
    text = f"did not return within the {grace:g} s grace period (env.shutdown.timeout): {what}"
    if label is None or cause is None:
        return JobFailed(blamed, JobStuck(text))
    return JobFailed(label, JobStuck(f"{describe(cause)}; then {text}"))
