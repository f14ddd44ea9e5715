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
