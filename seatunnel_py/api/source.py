"""The source contract: schema first, splits, readers rebuilt from (split, state)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from .plugin import O, Plugin

State = dict[str, Any]
"""JSON-serialisable reader state (what the checkpoint stores per split)."""


@dataclass(frozen=True)
class Split:
    """A unit of parallelism and of resume: a file, a key range, a partition.

    ``split_id`` is stable across runs (it keys the saved state); ``payload`` is a
    JSON-serialisable description the source needs to read it.
    """

    split_id: str
    payload: dict[str, Any] = field(default_factory=dict)


class SplitReader(ABC):
    """Reads one split. Built from ``(split, restored_state)`` alone."""

    @abstractmethod
    def read(self) -> Iterator[pa.RecordBatch | None]:
        """Yield record batches of the source's output schema.

        A bounded split ends by returning. Yield ``None`` when no data is ready (an
        unbounded split between polls) so the engine can stop or checkpoint; never
        block for long. A batch may carry the row-kind column (see ``rowkind``).
        """

    def snapshot(self) -> State | None:
        """State that resumes reading *after* the last batch handed out."""
        return None

    def close(self) -> None:
        """Release resources (connections, files)."""


class Source(Plugin[O], ABC):
    """A source plugin.

    Lifecycle: ``output_schema()`` at plan time (before any data; must not connect
    unless the schema can only be known from the server); ``open()`` once before
    reading; ``splits()``; ``create_reader(split, state)`` per split, possibly from
    several threads; ``close()`` once at the end.
    """

    @abstractmethod
    def output_schema(self) -> pa.Schema:
        """The Arrow schema of the batches this source produces (without row kinds)."""

    @abstractmethod
    def splits(self) -> list[Split]:
        """The splits to read, in order."""

    @abstractmethod
    def create_reader(self, split: Split, state: State | None = None) -> SplitReader:
        """A reader for one split, resuming from ``state`` when given."""

    def open(self) -> None:
        """Connect or prepare before the first split is read."""

    def close(self) -> None:
        """Release what ``open`` took."""
