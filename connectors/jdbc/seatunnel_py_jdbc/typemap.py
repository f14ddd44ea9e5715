"""Database column types ⇄ Arrow types, and vectorised conversions of whole columns.

PostgreSQL types arrive as the ADBC driver's Arrow fields (with ``POSTGRESQL:type`` and
``POSTGRESQL:typmod`` metadata); MySQL/MariaDB types as DB-API descriptions. Anything
without a faithful Arrow type is refused with the column and type named.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seatunnel_py.api import ConnectorError

Convert = Callable[[pa.Array], pa.Array]
DEFAULT_DECIMAL = pa.decimal128(38, 18)
"""Numeric columns without a declared precision (as SeaTunnel maps them)."""


class UnsupportedType(ConnectorError):
    """A column type this connector cannot map to Arrow."""


def _storage(array: pa.Array) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.storage if isinstance(array.type, pa.ExtensionType) else array


def uuid_to_string(array: pa.Array) -> pa.Array:
    """16-byte uuids to their canonical 36-character text form, without a Python loop."""
    raw = _storage(array)
    n = len(raw)
    if n == 0:
        return pa.array([], pa.string())
    data = np.frombuffer(raw.buffers()[1], dtype=np.uint8)[raw.offset * 16:(raw.offset + n) * 16].reshape(n, 16)
    hexdigits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    out = np.empty((n, 36), dtype=np.uint8)
    pairs = np.stack([hexdigits[data >> 4], hexdigits[data & 15]], axis=2).reshape(n, 32)
    out[:, [8, 13, 18, 23]] = ord("-")
    cols = [i for i in range(36) if i not in (8, 13, 18, 23)]
    out[:, cols] = pairs
    fixed: pa.Array = pa.FixedSizeBinaryArray.from_buffers(pa.binary(36), n, [None, pa.py_buffer(out.tobytes())])
    if raw.null_count:
        fixed = pc.if_else(pc.is_valid(raw), fixed, pa.scalar(None, pa.binary(36)))
    return fixed.cast(pa.binary()).cast(pa.string())


def _numeric_type(typmod: int) -> pa.DataType:
    if typmod < 4:
        return DEFAULT_DECIMAL
    precision, scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
    return pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)


def _decimal_from_text(target: pa.DataType) -> Convert:
    def convert(array: pa.Array) -> pa.Array:
        text = _storage(array)
        try:
            return text.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise ConnectorError(f"a numeric value does not fit {target} ({exc}); "
                                 "declare the column's precision or cast it in the query") from None
    return convert


def _plain_storage(array: pa.Array) -> pa.Array:
    return _storage(array)


def pg_field(field: pa.Field, where: str) -> tuple[pa.Field, Convert | None]:
    """The Arrow field a PostgreSQL column is read as, and the conversion it needs (None: as is)."""
    meta = field.metadata or {}
    typname = (meta.get(b"POSTGRESQL:type") or meta.get(b"ADBC:postgresql:typname") or b"").decode()
    dtype = field.type
    if typname in ("numeric", "decimal"):
        typmod = int((meta.get(b"POSTGRESQL:typmod") or b"-1").decode())
        target = _numeric_type(typmod)
        return pa.field(field.name, target), _decimal_from_text(target)
    if typname == "uuid":
        return pa.field(field.name, pa.string()), uuid_to_string
    if typname in ("json", "jsonb"):
        return pa.field(field.name, pa.string()), _plain_storage
    if isinstance(dtype, pa.ExtensionType) or pa.types.is_interval(dtype) or pa.types.is_duration(dtype):
        raise UnsupportedType(f"{where}: column {field.name!r} has PostgreSQL type {typname or dtype}, "
                              "which has no Arrow mapping here; cast it in the query (e.g. ::text)")
    if pa.types.is_list(dtype):
        inner = dtype.value_type
        if isinstance(inner, pa.ExtensionType) or pa.types.is_nested(inner):
            raise UnsupportedType(f"{where}: column {field.name!r} is an array of {typname.lstrip('_')}, "
                                  "which has no Arrow mapping here; cast it in the query (e.g. ::text[])")
    return pa.field(field.name, dtype), None


# --- MySQL / MariaDB (pymysql FIELD_TYPE codes) ------------------------------------------

_MYSQL_SIMPLE: dict[int, pa.DataType] = {
    2: pa.int16(), 3: pa.int32(), 8: pa.int64(), 9: pa.int32(), 13: pa.int16(),
    4: pa.float32(), 5: pa.float64(),
    10: pa.date32(), 14: pa.date32(), 11: pa.time64("us"),
    7: pa.timestamp("us"), 12: pa.timestamp("us"),
    245: pa.string(), 247: pa.string(), 248: pa.string(),
}
_MYSQL_TEXT = {15, 253, 254, 249, 250, 251, 252}
BINARY_CHARSET = 63


def mysql_field(name: str, type_code: int, length: int | None, precision: int | None, scale: int | None,
                charset: int | None, unsigned: bool, where: str) -> pa.Field:
    """The Arrow field a MySQL/MariaDB column (DB-API description plus flags) is read as."""
    if type_code == 1:  # TINYINT; TINYINT(1) is MySQL's boolean
        return pa.field(name, pa.bool_() if length == 1 else pa.int16())
    if type_code in (0, 246):  # DECIMAL / NEWDECIMAL
        p = max(1, int(precision or 38))
        s = int(scale or 0)
        p = min(p, 76)
        return pa.field(name, pa.decimal128(p, s) if p <= 38 else pa.decimal256(p, s))
    if type_code == 8 and unsigned:
        return pa.field(name, pa.decimal128(20, 0))
    if type_code == 3 and unsigned:
        return pa.field(name, pa.int64())
    if type_code == 16:  # BIT
        return pa.field(name, pa.bool_() if length == 1 else pa.binary())
    if type_code in _MYSQL_TEXT:
        return pa.field(name, pa.binary() if charset == BINARY_CHARSET else pa.string())
    if type_code in _MYSQL_SIMPLE:
        return pa.field(name, _MYSQL_SIMPLE[type_code])
    raise UnsupportedType(f"{where}: column {name!r} has MySQL type code {type_code} "
                          "(geometry or another type without an Arrow mapping); cast it in the query")


def timedelta_to_time(values: list[object]) -> pa.Array:
    """MySQL TIME values (timedelta) to Arrow time64[us]."""
    durations = pa.array(values, pa.duration("us"))
    return durations.cast(pa.int64()).view(pa.time64("us"))


# --- Arrow → DDL ----------------------------------------------------------------------

def ddl_type(dtype: pa.DataType, dialect: str, key: bool = False) -> str:
    """Column type for CREATE TABLE in ``dialect`` (postgresql, mysql, sqlite)."""
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        if dialect == "postgresql":
            return ddl_type(dtype.value_type, dialect) + "[]"
        return "JSON" if dialect == "mysql" else "TEXT"
    if pa.types.is_boolean(dtype):
        return "BOOLEAN"
    if pa.types.is_int8(dtype) or pa.types.is_int16(dtype) or pa.types.is_uint8(dtype):
        return "SMALLINT"
    if pa.types.is_int32(dtype) or pa.types.is_uint16(dtype):
        return "INTEGER"
    if pa.types.is_int64(dtype) or pa.types.is_uint32(dtype):
        return "BIGINT"
    if pa.types.is_uint64(dtype):
        return "NUMERIC(20, 0)" if dialect != "mysql" else "BIGINT UNSIGNED"
    if pa.types.is_float16(dtype) or pa.types.is_float32(dtype):
        return "REAL" if dialect != "mysql" else "FLOAT"
    if pa.types.is_float64(dtype):
        return "DOUBLE PRECISION" if dialect == "postgresql" else "DOUBLE" if dialect == "mysql" else "REAL"
    if pa.types.is_decimal(dtype):
        if dialect == "mysql" and dtype.precision > 65:
            return "DECIMAL(65, 30)"
        return f"{'NUMERIC' if dialect != 'mysql' else 'DECIMAL'}({dtype.precision}, {dtype.scale})"
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype):
        if dialect == "mysql":
            return "VARCHAR(255)" if key else "LONGTEXT"
        return "TEXT"
    if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype) or pa.types.is_fixed_size_binary(dtype):
        return {"postgresql": "BYTEA", "mysql": "VARBINARY(255)" if key else "LONGBLOB"}.get(dialect, "BLOB")
    if pa.types.is_date(dtype):
        return "DATE"
    if pa.types.is_time(dtype):
        return "TIME(6)" if dialect == "mysql" else "TIME"
    if pa.types.is_timestamp(dtype):
        if dialect == "postgresql":
            return "TIMESTAMPTZ" if dtype.tz else "TIMESTAMP"
        return "DATETIME(6)" if dialect == "mysql" else "TIMESTAMP"
    if pa.types.is_null(dtype):
        return "TEXT"
    raise ConnectorError(f"cannot create a column of Arrow type {dtype} (cast it first)")
