"""SeaTunnel type names and schema declarations, mapped to Arrow.

Type grammar (case-insensitive, SeaTunnel reference §1.5): ``string``, ``boolean``,
``tinyint``/``byte``, ``smallint``/``short``, ``int``/``integer``, ``bigint``/``long``,
``float``, ``double``, ``decimal(p, s)``, ``null``, ``bytes``, ``date``, ``time``,
``timestamp``, ``timestamp_tz``, ``array<T>``, ``map<K, V>`` and rows, written as a nested
object ``{ a = int }`` or as the string ``"{a = int, b = string}"``.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

TIME_UNIT = "us"

_SIMPLE: dict[str, pa.DataType] = {
    "string": pa.string(),
    "varchar": pa.string(),
    "boolean": pa.bool_(),
    "bool": pa.bool_(),
    "tinyint": pa.int8(),
    "byte": pa.int8(),
    "smallint": pa.int16(),
    "short": pa.int16(),
    "int": pa.int32(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "long": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "null": pa.null(),
    "bytes": pa.binary(),
    "binary": pa.binary(),
    "date": pa.date32(),
    "time": pa.time64(TIME_UNIT),
    "timestamp": pa.timestamp(TIME_UNIT),
    "timestamp_tz": pa.timestamp(TIME_UNIT, tz="UTC"),
}


class TypeParseError(ValueError):
    """A type name that is not in SeaTunnel's grammar."""


class SchemaError(ValueError):
    """A schema declaration that cannot be read; ``path`` points at the bad key."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _split_top_level(text: str) -> list[str]:
    """Split ``a, map<b, c>, d`` on commas that are not nested in <>, (), {}."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in "<({[":
            depth += 1
        elif ch in ">)}]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def _parse_row_string(text: str) -> pa.DataType:
    body = text.strip()[1:-1]
    try:  # JSON-in-string form
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            return row_type(parsed)
    except json.JSONDecodeError:
        pass
    fields = []
    for part in _split_top_level(body):
        match = re.match(r"""^\s*["'`]?([^"'`=:]+?)["'`]?\s*[=:]\s*(.+)$""", part, re.S)
        if not match:
            raise TypeParseError(f"cannot read row field {part!r} (expected name = type)")
        fields.append(pa.field(match.group(1).strip(), parse_type(match.group(2).strip().strip("\"'"))))
    return pa.struct(fields)


def parse_type(spec: Any) -> pa.DataType:
    """Map one SeaTunnel type declaration (string or nested object) to an Arrow type."""
    if isinstance(spec, Mapping):
        return row_type(spec)
    if spec is None:  # unquoted HOCON null
        return pa.null()
    if not isinstance(spec, str):
        raise TypeParseError(f"a type must be a name or an object, got {spec!r}")
    text = spec.strip()
    lowered = text.lower()
    if lowered in _SIMPLE:
        return _SIMPLE[lowered]
    if text.startswith("{") and text.endswith("}"):
        return _parse_row_string(text)
    match = re.fullmatch(r"(decimal|numeric)\s*\((.*)\)", lowered, re.S)
    if match:
        args = [a for a in (re.sub(r"[^0-9]", "", p) for p in match.group(2).split(",")) if a]
        if len(args) != 2:
            raise TypeParseError(f"{text!r}: decimal needs precision and scale, e.g. decimal(10, 2)")
        precision, scale = int(args[0]), int(args[1])
        if not 1 <= precision <= 76 or scale > precision:
            raise TypeParseError(f"{text!r}: precision must be 1..76 and scale <= precision")
        return pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)
    if lowered == "decimal":
        return pa.decimal128(38, 18)
    match = re.fullmatch(r"array\s*<(.*)>", text, re.S | re.I)
    if match:
        return pa.list_(parse_type(match.group(1)))
    match = re.fullmatch(r"map\s*<(.*)>", text, re.S | re.I)
    if match:
        parts = _split_top_level(match.group(1))
        if len(parts) != 2:
            raise TypeParseError(f"{text!r}: map needs a key and a value type, e.g. map<string, int>")
        return pa.map_(parse_type(parts[0]), parse_type(parts[1]))
    raise TypeParseError(
        f"unknown type {text!r} (expected one of {', '.join(sorted(_SEATUNNEL_NAMES))}, "
        "decimal(p, s), array<T>, map<K, V> or a row of named fields ({ name = type }))"
    )


_SEATUNNEL_NAMES = [
    "string",
    "boolean",
    "tinyint",
    "smallint",
    "int",
    "bigint",
    "float",
    "double",
    "null",
    "bytes",
    "date",
    "time",
    "timestamp",
    "timestamp_tz",
]


def row_type(fields: Mapping[str, Any]) -> pa.StructType:
    """A nested row ``{ a = int, b = string }`` as an Arrow struct."""
    return pa.struct([pa.field(str(k), parse_type(v)) for k, v in fields.items()])


def seatunnel_type_name(dtype: pa.DataType) -> str:
    """Arrow type back to SeaTunnel's upper-case name (Console's ``output rowType``)."""
    if pa.types.is_decimal(dtype):
        return f"DECIMAL({dtype.precision}, {dtype.scale})"
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return f"ARRAY<{seatunnel_type_name(dtype.value_type)}>"
    if pa.types.is_map(dtype):
        return f"MAP<{seatunnel_type_name(dtype.key_type)}, {seatunnel_type_name(dtype.item_type)}>"
    if pa.types.is_struct(dtype):
        inner = ", ".join(f"{f.name}<{seatunnel_type_name(f.type)}>" for f in dtype)
        return f"ROW<{inner}>"
    if pa.types.is_timestamp(dtype):
        return "TIMESTAMP_TZ" if dtype.tz else "TIMESTAMP"
    if pa.types.is_time(dtype):
        return "TIME"
    for name, simple in _SIMPLE.items():
        if simple == dtype and name in _SEATUNNEL_NAMES:
            return name.upper()
    if pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype):
        return "STRING"
    if pa.types.is_large_binary(dtype):
        return "BYTES"
    return str(dtype).upper()


@dataclass
class TableSchema:
    """A declared schema: the Arrow schema plus table identity and keys."""

    schema: pa.Schema
    table: str = ""
    primary_key: list[str] = field(default_factory=list)
    comment: str = ""


def parse_schema(config: Mapping[str, Any]) -> TableSchema:
    """Read ``schema = { fields { … } }`` or ``schema = { columns = [ … ] }``."""
    if not isinstance(config, Mapping):
        raise SchemaError((), "schema must be an object with 'fields' or 'columns'")
    fields_cfg = config.get("fields")
    columns_cfg = config.get("columns")
    if fields_cfg is None and columns_cfg is None:
        raise SchemaError((), "schema needs 'fields { name = type }' or 'columns = [ … ]'")
    arrow_fields: list[pa.Field] = []
    if fields_cfg is not None:
        if not isinstance(fields_cfg, Mapping):
            raise SchemaError(("fields",), "'fields' must be an object of name = type")
        for name, spec in fields_cfg.items():
            try:
                arrow_fields.append(pa.field(str(name), parse_type(spec)))
            except TypeParseError as exc:
                raise SchemaError(("fields", str(name)), str(exc)) from None
    else:
        arrow_fields = _columns(columns_cfg)
    primary = config.get("primaryKey") or {}
    pk = list(primary.get("columnNames") or primary.get("columns") or []) if isinstance(primary, Mapping) else []
    names = [f.name for f in arrow_fields]
    for col in pk:
        if col not in names:
            raise SchemaError(("primaryKey", "columnNames"), f"primary key column {col!r} is not a declared column")
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise SchemaError(("fields",) if fields_cfg is not None else ("columns",), f"duplicate column {dup[0]!r}")
    table = str(config.get("table") or "")
    comment = str(config.get("comment") or "")
    metadata = {b"seatunnel.primary_key": ",".join(pk).encode()} if pk else None
    return TableSchema(pa.schema(arrow_fields, metadata=metadata), table, pk, comment)


def _columns(columns_cfg: Any) -> list[pa.Field]:
    if not isinstance(columns_cfg, Sequence) or isinstance(columns_cfg, str):
        raise SchemaError(("columns",), "'columns' must be a list of { name = …, type = … }")
    out = []
    for i, col in enumerate(columns_cfg):
        if not isinstance(col, Mapping) or "name" not in col or "type" not in col:
            raise SchemaError(("columns", i), "each column needs 'name' and 'type'")
        try:
            dtype = parse_type(col["type"])
        except TypeParseError as exc:
            raise SchemaError(("columns", i, "type"), str(exc)) from None
        nullable = col.get("nullable", True)
        if isinstance(nullable, str):
            nullable = nullable.strip().lower() != "false"
        meta = {k: str(col[k]) for k in ("comment", "defaultValue", "columnLength", "columnScale") if k in col}
        out.append(pa.field(str(col["name"]), dtype, nullable=bool(nullable), metadata=meta or None))
    return out


# --- Python values from job files (FakeSource rows, Assert equals_to) to Arrow ---------


def _parse_time(value: str) -> dt.time:
    return dt.time.fromisoformat(value.strip())


def _parse_timestamp(value: str, tz: bool) -> dt.datetime:
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    stamp = dt.datetime.fromisoformat(text)
    if tz and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    if not tz and stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return stamp


def to_python(value: Any, dtype: pa.DataType) -> Any:
    """Convert a job-file value (string, number, list, object) to a Python value of ``dtype``.

    Dates are ``"2012-12-21"``, timestamps ``"2012-12-21T12:34:56"``, times ``"12:34:56"``,
    bytes base64 strings, as in SeaTunnel's FakeSource rows and Assert ``equals_to``;
    ``CURRENT_DATE`` / ``CURRENT_TIME`` / ``CURRENT_TIMESTAMP`` are accepted.
    """
    if value is None or pa.types.is_null(dtype):
        return None
    if pa.types.is_struct(dtype):
        if isinstance(value, str):
            value = json.loads(value)
        if isinstance(value, Mapping):
            return {f.name: to_python(value.get(f.name), f.type) for f in dtype}
        return {f.name: to_python(v, f.type) for f, v in zip(dtype, value, strict=False)}
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        if isinstance(value, str):
            value = json.loads(value)
        return [to_python(v, dtype.value_type) for v in value]
    if pa.types.is_map(dtype):
        if isinstance(value, str):
            value = json.loads(value)
        return [(to_python(k, dtype.key_type), to_python(v, dtype.item_type)) for k, v in value.items()]
    if pa.types.is_boolean(dtype):
        if isinstance(value, str):
            return value.strip().lower() == "true"
        return bool(value)
    if pa.types.is_integer(dtype):
        return int(value)
    if pa.types.is_floating(dtype):
        return float(value)
    if pa.types.is_decimal(dtype):
        return decimal.Decimal(str(value))
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
        return base64.b64decode(value) if isinstance(value, str) else bytes(value)
    if pa.types.is_date(dtype):
        if isinstance(value, str) and value.strip().upper() == "CURRENT_DATE":
            return dt.date.today()
        return dt.date.fromisoformat(str(value).strip()[:10])
    if pa.types.is_time(dtype):
        if isinstance(value, str) and value.strip().upper() == "CURRENT_TIME":
            return dt.datetime.now().time()
        return _parse_time(str(value))
    if pa.types.is_timestamp(dtype):
        if isinstance(value, str) and value.strip().upper() == "CURRENT_TIMESTAMP":
            now = dt.datetime.now(dt.timezone.utc)
            return now if dtype.tz else now.replace(tzinfo=None)
        if isinstance(value, (int, float)):
            return dt.datetime.fromtimestamp(value / 1000, dt.timezone.utc)
        return _parse_timestamp(str(value), bool(dtype.tz))
    return value


def column_from_values(values: Sequence[Any], dtype: pa.DataType) -> pa.Array:
    """Build an Arrow array of ``dtype`` from job-file values (see :func:`to_python`)."""
    return pa.array([to_python(v, dtype) for v in values], type=dtype)
