"""Logging set-up, the progress display and error printing for the CLI."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from typing import TextIO

from ..api.secrets import mask_secrets
from ..engine.metrics import JobMetrics

log = logging.getLogger("seatunnel_py")


class MaskingFormatter(logging.Formatter):
    """Formats a record, then masks passwords in URLs and parameters (tracebacks included)."""

    def format(self, record: logging.LogRecord) -> str:
        """The formatted line with every secret ``mask_secrets`` recognises replaced."""
        return mask_secrets(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line for log collectors: time, level, logger, message, and where it came from.

    ``job``, ``run_id`` and ``checkpoint`` come from the run being logged (``run_context``);
    ``plugin`` and ``call`` name the plugin call the logging thread is in, if any. Secrets
    are masked like in text lines.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        from ..engine import activity

        entry: dict[str, object] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in activity.run_context.items() if v is not None})
        call = activity.current(threading.current_thread())
        if call is not None:
            entry["plugin"], entry["call"] = call.label, call.what
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        entry["thread"] = record.threadName
        return mask_secrets(json.dumps(entry, default=str))


def setup_logging(verbose: int, quiet: bool, json_lines: bool = False) -> None:
    """Log lines on stderr, text or JSON (``json_lines``); ``-v`` for debug (tracebacks), ``-q``: warnings only."""
    global _json_lines
    _json_lines = json_lines
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else
                         MaskingFormatter("%(asctime)s %(levelname)-5s %(message)s", "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING if not verbose else logging.DEBUG)
    logging.getLogger("seatunnel_py").setLevel(level)
    logging.captureWarnings(True)


_json_lines = False


def error(message: str) -> None:
    """Print an error line on stderr, secrets masked (a JSON log line with ``--log-format json``)."""
    if _json_lines:
        level, _, text = message.partition(" ")
        levels = {"ERROR": logging.ERROR, "WARNING": logging.WARNING}
        log.log(levels.get(level, logging.ERROR), text if level in levels else message)
        return
    print(mask_secrets(message), file=sys.stderr, flush=True)


def plural(count: int, noun: str) -> str:
    """``1 row``, ``2 rows``, with thousands separators."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class _SharedTerminal:
    """``sys.stdout`` while a live progress line sits on the same terminal.

    Every write (a Console row) first clears the progress line, so rows never run into
    it; the line is drawn again at the next tick.
    """

    def __init__(self, stream: TextIO, progress: Progress) -> None:
        self._stream = stream
        self._progress = progress

    def write(self, text: str) -> int:
        with self._progress.lock:
            self._progress.clear_line()
            return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


class Progress:
    """Rows read and written while a job runs: a live line on a terminal, log lines otherwise.

    The rate shown is the current one (over the last interval), so a stalled job shows 0
    rows/s instead of an average that slowly falls.
    """

    def __init__(self, metrics: JobMetrics, enabled: bool = True, interval: float | None = None) -> None:
        self.metrics = metrics
        self.tty = sys.stderr.isatty()
        self.enabled = enabled
        self.interval = interval or (0.5 if self.tty else 10.0)
        self.lock = threading.Lock()
        self._shown = False
        self._last: tuple[int, float] | None = None
        self._stdout: TextIO | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="progress", daemon=True)

    def __enter__(self) -> Progress:
        if self.enabled:
            if self.tty and sys.stdout.isatty():
                self._stdout = sys.stdout
                sys.stdout = _SharedTerminal(sys.stdout, self)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._stdout is not None:
            sys.stdout = self._stdout
            self._stdout = None
        with self.lock:
            self.clear_line()

    def clear_line(self) -> None:
        """Erase the live line if it is on screen (call with ``lock`` held)."""
        if self._shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self._shown = False

    def line(self) -> str:
        """One progress line: totals, the current read rate, the elapsed time."""
        read, written, seconds = self.metrics.snapshot()
        last, self._last = self._last, (read, seconds)
        if last is None or seconds <= last[1]:
            rate = read / seconds if seconds > 0 else 0.0
        else:
            rate = (read - last[0]) / (seconds - last[1])
        return (f"read {plural(read, 'row')} | written {plural(written, 'row')} | {rate:,.0f} rows/s now | "
                f"{seconds:,.0f}s")

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            if self.tty:
                with self.lock:
                    sys.stderr.write("\r\033[K" + self.line())
                    sys.stderr.flush()
                    self._shown = True
            else:
                log.info("progress: %s", self.line())
