"""The sink contract: prepare the target, a writer per task, an idempotent committer.

Order: ``check_input`` at plan time; ``create_committer``; if the run resumes a saved
checkpoint, the committer's ``commit(infos)`` is called again with that checkpoint's
infos (they may already be committed: ``commit`` is idempotent); ``prepare`` once; per
pipeline task a writer (``create_writer(task_index, schema, state)``, with the state its
``snapshot`` returned in the saved checkpoint). Then for every checkpoint (every
``checkpoint.interval`` and at the end of a bounded job): each writer, at a batch
boundary, gets ``prepare_commit(checkpoint_id)`` (flush: data durable but not yet visible
where the target allows) then ``snapshot(checkpoint_id)``; every sink's
``before_commit`` may still veto; the engine persists the checkpoint (split states,
writer states, commit infos) atomically; only then the committer's ``commit(infos)``
makes the output visible. Writers stay open across checkpoints and are closed after the
last one; ``finish`` ends the sink. On failure writers get ``abort`` and the committer
``abort(infos)`` for infos that were prepared but not persisted.

A sink is exactly-once when a replay of the batches after the last persisted checkpoint
cannot show twice: commit is a transaction that also records the checkpoint id, a rename,
or an insert deduplicated by a token built from (job name, checkpoint id, task index).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import pyarrow as pa

from .plugin import O, Plugin

CommitInfo = dict[str, Any]
"""JSON-serialisable description of prepared, not yet visible, output."""


class SinkWriter(ABC):
    """Writes the batches of one pipeline task."""

    @abstractmethod
    def write(self, batch: pa.RecordBatch) -> None:
        """Write one batch (which may carry the row-kind column)."""

    def prepare_commit(self, checkpoint_id: int) -> CommitInfo | None:
        """Flush what was written since the last call; return what the committer needs.

        Called at every checkpoint; the writer keeps writing afterwards. The info must
        be JSON-serialisable: it is persisted with the checkpoint and may be handed to
        ``Committer.commit`` by a later process after a crash.
        """
        return None

    def snapshot(self, checkpoint_id: int) -> dict[str, Any] | None:
        """Writer state to keep in the checkpoint (most writers have none)."""
        return None

    def abort(self) -> None:
        """Discard what was written and not prepared (the job failed)."""

    def close(self) -> None:
        """Release resources; called after the last ``prepare_commit`` or ``abort``."""


class Committer(ABC):
    """Makes prepared output visible. One per sink, called by the coordinator."""

    @abstractmethod
    def commit(self, infos: list[CommitInfo]) -> None:
        """Make the prepared output visible. Idempotent: may be called again after a crash."""

    def abort(self, infos: list[CommitInfo], last_checkpoint_id: int | None = None) -> None:
        """Discard prepared output that will never be committed (the run failed or was stopped at once).

        ``infos`` are only those no saved checkpoint holds: what a saved checkpoint holds
        is committed by the next run, never aborted. ``last_checkpoint_id`` is the last
        checkpoint this run saved (``None``: none), so a sink may also drop leftovers
        numbered after it. The parameter is optional in overrides: the engine passes it
        only to a method that names it.
        """


class Sink(Plugin[O], ABC):
    """A sink plugin."""

    def check_input(self, schema: pa.Schema) -> None:
        """Plan time: raise ``PlanError`` if batches of ``schema`` cannot be written."""

    def prepare(self, schema: pa.Schema) -> None:
        """Once before any writer: apply schema/data save modes, create the target."""

    @abstractmethod
    def create_writer(self, task_index: int, schema: pa.Schema, state: dict[str, Any] | None = None) -> SinkWriter:
        """A writer for pipeline task ``task_index`` receiving batches of ``schema``.

        ``state`` is what the writer of the same task index returned from ``snapshot``
        in the checkpoint this run resumes from (``None`` on a fresh start).
        """

    def release_writer_states(self, states: dict[int, dict[str, Any]]) -> None:
        """Saved writer states that no writer of this run takes over.

        Called once, after ``prepare`` and before any writer is built, on a run that
        resumes a checkpoint whose writers had task indexes this run does not have (the
        job's ``parallelism`` shrank). Finish what those states hold, e.g. fence and abort
        a transaction a vanished writer had open, so that it does not linger. Writer
        states of indexes this run has are given to ``create_writer`` as usual (a grown
        parallelism gives its new writers ``None``). The default does nothing; a sink
        whose writer state holds something that must be finished overrides it.
        """

    def create_committer(self) -> Committer | None:
        """The committer of this sink, or ``None`` when writes are visible at once."""
        return None

    def before_commit(self, checkpoint_id: int, final: bool) -> None:
        """After every writer prepared checkpoint ``checkpoint_id``, before anything commits.

        Raise to fail the job with nothing of this checkpoint committed (Assert checks its
        row counts here). ``final`` is true for the checkpoint that ends a bounded job.
        """

    def finish(self, success: bool, last_checkpoint_id: int | None = None) -> None:
        """Called exactly once, after every writer is closed and commits are done; may raise (Assert).

        ``success`` is false when the run failed or was stopped at once; a ``finish(True)``
        that raises fails the run without a second call. ``last_checkpoint_id`` is the
        last checkpoint this run saved (``None``: none); the engine passes it only to an
        override that names it.
        """
