"""Exceptions that may cross the plugin boundary.

Plugins raise :class:`ConnectorError` (or a subclass) for failures whose message is
already one clear line for the user ("cannot connect to 127.0.0.1:5432: connection
refused"). Any other exception from a plugin is reported as ``Type: message`` with the
traceback in the debug log.
"""

from __future__ import annotations


class SeaTunnelError(Exception):
    """Base class of every error seatunnel-py raises on purpose."""


class ConnectorError(SeaTunnelError):
    """A connector failed at run time; the message is shown to the user as is."""


class TransientError(ConnectorError):
    """A failure that may pass when the run is tried again later: a server unreachable, a timeout.

    The run exits with the *retryable* code (75), which a cron wrapper or scheduler can
    act on. ``ConnectionError`` and ``TimeoutError`` raised by a plugin count the same.
    """


class DataError(ConnectorError):
    """A record could not be read or written (bad JSON, a value that does not fit)."""


class RuleViolation(ConnectorError):
    """A check on the data failed (the Assert sink)."""


class PlanError(SeaTunnelError):
    """The job is well-formed but cannot run (impossible wiring, a capability missing)."""


class OptionError(PlanError):
    """A plugin's option is wrong in a way only the plugin can tell (raised at plan time).

    ``option`` is the option's path inside the plugin block (``"fields"`` or
    ``("schema", "fields", "c")``) so that the error is reported at its line.
    """

    def __init__(self, option: str | tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.option: tuple[str | int, ...] = (option,) if isinstance(option, str) else tuple(option)
        self.message = message
