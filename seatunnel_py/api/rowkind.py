"""Row kinds and table ids: how change data travels inside Arrow record batches.

A batch may carry one reserved column, :data:`ROW_KIND_COLUMN` (``int8``), holding the
:class:`RowKind` of every row. A batch without it is all INSERT rows. The reserved column
is always the last column and is never part of a plugin's declared schema: sources add
it, transforms keep it (see :class:`seatunnel_py.api.ColumnTransform`), sinks read it or
drop it with :func:`split_row_kinds`.

The table a batch belongs to (multi-table jobs) travels in the batch's schema metadata
under :data:`TABLE_ID_KEY`; a batch without it belongs to the table ``""``.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import pyarrow as pa

ROW_KIND_COLUMN = "__row_kind__"
"""Name of the reserved row-kind column."""
ROW_KIND_TYPE = pa.int8()
TABLE_ID_KEY = b"seatunnel.table_id"
"""Schema metadata key holding the table id of a batch."""


class RowKind(IntEnum):
    """SeaTunnel's row kinds, with their byte values."""

    INSERT = 0
    UPDATE_BEFORE = 1
    UPDATE_AFTER = 2
    DELETE = 3

    @property
    def short(self) -> str:
        """SeaTunnel's short form: ``+I``, ``-U``, ``+U``, ``-D``."""
        return _SHORT[self]

    @classmethod
    def parse(cls, text: str) -> RowKind:
        """Parse ``INSERT`` / ``insert`` / ``+I`` style names."""
        key = text.strip().upper()
        for kind in cls:
            if key in (kind.name, kind.short.upper()):
                return kind
        raise ValueError(f"unknown row kind {text!r} (expected one of {', '.join(k.name for k in cls)})")


_SHORT = {
    RowKind.INSERT: "+I",
    RowKind.UPDATE_BEFORE: "-U",
    RowKind.UPDATE_AFTER: "+U",
    RowKind.DELETE: "-D",
}


def has_row_kinds(batch: pa.RecordBatch | pa.Schema) -> bool:
    """True when the batch (or schema) carries the reserved row-kind column."""
    names = batch.names if isinstance(batch, pa.Schema) else batch.schema.names
    return bool(names) and names[-1] == ROW_KIND_COLUMN


def split_row_kinds(batch: pa.RecordBatch) -> tuple[pa.RecordBatch, pa.Array | None]:
    """Return the data columns and the row-kind array (``None`` when all rows are INSERT)."""
    if not has_row_kinds(batch):
        return batch, None
    last = batch.num_columns - 1
    kinds = batch.column(last)
    data = batch.drop_columns([ROW_KIND_COLUMN])
    return data.replace_schema_metadata(batch.schema.metadata), kinds


def attach_row_kinds(batch: pa.RecordBatch, kinds: pa.Array | None) -> pa.RecordBatch:
    """Append the row-kind column to a data batch (no-op when ``kinds`` is ``None``)."""
    if kinds is None:
        return batch
    if has_row_kinds(batch):
        batch = batch.drop_columns([ROW_KIND_COLUMN])
    out = batch.append_column(pa.field(ROW_KIND_COLUMN, ROW_KIND_TYPE, nullable=False), kinds)
    return out.replace_schema_metadata(batch.schema.metadata)


def row_kinds_or_insert(batch: pa.RecordBatch) -> pa.Array:
    """The row kinds of a batch, materialising INSERT for a batch without the column."""
    _, kinds = split_row_kinds(batch)
    if kinds is None:
        return pa.array(np.zeros(batch.num_rows, dtype=np.int8), ROW_KIND_TYPE)
    return kinds


def table_id(batch: pa.RecordBatch | pa.Schema) -> str:
    """The table id a batch belongs to (``""`` when it has none)."""
    schema = batch if isinstance(batch, pa.Schema) else batch.schema
    meta = schema.metadata or {}
    raw = meta.get(TABLE_ID_KEY)
    return raw.decode() if raw else ""


def with_table_id(batch: pa.RecordBatch, table: str) -> pa.RecordBatch:
    """Tag a batch with its table id."""
    if not table:
        return batch
    meta = dict(batch.schema.metadata or {})
    meta[TABLE_ID_KEY] = table.encode()
    return batch.replace_schema_metadata(meta)
