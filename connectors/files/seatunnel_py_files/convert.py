"""Strings to typed Arrow columns (reading text/csv/json) and back (writing them).

Everything here is vectorised with ``pyarrow.compute``; only nested values (lists, maps,
rows) and binary values in JSON go through Python, one value at a time.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from seatunnel_py.api import DataError

from .timeformat import TimeFormat, translate


@dataclass(frozen=True)
class TemporalFormats:
    """Patterns for dates, timestamps and times (``None``: ISO 8601 only)."""

    date: TimeFormat | None = None
    datetime: TimeFormat | None = None
    time: TimeFormat | None = None

    @classmethod
    def of(cls, date: str | None, datetime: str | None, time: str | None) -> TemporalFormats:
        """Translate the Java patterns of the options (already checked)."""
        return cls(*(translate(p) if p else None for p in (date, datetime, time)))


def _nested(dtype: pa.DataType) -> bool:
    return pa.types.is_nested(dtype) or pa.types.is_map(dtype)


def _string_like(dtype: pa.DataType) -> bool:
    return pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype)


def _null_where(arr: pa.Array, mask: pa.Array) -> pa.Array:
    return pc.if_else(mask, pa.scalar(None, arr.type), arr)


# --- reading ----------------------------------------------------------------------------

def parse_strings(arr: pa.Array, dtype: pa.DataType, *, column: str, formats: TemporalFormats,
                  null_format: str | None = None, empty_is_null: bool = True) -> pa.Array:
    """Convert a string column to ``dtype`` (``DataError`` names the column and the value).

    ``null_format`` values become null; so do empty strings of non-string columns when
    ``empty_is_null``. Temporal values are read as ISO 8601 first, then with the pattern.
    """
    if not _string_like(arr.type):
        arr = arr.cast(pa.string())
    if null_format is not None:
        arr = _null_where(arr, pc.equal(arr, null_format))
    if _string_like(dtype):
        return arr.cast(dtype)
    if pa.types.is_null(dtype):
        return pa.nulls(len(arr))
    if empty_is_null:
        arr = _null_where(arr, pc.equal(pc.utf8_trim_whitespace(arr), ""))
    try:
        return _parse(arr, dtype, formats)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as exc:
        raise DataError(f"column {column!r}: cannot read value as {dtype}: {exc}") from None


def _parse(arr: pa.Array, dtype: pa.DataType, formats: TemporalFormats) -> pa.Array:
    if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
        return arr.cast(dtype)
    if _nested(dtype):
        values = [None if v is None else json.loads(v) for v in arr.to_pylist()]
        return pa.array(values, type=dtype)
    if pa.types.is_date(dtype):
        return _parse_temporal(arr, pa.timestamp("s"), formats.date).cast(dtype)
    if pa.types.is_timestamp(dtype):
        return _parse_temporal(arr, dtype, formats.datetime)
    if pa.types.is_time(dtype):
        try:
            prefixed = pc.binary_join_element_wise("1970-01-01 ", arr, "")
            return prefixed.cast(pa.timestamp("us")).cast(dtype)
        except pa.ArrowInvalid:
            if formats.time is None:
                raise
            return _strptime(arr, formats.time, "us", errors_null=False).cast(dtype)
    return pc.utf8_trim_whitespace(arr).cast(dtype)


def _strptime(arr: pa.Array, fmt: TimeFormat, unit: str, *, errors_null: bool) -> pa.Array:
    """``strptime``; a pattern ending in ``ss.SSS`` also reads a trailing ``.digits`` fraction."""
    if fmt.unit != "ms":
        return pc.strptime(arr, format=fmt.strftime, unit=unit, error_is_null=errors_null)
    base = pc.replace_substring_regex(arr, r"\.\d{1,9}$", "")
    fraction = pc.extract_regex(arr, r"\.(?P<f>\d{1,9})$").field("f")
    micros = pc.utf8_slice_codeunits(pc.utf8_rpad(fraction, 6, "0"), 0, 6).cast(pa.int64())
    stamps = pc.strptime(base, format=fmt.strftime, unit="us", error_is_null=errors_null)
    offset = pc.if_else(pc.is_null(micros), 0, micros).cast(pa.duration("us"))
    return pc.add(stamps, offset).cast(pa.timestamp(unit), safe=False)


def _parse_temporal(arr: pa.Array, dtype: pa.DataType, fmt: TimeFormat | None) -> pa.Array:
    """ISO 8601 first; with a pattern, values it matches, then ISO for the others."""
    try:
        return arr.cast(dtype)
    except pa.ArrowInvalid:
        if fmt is None:
            raise
    unit = dtype.unit if pa.types.is_timestamp(dtype) else "us"
    stamps = _strptime(arr, fmt, unit, errors_null=True)
    if pa.types.is_timestamp(dtype) and dtype.tz:
        stamps = pc.assume_timezone(stamps, dtype.tz)
    stamps = stamps.cast(dtype)
    missed = pc.and_(pc.is_null(stamps), pc.is_valid(arr))
    if pc.any(missed).as_py():
        stamps = pc.replace_with_mask(stamps, missed, arr.filter(missed).cast(dtype))
    return stamps


# --- writing ----------------------------------------------------------------------------

def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _python_json(arr: pa.Array) -> pa.Array:
    """JSON text of every value; nulls stay null. Lists of pairs of maps become objects."""
    out: list[str | None] = []
    dtype = arr.type
    for value in arr.to_pylist():
        if value is None:
            out.append(None)
        elif pa.types.is_map(dtype):
            out.append(_dumps({str(k): v for k, v in value}))
        else:
            out.append(_dumps(value))
    return pa.array(out, pa.string())


def _format_temporal(arr: pa.Array, fmt: TimeFormat) -> pa.Array:
    if pa.types.is_timestamp(arr.type) or pa.types.is_time(arr.type):
        target = pa.timestamp(fmt.unit, arr.type.tz) if pa.types.is_timestamp(arr.type) else \
            (pa.time32(fmt.unit))
        arr = pc.cast(arr, target, safe=False)
    return pc.strftime(arr, format=fmt.strftime)


def to_strings(arr: pa.Array, formats: TemporalFormats, *, column: str = "") -> pa.Array:
    """The text form of every value of a column (nulls stay null)."""
    dtype = arr.type
    try:
        if _string_like(dtype):
            return arr.cast(pa.string())
        if pa.types.is_null(dtype):
            return pa.nulls(len(arr), pa.string())
        if _nested(dtype):
            return _python_json(arr)
        fmt = (formats.date if pa.types.is_date(dtype) else formats.datetime
               if pa.types.is_timestamp(dtype) else formats.time if pa.types.is_time(dtype) else None)
        if fmt is not None:
            return _format_temporal(arr, fmt)
        return arr.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise DataError(f"column {column!r}: cannot write {dtype} as text: {exc}") from None


_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"),
            ("\b", "\\b"), ("\f", "\\f"))


def _json_string(arr: pa.Array) -> pa.Array:
    escaped = arr
    for raw, esc in _ESCAPES:
        escaped = pc.replace_substring(escaped, raw, esc)
    if pc.any(pc.match_substring_regex(escaped, r"[\x00-\x1f]")).as_py():
        return pa.array([None if v is None else _dumps(v) for v in arr.to_pylist()], pa.string())
    return pc.binary_join_element_wise('"', escaped, '"', "")


def to_json_values(arr: pa.Array, formats: TemporalFormats, *, column: str = "") -> pa.Array:
    """JSON text of every value of a column, ``null`` for nulls (never a null entry)."""
    dtype = arr.type
    if _nested(dtype):
        out = _python_json(arr)
    elif pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
        out = pa.array([None if v is None else _dumps(base64.b64encode(v).decode("ascii"))
                        for v in arr.to_pylist()], pa.string())
    elif pa.types.is_boolean(dtype) or pa.types.is_integer(dtype) or pa.types.is_decimal(dtype):
        out = arr.cast(pa.string())
    elif pa.types.is_floating(dtype):
        out = _null_where(arr.cast(pa.string()), pc.invert(pc.is_finite(arr)))
    elif pa.types.is_null(dtype):
        out = pa.nulls(len(arr), pa.string())
    else:
        out = _json_string(to_strings(arr, formats, column=column))
    return out.fill_null("null")


def join_rows(lines: pa.Array, row_delimiter: str) -> pa.Buffer:
    """One buffer holding every (non-null) line followed by ``row_delimiter``."""
    if len(lines) == 0:
        return pa.py_buffer(b"")
    ended = pc.binary_join_element_wise(lines, row_delimiter, "").cast(pa.large_string())
    offsets = ended.buffers()[1]
    data = ended.buffers()[2]
    assert offsets is not None and data is not None
    starts = memoryview(offsets).cast("q")
    first, last = starts[ended.offset], starts[ended.offset + len(ended)]
    return data.slice(first, last - first)
