"""The source contract: schema first, splits, readers rebuilt from (split, state)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
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
        unbounded split between polls) so the engine can notice a stop; prefer polls of
        well under a second. Each split is read in a thread of its own, so a slow or
        idle read delays neither checkpoints nor the other splits. A batch may carry the
        row-kind column (see ``rowkind``) and must otherwise have exactly the declared
        names and types (checked at run time; the job fails naming the source).
        """

    def snapshot(self) -> State | None:
        """State that resumes reading *after* the last batch handed out.

        Called by the split's own thread right after every item of ``read()`` (and once
        before the first), never concurrently with ``read()``, so it needs no lock; keep
        it cheap. The engine pairs each batch with the state after it, and a checkpoint
        saves, for each split, the state paired with the last batch it forwarded. The
        state must survive a JSON round trip (checked at every checkpoint). The state of
        an ended split is kept, so a later run of the same job can tell a finished split
        from a new one (a file already read, a cursor's last value).
        """
        return None

    def close(self) -> None:
        """Release resources (connections, files)."""


class Source(Plugin[O], ABC):
    """A source plugin.

    Lifecycle: ``output_schema()`` at plan time (before any data; must not connect
    unless the schema can only be known from the server); on a resumed run
    ``restore_states(states)``; ``open()`` once before reading; ``splits()``;
    ``create_reader(split, state)`` per split, each in the thread that then reads the
    split (so from several threads at once), with the split's state from the last
    completed checkpoint (of this run or of an earlier run of the same job key);
    ``compact_states`` and ``notify_checkpoint_complete`` at every checkpoint, from the
    coordinator thread; ``close()`` once at the end.

    In BATCH mode splits are shared by the pipeline tasks (a task takes the next split
    when its current one ends). In STREAMING mode the splits are dealt to the tasks at
    start and each task reads all its splits at once, each in its own thread, so
    unbounded splits do not starve each other; ``discover_splits()`` adds splits while
    the job runs.
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

    def discover_splits(self) -> list[Split]:
        """STREAMING mode: splits that appeared since the last call (new partitions, files).

        Called by the engine about every few seconds; return only splits not returned
        before. The default finds none.
        """
        return []

    def notify_checkpoint_complete(self, checkpoint_id: int, states: Mapping[str, State]) -> None:
        """Checkpoint ``checkpoint_id`` is persisted and committed: acknowledge upstream.

        ``states`` maps split ids to the states the checkpoint holds. Sources that
        must tell their origin what was consumed (Kafka consumer-group offsets) do it
        here, never earlier. Called from the coordinator thread; must not raise for a
        transient failure (log it: the checkpoint already holds the truth).
        """

    def restore_states(self, states: Mapping[str, State]) -> None:
        """Before ``open()``: every split state of the checkpoint this run resumes from.

        Called only on a resumed run, with what ``compact_states`` returned at that
        checkpoint (entries that are not split ids included). A source that folds
        finished splits into compact entries uses them here to leave those splits out of
        ``splits()``. The default keeps nothing: each split still gets its own state in
        ``create_reader``.
        """

    def compact_states(self, states: Mapping[str, State]) -> dict[str, State]:
        """At every checkpoint, from the coordinator thread: the split states to save.

        ``states`` maps split ids to the latest state of every split this job has read,
        in this run or earlier ones (finished splits included, so a cron run can tell a
        file already read from a new one). Return them unchanged (the default) or fold
        finished splits into fewer entries (a watermark, a compact set) so that the
        state does not grow with the job's history. Keys may be any string that is not
        a split id this source still reads; ``restore_states`` gets the result back on
        the next run. Must be quick and must not block: it runs on the checkpoint path.
        """
        return dict(states)

    def open(self) -> None:
        """Connect or prepare before the first split is read."""

    def close(self) -> None:
        """Release what ``open`` took."""
