"""Metadata: expose row metadata as columns (SeaTunnel ``Metadata``).

``metadata_fields`` maps a metadata key (case-sensitive, as in SeaTunnel) to the name of
a new column appended in map order:

========== ========= =====================================================================
key        type      value
========== ========= =====================================================================
Database   string    database part of the batch's table id (``db`` in ``db.table`` or
                     ``db.schema.table``); null for a table id without a dot
Table      string    table part of the table id (its last dotted part); null when empty
RowKind    string    ``+I``, ``-U``, ``+U`` or ``-D``
EventTime  bigint    always null: batches carry no per-row event time yet
Delay      bigint    always null: batches carry no per-row change time yet
Partition  string    always null: batches carry no partition metadata yet
========== ========= =====================================================================

In SeaTunnel, EventTime, Delay and Partition are filled only by CDC (and Kafka) sources;
no source of this port fills them yet, so they are null, not an error.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ...api.capabilities import Capability
from ...api.errors import OptionError
from ...api.options import PluginOptions, option
from ...api.rowkind import RowKind, attach_row_kinds, row_kinds_or_insert, split_row_kinds, table_id
from ...api.transform import Transform
from ._common import Planned, check_new_names, data_schema

KEYS: dict[str, pa.DataType] = {
    "Database": pa.string(),
    "Table": pa.string(),
    "RowKind": pa.string(),
    "EventTime": pa.int64(),
    "Delay": pa.int64(),
    "Partition": pa.string(),
}
"""The metadata keys and the type of their columns."""

@functools.cache
def _short_kinds() -> pa.Array:
    """Short row-kind names by kind number (built on first use: ``pa.array`` at import time
    makes pyarrow import pandas when it is installed, half a second of every start-up)."""
    return pa.array([kind.short for kind in sorted(RowKind)], pa.string())


class MetadataOptions(PluginOptions):
    """Options of :class:`MetadataTransform`."""

    metadata_fields: dict[str, str] = option(
        ..., "new columns, each `Key = column_name`; keys (case-sensitive): " + ", ".join(KEYS))

    def check(self) -> list[OptionError]:
        errors = []
        if not self.metadata_fields:
            errors.append(OptionError("metadata_fields", "is empty (expected at least one Key = column_name)"))
        for key in self.metadata_fields:
            if key not in KEYS:
                lower = {k.lower(): k for k in KEYS}
                close = lower.get(key.lower()) or next(iter(difflib.get_close_matches(key, KEYS, n=1)), None)
                hint = (f"did you mean {close!r}? keys are case-sensitive" if close
                        else f"expected one of {', '.join(KEYS)}")
                errors.append(OptionError(("metadata_fields", key), f"unknown metadata key {key!r} ({hint})"))
        return errors


def split_table_id(table: str) -> tuple[str | None, str | None]:
    """``(database, table)`` of a table id such as ``db.table`` or ``db.schema.table``."""
    if not table:
        return None, None
    parts = table.split(".")
    if len(parts) == 1:
        return None, parts[0]
    return parts[0], parts[-1]


@dataclass(frozen=True)
class _Plan:
    schema: pa.Schema
    keys: list[str]


class MetadataTransform(Planned[_Plan], Transform[MetadataOptions]):
    """Append metadata columns: database, table, row kind (event time, delay, partition null)."""

    name = "Metadata"
    description = "Append row metadata (table, row kind, …) as columns"
    options_model = MetadataOptions
    capabilities = frozenset({Capability.STATELESS, Capability.ROW_KINDS})

    def _make_plan(self, input_schema: pa.Schema) -> _Plan:
        schema = data_schema(input_schema)
        for problem in self.options.check():
            raise problem
        items = list(self.options.metadata_fields.items())
        check_new_names(schema, [column for _, column in items], [("metadata_fields", key) for key, _ in items])
        out = schema
        for key, column in items:
            out = out.append(pa.field(column, KEYS[key]))
        return _Plan(out, [key for key, _ in items])

    def _column(self, key: str, batch: pa.RecordBatch) -> pa.Array:
        rows = batch.num_rows
        database, table = split_table_id(table_id(batch))
        if key == "RowKind":
            return pc.take(_short_kinds(), row_kinds_or_insert(batch))
        if key in ("Database", "Table"):
            return pa.repeat(pa.scalar(database if key == "Database" else table, pa.string()), rows)
        return pa.nulls(rows, KEYS[key])

    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        data, kinds = split_row_kinds(batch)
        plan = self.plan_for(data.schema)
        added = [self._column(key, batch) for key in plan.keys]
        out = pa.RecordBatch.from_arrays([*data.columns, *added], schema=plan.schema)
        return attach_row_kinds(out.replace_schema_metadata(data.schema.metadata), kinds)
