"""What every engine thread is doing in plugin code, to name a plugin that hangs.

Every plugin call the engine makes goes through ``guarded`` (``task.py``), which records
here, per thread, which plugin and which method the thread is in and since when. When a
job must end and a thread does not within the grace period, ``stuck_report`` says which
plugin holds it and in what call (``SplitReader.read`` for 612 s), with the thread's
Python stack for ``-v``.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from dataclasses import dataclass


@dataclass(frozen=True)
class PluginCall:
    """A plugin call in progress on one thread."""

    label: str
    """The plugin, as the job file places it (``source.Kafka``, ``sink[1].Jdbc``)."""
    what: str
    """The method, e.g. ``SplitReader.read`` or ``Committer.commit``."""
    since: float
    """``time.monotonic()`` when it started."""


_calls: dict[int, PluginCall] = {}
"""Thread ident → the plugin call it is in (a thread is in at most one)."""

run_context: dict[str, object] = {"job": None, "run_id": None, "checkpoint": None}
"""What JSON log lines say about the run being logged (one run per process): the job key,
the run id, and the checkpoint in flight, if any."""


def enter(label: str, what: str) -> PluginCall | None:
    """Record that this thread calls ``what`` of ``label``; returns the call it was in before."""
    ident = threading.get_ident()
    outer = _calls.get(ident)
    _calls[ident] = PluginCall(label, what, time.monotonic())
    return outer


def leave(outer: PluginCall | None) -> None:
    """The call recorded by ``enter`` returned: restore the call this thread was in before."""
    ident = threading.get_ident()
    if outer is None:
        _calls.pop(ident, None)
    else:
        _calls[ident] = outer


def current(thread: threading.Thread) -> PluginCall | None:
    """The plugin call ``thread`` is in, if any."""
    return _calls.get(thread.ident) if thread.ident is not None else None


@dataclass(frozen=True)
class StuckThread:
    """A thread that did not end when the job had to."""

    thread: str
    call: PluginCall | None
    stack: str

    def describe(self, now: float) -> str:
        """One phrase: the plugin, the call, for how long, and the thread."""
        if self.call is None:
            return f"the engine (thread {self.thread})"
        return (f"{self.call.label} in {self.call.what} for {now - self.call.since:.1f} s "
                f"(thread {self.thread})")


def stuck_report(threads: list[threading.Thread]) -> list[StuckThread]:
    """The threads of ``threads`` still alive, with the plugin call and stack of each."""
    frames = sys._current_frames()
    report = []
    for thread in threads:
        if not thread.is_alive():
            continue
        frame = frames.get(thread.ident) if thread.ident is not None else None
        stack = "".join(traceback.format_stack(frame)) if frame is not None else ""
        report.append(StuckThread(thread.name, current(thread), stack))
    return report
