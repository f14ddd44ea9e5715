"""Arrow record batches to message values, in bulk with ``pyarrow.compute``.

Every column becomes its JSON (or text) representation as a string array; the message
values are then one element-wise join. Only binary and nested columns, and strings with
rare control characters, fall back to Python per value.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from seatunnel_py.api import RowKind, row_kinds_or_insert, split_row_kinds

from .options import MessageFormat

_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_NULL = "null"


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


def _python_json(column: pa.Array) -> pa.Array:
    values = column.to_pylist()
    if pa.types.is_map(column.type):
        values = [None if v is None else dict(v) for v in values]
    return pa.array([None if v is None else json.dumps(v, default=_default, ensure_ascii=False) for v in values],
                    pa.string())


def _quoted(strings: pa.Array) -> pa.Array:
    escaped = pc.replace_substring(strings, "\\", "\\\\")
    escaped = pc.replace_substring(escaped, '"', '\\"')
    escaped = pc.replace_substring(escaped, "\n", "\\n")
    escaped = pc.replace_substring(escaped, "\r", "\\r")
    escaped = pc.replace_substring(escaped, "\t", "\\t")
    return pc.binary_join_element_wise('"', escaped, '"', "")


def json_column(column: pa.Array) -> pa.Array:
    """Each value of ``column`` as JSON text (``null`` for nulls)."""
    dtype = column.type
    if pa.types.is_null(dtype):
        return pa.array(["null"] * len(column), pa.string())
    if pa.types.is_boolean(dtype):
        out = pc.if_else(column, "true", "false")
    elif pa.types.is_integer(dtype) or pa.types.is_decimal(dtype):
        out = column.cast(pa.string())
    elif pa.types.is_floating(dtype):
        finite = pc.is_finite(column)
        out = pc.if_else(finite, column.cast(pa.string()), pa.scalar(None, pa.string()))
    elif pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        strings = column.cast(pa.string())
        if pc.any(pc.match_substring_regex(strings, _CONTROL)).as_py():
            return pc.fill_null(_python_json(strings), _NULL)
        out = _quoted(strings)
    elif pa.types.is_timestamp(dtype):
        text = column.cast(pa.timestamp(dtype.unit)).cast(pa.string()) if dtype.tz else column.cast(pa.string())
        text = pc.replace_substring_regex(text, r"\.0+$", "")  # Java's LocalDateTime drops zero fractions
        out = _quoted(pc.replace_substring(text, " ", "T", max_replacements=1))
    elif pa.types.is_date(dtype) or pa.types.is_time(dtype):
        out = _quoted(column.cast(pa.string()))
    else:
        out = _python_json(column)
    return pc.fill_null(out, _NULL)


def json_values(batch: pa.RecordBatch, columns: list[str] | None = None) -> pa.Array:
    """One JSON object per row (of ``columns``, default all), as a string array."""
    names = columns or batch.schema.names
    if not names:
        return pa.array(["{}"] * batch.num_rows, pa.string())
    parts: list[Any] = []
    for i, name in enumerate(names):
        parts.append(("{" if i == 0 else ",") + json.dumps(name, ensure_ascii=False) + ":")
        parts.append(json_column(batch.column(name)))
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "")


def text_column(column: pa.Array) -> pa.Array:
    """Each value as text ('' for null); nested values as JSON."""
    dtype = column.type
    if pa.types.is_nested(dtype) or pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
        out = _python_json(column)
        if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
            out = pc.utf8_slice_codeunits(out, 1, -1)  # base64 without the JSON quotes
    elif pa.types.is_null(dtype):
        return pa.array([""] * len(column), pa.string())
    else:
        out = column.cast(pa.string())
    return pc.fill_null(out, "")


def text_values(batch: pa.RecordBatch, delimiter: str) -> pa.Array:
    """Fields joined with ``delimiter``, one line per row."""
    columns = [text_column(batch.column(i)) for i in range(batch.num_columns)]
    if not columns:
        return pa.array([""] * batch.num_rows, pa.string())
    return pc.binary_join_element_wise(*columns, delimiter)


def _kinds(batch: pa.RecordBatch) -> pa.Array:
    kinds = row_kinds_or_insert(batch)
    return pc.is_in(kinds, pa.array([RowKind.INSERT, RowKind.UPDATE_AFTER], pa.int8()))


def encode_values(batch: pa.RecordBatch, fmt: MessageFormat, delimiter: str) -> pa.Array:
    """The message values of ``batch`` in ``fmt`` (json, text, canal_json or debezium_json).

    Plain formats drop the row kind (as SeaTunnel does); canal_json and debezium_json
    encode INSERT/UPDATE_AFTER as an insert and UPDATE_BEFORE/DELETE as a delete.
    """
    data, _ = split_row_kinds(batch)
    if fmt == MessageFormat.TEXT:
        return text_values(data, delimiter)
    rows = json_values(data)
    if fmt == MessageFormat.JSON:
        return rows
    adds = _kinds(batch)
    if fmt == MessageFormat.CANAL_JSON:
        kind = pc.if_else(adds, '"INSERT"', '"DELETE"')
        return pc.binary_join_element_wise('{"data":[', rows, '],"type":', kind, "}", "")
    empty = pa.scalar("null", pa.string())
    before = pc.if_else(adds, empty, rows)
    after = pc.if_else(adds, rows, empty)
    op = pc.if_else(adds, '"c"', '"d"')
    return pc.binary_join_element_wise('{"before":', before, ',"after":', after, ',"op":', op, "}", "")
