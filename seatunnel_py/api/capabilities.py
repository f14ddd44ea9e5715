"""Capabilities: what a connector can do, declared as data.

The planner refuses impossible jobs with them, ``plugins show`` prints them and the
conformance suites choose their tests by them.
"""

from __future__ import annotations

from enum import Enum


class Capability(str, Enum):
    """One thing a source, transform or sink declares it can do."""

    BOUNDED = "bounded"
    """Source: reads a finite input and then ends (BATCH mode)."""
    UNBOUNDED = "unbounded"
    """Source: can read forever (STREAMING mode)."""
    RESUMABLE = "resumable"
    """Source: a reader rebuilt from its snapshot continues after the last batch handed out."""
    PARALLEL = "parallel"
    """Source: produces more than one split, read by parallel tasks."""
    EXACTLY_ONCE = "exactly-once"
    """Sink: commits are transactional or idempotent; a replay after a crash writes nothing twice."""
    AT_LEAST_ONCE = "at-least-once"
    """Sink: every row is written, a replay after a crash may write some rows again."""
    NO_GUARANTEE = "no-guarantee"
    """Sink: output is a side effect (printing, checking) with no delivery guarantee."""
    ROW_KINDS = "row-kinds"
    """Produces or honours change-data row kinds (INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE)."""
    UPSERT = "upsert"
    """Sink: applies UPDATE_AFTER as upsert and DELETE as delete by primary key."""
    COLUMN_PROJECTION = "column-projection"
    """Source: can read only the columns asked for."""
    MULTI_TABLE = "multi-table"
    """Source or sink: carries several tables in one plugin (rows tagged with their table id)."""
    STATELESS = "stateless"
    """Transform: output of a batch depends on that batch only."""


SINK_GUARANTEES = (Capability.EXACTLY_ONCE, Capability.AT_LEAST_ONCE, Capability.NO_GUARANTEE)
"""The delivery guarantees a sink declares: one, or several when its options choose (Kafka's ``semantics``)."""


def guarantee_of(kind: str, capabilities: frozenset[Capability]) -> str:
    """What a plugin promises across crashes, in words (``plugins show``, the reference pages).

    Sinks: their delivery guarantee. Sources: whether they resume from a checkpoint and
    in which modes they run. Transforms: whether they are stateless.
    """
    if kind == "sink":
        declared = [c.value for c in SINK_GUARANTEES if c in capabilities]
        if len(declared) > 1:
            return " or ".join(declared) + " (chosen by its options)"
        return declared[0] if declared else "not declared (assume no guarantee)"
    if kind == "source":
        pairs = (("BATCH", Capability.BOUNDED), ("STREAMING", Capability.UNBOUNDED))
        modes = [mode for mode, needed in pairs if needed in capabilities]
        resumes = "resumes from checkpoints" if Capability.RESUMABLE in capabilities else "does not resume (re-reads)"
        return f"{resumes}; modes: {', '.join(modes) or 'none'}"
    return "stateless" if Capability.STATELESS in capabilities else "keeps state"
