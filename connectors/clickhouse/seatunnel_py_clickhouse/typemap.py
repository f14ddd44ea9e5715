"""Arrow types → ClickHouse column types, for CREATE TABLE, and the batch casts inserts need.

| Arrow | ClickHouse |
|---|---|
| bool | Bool |
| int8…int64, uint8…uint64 | Int8…Int64, UInt8…UInt64 |
| float16, float32 / float64 | Float32 / Float64 |
| decimal128/256(p, s) | Decimal(p, s) |
| string, large_string, string_view, binary, large_binary | String |
| dictionary(…, string), or a column in low_cardinality_fields | LowCardinality(String) |
| fixed_size_binary(n) | FixedString(n) |
| uuid (arrow.uuid extension) | UUID |
| date32, date64 | Date32 |
| time32/time64 | Int64 (microseconds of the day) |
| timestamp(unit, tz) | DateTime64(0/3/6/9, tz) (no tz: server_time_zone or none) |
| list, large_list, fixed_size_list | Array(T) |
| map<k, v> | Map(K, V) |
| struct<a, b> | Tuple(a A, b B) |

A nullable Arrow field becomes ``Nullable(T)`` except for Array, Map and Tuple, which
ClickHouse cannot wrap (their elements can be nullable).
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from seatunnel_py.api import DataError, OptionError

from .client import quote_name, quote_string

_SCALARS = {
    pa.bool_(): "Bool", pa.int8(): "Int8", pa.int16(): "Int16", pa.int32(): "Int32", pa.int64(): "Int64",
    pa.uint8(): "UInt8", pa.uint16(): "UInt16", pa.uint32(): "UInt32", pa.uint64(): "UInt64",
    pa.float16(): "Float32", pa.float32(): "Float32", pa.float64(): "Float64",
    pa.string(): "String", pa.large_string(): "String", pa.binary(): "String", pa.large_binary(): "String",
    pa.date32(): "Date32", pa.date64(): "Date32",
}
_PRECISION = {"s": 0, "ms": 3, "us": 6, "ns": 9}
_NOT_NULLABLE = ("Array(", "Map(", "Tuple(", "LowCardinality(")


def _is_uuid(dtype: pa.DataType) -> bool:
    return isinstance(dtype, pa.BaseExtensionType) and dtype.extension_name == "arrow.uuid"


def _base(dtype: pa.DataType, time_zone: str | None, low_cardinality: bool) -> str:
    if _is_uuid(dtype):
        return "UUID"
    if isinstance(dtype, pa.BaseExtensionType):
        return _base(dtype.storage_type, time_zone, low_cardinality)
    if pa.types.is_string_view(dtype) or pa.types.is_binary_view(dtype):
        return "LowCardinality(String)" if low_cardinality else "String"
    if pa.types.is_dictionary(dtype):
        return "LowCardinality(String)" if pa.types.is_string(dtype.value_type) or pa.types.is_large_string(
            dtype.value_type) else _base(dtype.value_type, time_zone, False)
    if dtype in _SCALARS:
        text = _SCALARS[dtype]
        return "LowCardinality(String)" if low_cardinality and text == "String" else text
    if pa.types.is_decimal(dtype):
        return f"Decimal({dtype.precision}, {dtype.scale})"
    if pa.types.is_fixed_size_binary(dtype):
        return f"FixedString({dtype.byte_width})"
    if pa.types.is_time(dtype):
        return "Int64"
    if pa.types.is_timestamp(dtype):
        zone = dtype.tz or time_zone
        return f"DateTime64({_PRECISION[dtype.unit]}, {quote_string(zone)})" if zone else \
            f"DateTime64({_PRECISION[dtype.unit]})"
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype) or pa.types.is_fixed_size_list(dtype):
        return f"Array({column_type(dtype.value_field, time_zone)})"
    if pa.types.is_map(dtype):
        key = _base(dtype.key_type, time_zone, False)
        return f"Map({key}, {column_type(dtype.item_field, time_zone)})"
    if pa.types.is_struct(dtype):
        inner = ", ".join(f"{quote_name(f.name)} {column_type(f, time_zone)}" for f in dtype)
        return f"Tuple({inner})"
    raise TypeError(f"no ClickHouse type for Arrow {dtype}")


def column_type(field: pa.Field, time_zone: str | None = None, low_cardinality: bool = False) -> str:
    """The ClickHouse type of an Arrow field (``TypeError`` when there is none)."""
    base = _base(field.type, time_zone, low_cardinality)
    if not field.nullable or base.startswith(_NOT_NULLABLE[:3]):
        return base
    if base.startswith("LowCardinality("):
        return f"LowCardinality(Nullable({base[len('LowCardinality('):-1]}))"
    return f"Nullable({base})"


def column_definitions(schema: pa.Schema, time_zone: str | None, low_cardinality: list[str],
                       not_null: list[str]) -> list[str]:
    """``name Type`` for every field; key columns (``not_null``) are never Nullable."""
    out = []
    for field in schema:
        if field.name in not_null:
            field = field.with_nullable(False)
        try:
            text = column_type(field, time_zone, field.name in low_cardinality)
        except TypeError as exc:
            raise OptionError("table", f"column {field.name!r}: {exc}") from None
        out.append(f"{quote_name(field.name)} {text}")
    return out


def _target(dtype: pa.DataType) -> pa.DataType | None:
    """The type a column is cast to before an insert, ``None`` when it goes as it is."""
    if pa.types.is_time(dtype):
        return pa.int64()
    if pa.types.is_date64(dtype):
        return pa.date32()
    if pa.types.is_float16(dtype):
        return pa.float32()
    if pa.types.is_string_view(dtype):
        return pa.large_string()
    if pa.types.is_binary_view(dtype):
        return pa.large_binary()
    return None


def insertable_schema(schema: pa.Schema) -> pa.Schema:
    """The schema :func:`insertable` gives batches of ``schema``."""
    return pa.schema([f.with_type(_target(f.type) or f.type) for f in schema])


def insertable(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Cast the top-level columns ClickHouse's Arrow reader does not take (time, date64, float16, views)."""
    if all(_target(f.type) is None for f in batch.schema):
        return batch
    arrays = []
    for field, array in zip(batch.schema, batch.columns, strict=True):
        target = _target(field.type)
        if target is None:
            arrays.append(array)
        elif pa.types.is_time(field.type):
            micros = pc.cast(array, pa.time64("us")) if field.type != pa.time64("us") else array
            arrays.append(micros.view(pa.int64()))
        else:
            arrays.append(pc.cast(array, target))
    return pa.RecordBatch.from_arrays(arrays, schema=insertable_schema(batch.schema))


_INTEGERS = {"Int8": pa.int8(), "Int16": pa.int16(), "Int32": pa.int32(), "Int64": pa.int64(),
             "UInt8": pa.uint8(), "UInt16": pa.uint16(), "UInt32": pa.uint32(), "UInt64": pa.uint64()}
_DECIMAL_WIDTHS = {"Decimal32": 9, "Decimal64": 18, "Decimal128": 38, "Decimal256": 76}


def _unwrapped(ch_type: str) -> str:
    """``Nullable(LowCardinality(T))`` → ``T``."""
    text = ch_type.strip()
    while True:
        found = re.fullmatch(r"(?:Nullable|LowCardinality)\((.*)\)", text)
        if not found:
            return text
        text = found.group(1).strip()


def checked_target(ch_type: str) -> pa.DataType | None:
    """The Arrow type a value must fit before it goes into a column of ``ch_type``.

    Integers and decimals only: ClickHouse's Arrow input wraps an out-of-range integer
    (300 into Int8 is stored as 44, -5 into UInt8 as 251) and cuts a decimal that does
    not fit, without an error. ``None`` for the types that need no check.
    """
    base = _unwrapped(ch_type)
    if base in _INTEGERS:
        return _INTEGERS[base]
    found = re.fullmatch(r"Decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)", base)
    if found:
        precision, scale = int(found.group(1)), int(found.group(2))
    else:
        sized = re.fullmatch(r"(Decimal32|Decimal64|Decimal128|Decimal256)\(\s*(\d+)\s*\)", base)
        if not sized:
            return None
        precision, scale = _DECIMAL_WIDTHS[sized.group(1)], int(sized.group(2))
    return pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)


def fit_to_columns(batch: pa.RecordBatch, targets: dict[str, pa.DataType], table: str) -> pa.RecordBatch:
    """Cast the integer and decimal columns of ``batch`` to their table columns' ranges, checked.

    A value that does not fit raises ``DataError`` naming the table and column, instead
    of being wrapped or cut by the server.
    """
    arrays = list(batch.columns)
    fields = list(batch.schema)
    changed = False
    for index, field in enumerate(fields):
        target = targets.get(field.name)
        if target is None or field.type.equals(target):
            continue
        if not (pa.types.is_integer(field.type) or pa.types.is_decimal(field.type)
                or pa.types.is_floating(field.type)):
            continue
        try:
            arrays[index] = pc.cast(arrays[index], target, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise DataError(f"Clickhouse: a value of column {field.name!r} does not fit column {field.name!r} of "
                            f"{table} ({exc})") from None
        fields[index] = field.with_type(target)
        changed = True
    if not changed:
        return batch
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields, metadata=batch.schema.metadata))
