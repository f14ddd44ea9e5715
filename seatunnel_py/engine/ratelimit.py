"""``read_limit.rows_per_second`` / ``read_limit.bytes_per_second``, per source task."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pyarrow as pa


class RateLimiter:
    """Paces a reader so that it hands out at most the configured rows and bytes per second.

    Batches larger than a tenth of a second's worth of rows are sliced so the pace is
    smooth rather than one large burst per second.
    """

    def __init__(
        self, rows_per_second: int | None, bytes_per_second: int | None, stop: threading.Event | None = None
    ) -> None:
        self.rows_per_second = rows_per_second
        self.bytes_per_second = bytes_per_second
        self.stop = stop or threading.Event()
        self._start = time.monotonic()
        self._rows = 0
        self._bytes = 0

    @property
    def active(self) -> bool:
        """True when a limit is set."""
        return bool(self.rows_per_second or self.bytes_per_second)

    def pace(self, batch: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
        """Yield ``batch`` (in slices if needed), sleeping to honour the limits."""
        if not self.active:
            yield batch
            return
        step = batch.num_rows
        if self.rows_per_second:
            step = max(1, min(step, self.rows_per_second // 10))
        for offset in range(0, batch.num_rows, step or 1):
            part = batch.slice(offset, step)
            self._rows += part.num_rows
            self._bytes += part.nbytes
            due = 0.0
            if self.rows_per_second:
                due = max(due, self._rows / self.rows_per_second)
            if self.bytes_per_second:
                due = max(due, self._bytes / self.bytes_per_second)
            wait = self._start + due - time.monotonic()
            if wait > 0:
                self.stop.wait(wait)
            if self.stop.is_set():
                return
            yield part
