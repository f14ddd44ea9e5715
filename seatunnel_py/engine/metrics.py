"""Counters shared by the pipeline tasks of a job."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class JobMetrics:
    """Rows and bytes per plugin, updated once per batch (cheap: one lock per batch)."""

    started: float = field(default_factory=time.time)
    read_rows: int = 0
    read_bytes: int = 0
    written_rows: int = 0
    failed_rows: int = 0
    per_plugin_in: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    per_plugin_out: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def on_read(self, label: str, rows: int, nbytes: int) -> None:
        """A source handed out a batch."""
        with self._lock:
            self.read_rows += rows
            self.read_bytes += nbytes
            self.per_plugin_out[label] += rows

    def on_transform(self, label: str, rows_in: int, rows_out: int) -> None:
        """A transform processed a batch."""
        with self._lock:
            self.per_plugin_in[label] += rows_in
            self.per_plugin_out[label] += rows_out

    def on_write(self, label: str, rows: int) -> None:
        """A sink writer accepted a batch."""
        with self._lock:
            self.written_rows += rows
            self.per_plugin_in[label] += rows

    def snapshot(self) -> tuple[int, int, float]:
        """(read rows, written rows, seconds since start)."""
        with self._lock:
            return self.read_rows, self.written_rows, time.time() - self.started
