"""Calling plugins: every failure names the plugin, every call is visible while it runs."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import activity


class PluginFailure(Exception):
    """A plugin raised: which plugin, and the original exception."""

    def __init__(self, label: str, cause: BaseException) -> None:
        super().__init__(f"{label}: {cause}")
        self.label = label
        self.cause = cause


@dataclass
class JobControl:
    """What all tasks of a job share: the stop flags and the first failure.

    ``stop`` ends everything at once (failure or a second signal); ``drain`` asks the
    readers to end their input so that a final checkpoint can be taken.
    """

    stop: threading.Event = field(default_factory=threading.Event)
    drain: threading.Event = field(default_factory=threading.Event)
    failure: PluginFailure | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, failure: PluginFailure) -> None:
        """Record the first failure and ask every task to stop."""
        with self._lock:
            if self.failure is None:
                self.failure = failure
        self.stop.set()


def guarded(label: str, call: Callable[..., Any], *args: Any, what: str | None = None) -> Any:
    """Call a plugin, turning any exception into a ``PluginFailure`` naming it.

    While the call runs, the thread is recorded as being in ``what`` of ``label``
    (default: the callable's qualified name), so that a call that never returns can be
    named when the job has to end (``activity.stuck_report``).
    """
    outer = activity.enter(label, what or str(getattr(call, "__qualname__", None) or repr(call)))
    try:
        return call(*args)
    except PluginFailure:
        raise
    except Exception as exc:
        raise PluginFailure(label, exc) from exc
    finally:
        activity.leave(outer)


@functools.lru_cache(maxsize=256)
def _accepted(function: Callable[..., Any]) -> frozenset[str] | None:
    """Keyword names ``function`` accepts (``None``: any, it takes ``**kwargs``)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return frozenset()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters
                     if p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD))


def call_accepting(function: Callable[..., Any], args: tuple[Any, ...], optional: Mapping[str, Any]) -> Any:
    """Call ``function(*args)`` with those ``optional`` keywords its signature accepts.

    Lets a hook grow a parameter without breaking plugins written before it (as pluggy
    passes a hook implementation only the arguments it names).
    """
    names = _accepted(getattr(function, "__func__", function))
    extra = dict(optional) if names is None else {k: v for k, v in optional.items() if k in names}
    return function(*args, **extra)
