"""SIGTERM / SIGINT while a job runs: the first stops it cleanly, the second at once."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from .runner import JobRunner

log = logging.getLogger(__name__)


@contextmanager
def stop_on_signals(runner: JobRunner) -> Iterator[None]:
    """While the block runs, SIGTERM/SIGINT ask ``runner`` to stop.

    First signal: stop reading, take a final checkpoint, commit, end normally. Second:
    stop at once (the run raises ``KeyboardInterrupt``; nothing more is committed, the
    next run resumes from the last checkpoint). The handler only sets the runner's flags:
    it never raises into whatever the main thread is doing, so a checkpoint being saved
    is saved whole and, once saved, is never aborted. Outside the main thread signals
    cannot be caught, and the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = 0

    def handle(signum: int, frame: FrameType | None) -> None:
        nonlocal received
        received += 1
        name = signal.Signals(signum).name
        if received == 1:
            log.warning("%s received: stopping after a final checkpoint (send it again to stop at once)", name)
            runner.request_stop()
        else:
            log.warning("%s received again: stopping at once", name)
            runner.stop_now()

    previous: dict[int, Any] = {}
    for caught in (signal.SIGTERM, signal.SIGINT):
        previous[caught] = signal.signal(caught, handle)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
