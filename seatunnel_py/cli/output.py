"""Logging set-up, the progress display and error printing for the CLI."""

from __future__ import annotations

import logging
import sys
import threading

from ..api.secrets import mask_secrets
from ..engine.metrics import JobMetrics

log = logging.getLogger("seatunnel_py")


class MaskingFormatter(logging.Formatter):
    """Formats a record, then masks passwords in URLs and parameters (tracebacks included)."""

    def format(self, record: logging.LogRecord) -> str:
        """The formatted line with every secret ``mask_secrets`` recognises replaced."""
        return mask_secrets(super().format(record))


def setup_logging(verbose: int, quiet: bool) -> None:
    """Plain log lines on stderr; ``-v`` for debug (tracebacks), ``-q`` for warnings only."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)-5s %(message)s", "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if not verbose else logging.DEBUG)
    logging.getLogger("seatunnel_py").setLevel(level)
    logging.captureWarnings(True)


def error(message: str) -> None:
    """Print an error line on stderr, secrets masked."""
    print(mask_secrets(message), file=sys.stderr, flush=True)


class Progress:
    """Rows read and written while a job runs: a live line on a terminal, log lines otherwise."""

    def __init__(self, metrics: JobMetrics, enabled: bool = True, interval: float | None = None) -> None:
        self.metrics = metrics
        self.tty = sys.stderr.isatty()
        self.enabled = enabled
        self.interval = interval or (0.5 if self.tty else 10.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="progress", daemon=True)

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self.enabled and self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()

    def line(self) -> str:
        """One progress line."""
        read, written, seconds = self.metrics.snapshot()
        rate = read / seconds if seconds > 0 else 0.0
        return f"read {read:,} rows | written {written:,} rows | {rate:,.0f} rows/s | {seconds:,.0f}s"

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            if self.tty:
                sys.stderr.write("\r\033[K" + self.line())
                sys.stderr.flush()
            else:
                log.info("progress: %s", self.line())
