"""Change data (row kinds) made into what ClickHouse applies: versioned inserts, deletes by key."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seatunnel_py.api import RowKind

from .client import quote_name
from .table import TableInfo


class VersionClock:
    """Versions for ReplacingMergeTree: nanoseconds since the epoch, strictly increasing per writer."""

    def __init__(self) -> None:
        self._next = 0

    def take(self, count: int) -> pa.Array:
        """``count`` consecutive versions, all above any handed out before."""
        start = max(time.time_ns(), self._next)
        self._next = start + count
        return pa.array(np.arange(start, start + count, dtype=np.uint64), pa.uint64())


def versioned(data: pa.RecordBatch, kinds: pa.Array, info: TableInfo, clock: VersionClock) -> pa.RecordBatch:
    """Rows for ReplacingMergeTree(version, is_deleted): -U dropped, -D marked deleted, all versioned.

    A version column in the input is kept (versions chosen upstream); is_deleted always follows the row kind.
    """
    keep = pc.not_equal(kinds, pa.scalar(int(RowKind.UPDATE_BEFORE), pa.int8()))
    data, kinds = data.filter(keep), kinds.filter(keep)
    deleted = pc.cast(pc.equal(kinds, pa.scalar(int(RowKind.DELETE), pa.int8())), pa.uint8())
    assert info.version_column and info.deleted_column
    out = data
    if info.version_column not in data.schema.names:  # an input version column is the user's: kept
        out = out.append_column(pa.field(info.version_column, pa.uint64(), False), clock.take(data.num_rows))
    if info.deleted_column in out.schema.names:
        out = out.drop_columns([info.deleted_column])
    return out.append_column(pa.field(info.deleted_column, pa.uint8(), False), deleted)


def plain_versions(data: pa.RecordBatch, info: TableInfo, clock: VersionClock) -> pa.RecordBatch:
    """Insert-only rows with the version (and not-deleted) columns the table needs and the input lacks."""
    out = data
    if info.version_column and info.version_column not in data.schema.names:
        out = out.append_column(pa.field(info.version_column, pa.uint64(), False), clock.take(data.num_rows))
    if info.deleted_column and info.deleted_column not in data.schema.names:
        zeros = pa.array(np.zeros(data.num_rows, dtype=np.uint8), pa.uint8())
        out = out.append_column(pa.field(info.deleted_column, pa.uint8(), False), zeros)
    return out


def runs(kinds: pa.Array) -> Iterator[tuple[bool, int, int]]:
    """Consecutive runs of (is_delete, start, stop); UPDATE_BEFORE rows count with neither and are skipped."""
    values = kinds.to_numpy(zero_copy_only=False)
    classes = np.where(values == RowKind.DELETE, 1, np.where(values == RowKind.UPDATE_BEFORE, 2, 0))
    if len(classes) == 0:
        return
    edges = np.flatnonzero(np.diff(classes)) + 1
    starts = np.concatenate(([0], edges))
    stops = np.concatenate((edges, [len(classes)]))
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        if classes[start] != 2:
            yield bool(classes[start] == 1), start, stop


def delete_statement(info: TableInfo, keys: list[str], rows: pa.RecordBatch, lightweight: bool) -> str:
    """``DELETE FROM`` (lightweight) or ``ALTER TABLE … DELETE`` for the key values of ``rows``."""
    from clickhouse_connect.driver.binding import format_query_value

    columns = [rows.column(k).to_pylist() for k in keys]
    if len(keys) == 1:
        target = quote_name(keys[0])
        values = ", ".join(str(format_query_value(v)) for v in columns[0])
    else:
        target = "(" + ", ".join(quote_name(k) for k in keys) + ")"
        tuples = zip(*columns, strict=True)
        values = ", ".join("(" + ", ".join(str(format_query_value(v)) for v in row) + ")" for row in tuples)
    condition = f"{target} IN ({values})"
    if lightweight:
        return f"DELETE FROM {info.qualified} WHERE {condition}"
    return f"ALTER TABLE {info.qualified} DELETE WHERE {condition}"
