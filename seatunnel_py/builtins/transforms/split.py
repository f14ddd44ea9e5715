"""Split: split one column's text into new columns (SeaTunnel ``Split``).

Java ``value.toString().split(separator, n)`` with ``n = len(output_fields)``: the
separator is a Java regular expression applied at most ``n - 1`` times, the last output
column keeps the rest of the text, missing parts are null, a null input gives nulls in
every output column, and trailing empty parts are kept. The new ``string`` columns are
appended after the input columns.

Vectorised with ``pyarrow.compute.split_pattern`` (plain separators) or
``split_pattern_regex`` (RE2); separators RE2 cannot run with Java's meaning, or that can
match the empty string, are split with Python ``re`` row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...api.capabilities import Capability
from ...api.options import PluginOptions, option
from ...api.transform import ColumnTransform
from ._common import (
    Planned,
    Text,
    as_string,
    data_schema,
    text_column_index,
    with_string_columns,
)
from ._regex import JavaRegex, compile_java, java_split


class SplitOptions(PluginOptions):
    """Options of :class:`SplitTransform`."""

    separator: Text = option(..., "Java regular expression between the parts (e.g. \" \" or \"\\\\|\")")
    split_field: str = option(..., "the column to split")
    output_fields: list[str] = option(
        ..., "names of the new columns, one per part; the last one keeps the rest of the text",
        min_length=1)


Splitter = Callable[[pa.Array], list[pa.Array]]


@dataclass(frozen=True)
class _Plan:
    schema: pa.Schema
    index: int
    split: Splitter


def _parts_of_lists(lists: pa.Array, count: int) -> list[pa.Array]:
    """Column ``i`` = element ``i`` of every list, null where a list is shorter or null."""
    offsets = lists.offsets.to_numpy(zero_copy_only=False)
    lengths = np.diff(offsets)
    valid = lists.is_valid().to_numpy(zero_copy_only=False)
    values = lists.values
    out = []
    for i in range(count):
        present = valid & (lengths > i)
        indices = pa.array(offsets[:-1] + i, pa.int64(), mask=~present)
        out.append(pc.take(values, indices))
    return out


def _vectorised(regex: JavaRegex, count: int) -> Splitter | None:
    limit = count - 1
    if regex.literal:
        literal = regex.literal
        return lambda values: _parts_of_lists(pc.split_pattern(values, literal, max_splits=limit), count)
    if regex.re2 is not None and not regex.can_match_empty:
        re2 = regex.re2
        return lambda values: _parts_of_lists(pc.split_pattern_regex(values, re2, max_splits=limit), count)
    return None


def _row_by_row(regex: JavaRegex, count: int) -> Splitter:
    compiled = regex.python

    def run(values: pa.Array) -> list[pa.Array]:
        rows = [None if v is None else java_split(v, compiled, count) for v in values.to_pylist()]
        return [
            pa.array([p[i] if p is not None and len(p) > i else None for p in rows], pa.string())
            for i in range(count)
        ]

    return run


class SplitTransform(Planned[_Plan], ColumnTransform[SplitOptions]):
    """Split a column's text on a Java regular expression into new string columns."""

    name = "Split"
    description = "Split a column's text into new columns"
    options_model = SplitOptions
    capabilities = frozenset({Capability.STATELESS})

    def _make_plan(self, input_schema: pa.Schema) -> _Plan:
        schema = data_schema(input_schema)
        opts = self.options
        index = text_column_index(schema, opts.split_field, "split_field")
        out = with_string_columns(schema, opts.output_fields, "output_fields")
        regex = compile_java(opts.separator, "separator")
        count = len(opts.output_fields)
        return _Plan(out, index, _vectorised(regex, count) or _row_by_row(regex, count))

    def map_columns(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        plan = self.plan_for(batch.schema)
        parts = plan.split(as_string(batch.column(plan.index)))
        return pa.RecordBatch.from_arrays([*batch.columns, *parts], schema=plan.schema)
