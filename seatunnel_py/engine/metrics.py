"""Counters shared by the pipeline tasks of a job."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Flow:
    """What went into or out of one plugin: rows, bytes (Arrow buffer sizes) and batches."""

    rows: int = 0
    bytes: int = 0
    batches: int = 0

    def add(self, rows: int, nbytes: int) -> None:
        """Count one batch."""
        self.rows += rows
        self.bytes += nbytes
        self.batches += 1

    def as_dict(self) -> dict[str, int]:
        """``{"rows": …, "bytes": …, "batches": …}``."""
        return {"rows": self.rows, "bytes": self.bytes, "batches": self.batches}


@dataclass
class JobMetrics:
    """Rows, bytes and batches per plugin, updated once per batch (cheap: one lock per batch)."""

    started: float = field(default_factory=time.time)
    read_rows: int = 0
    read_bytes: int = 0
    written_rows: int = 0
    failed_rows: int = 0
    inputs: dict[str, Flow] = field(default_factory=lambda: defaultdict(Flow))
    """Plugin label → what it received (transforms and sinks)."""
    outputs: dict[str, Flow] = field(default_factory=lambda: defaultdict(Flow))
    """Plugin label → what it handed on (sources and transforms)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def per_plugin_in(self) -> dict[str, int]:
        """Plugin label → rows received."""
        return {label: flow.rows for label, flow in self.inputs.items()}

    def on_read(self, label: str, rows: int, nbytes: int) -> None:
        """A source handed out a batch."""
        with self._lock:
            self.read_rows += rows
            self.read_bytes += nbytes
            self.outputs[label].add(rows, nbytes)

    def on_transform(self, label: str, rows_in: int, rows_out: int, bytes_in: int = 0, bytes_out: int = 0) -> None:
        """A transform processed a batch."""
        with self._lock:
            self.inputs[label].add(rows_in, bytes_in)
            if rows_out:
                self.outputs[label].add(rows_out, bytes_out)

    def on_write(self, label: str, rows: int, nbytes: int = 0) -> None:
        """A sink writer accepted a batch."""
        with self._lock:
            self.written_rows += rows
            self.inputs[label].add(rows, nbytes)

    def flows(self) -> tuple[dict[str, Flow], dict[str, Flow]]:
        """Copies of ``inputs`` and ``outputs``, taken together (for a metrics exporter's thread)."""
        with self._lock:
            return ({label: Flow(f.rows, f.bytes, f.batches) for label, f in self.inputs.items()},
                    {label: Flow(f.rows, f.bytes, f.batches) for label, f in self.outputs.items()})

    def snapshot(self) -> tuple[int, int, float]:
        """(read rows, written rows, seconds since start)."""
        with self._lock:
            return self.read_rows, self.written_rows, time.time() - self.started
