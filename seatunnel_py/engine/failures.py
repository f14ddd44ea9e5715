"""How a run-time failure reaches the user: one line naming the plugin, exit code 1."""

from __future__ import annotations

from ..api.errors import SeaTunnelError
from ..api.secrets import mask_secrets


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
