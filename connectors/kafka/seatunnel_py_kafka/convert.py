"""Python values and strings to Arrow columns of a declared type (the slow, exact path)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from seatunnel_py.types import to_python

ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError,
                OverflowError, ArithmeticError)


def contains_map(dtype: pa.DataType) -> bool:
    """True when ``dtype`` is or holds a map (the Arrow JSON reader cannot read maps)."""
    if pa.types.is_map(dtype):
        return True
    if pa.types.is_struct(dtype):
        return any(contains_map(f.type) for f in dtype)
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return contains_map(dtype.value_type)
    return False


def json_read_type(dtype: pa.DataType) -> pa.DataType:
    """The type the Arrow JSON reader reads a column as (strings for what it cannot convert)."""
    if pa.types.is_date(dtype) or pa.types.is_time(dtype) or pa.types.is_binary(dtype) \
            or pa.types.is_large_binary(dtype) or pa.types.is_null(dtype):
        return pa.string()
    return dtype


def finish_column(column: pa.Array | pa.ChunkedArray, dtype: pa.DataType) -> pa.Array | pa.ChunkedArray:
    """Convert a column read as ``json_read_type(dtype)`` to ``dtype`` (raises on a bad value)."""
    if column.type == dtype:
        return column
    if pa.types.is_date(dtype):
        return pc.cast(column, dtype)
    return pa.array([to_python(v, dtype) for v in column.to_pylist()], type=dtype)


def build_column(values: Sequence[Any], dtype: pa.DataType) -> pa.Array:
    """An Arrow column from decoded JSON values (numbers given as strings are accepted)."""
    try:
        return pa.array(values, type=dtype)
    except ARROW_ERRORS:
        return pa.array([to_python(v, dtype) for v in values], type=dtype)


def bad_rows(rows: Sequence[dict[str, Any]], schema: pa.Schema) -> list[int]:
    """Indexes of the rows one of whose values does not fit its column."""
    bad = []
    for i, row in enumerate(rows):
        try:
            for field in schema:
                pa.array([to_python(row.get(field.name), field.type)], type=field.type)
        except ARROW_ERRORS:
            bad.append(i)
    return bad


def rows_to_batch(rows: Sequence[dict[str, Any]], schema: pa.Schema) -> pa.RecordBatch:
    """A record batch of ``schema`` from row dicts (missing keys are null)."""
    arrays = [build_column([row.get(f.name) for row in rows], f.type) for f in schema]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def text_to_column(column: pa.Array, dtype: pa.DataType) -> pa.Array:
    """Strings split from a text message to ``dtype`` ('' is null for non-string types)."""
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return column.cast(dtype)
    column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
    try:
        if pa.types.is_time(dtype) or pa.types.is_binary(dtype) or pa.types.is_nested(dtype):
            raise pa.ArrowNotImplementedError("exact path")
        return pc.cast(column, dtype)
    except ARROW_ERRORS:
        return pa.array([to_python(v, dtype) for v in column.to_pylist()], type=dtype)
