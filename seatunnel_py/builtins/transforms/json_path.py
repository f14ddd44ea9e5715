"""JsonPath: read values out of JSON columns into new typed columns (SeaTunnel ``JsonPath``).

Every entry of ``columns`` reads ``path`` (see :mod:`._jsonpath` for the supported
subset) from ``src_field`` and appends ``dest_field`` of ``dest_type`` (a SeaTunnel type
name, ``string`` by default: objects and arrays are written as compact JSON). The batch
form of SeaTunnel is accepted: ``path``, ``dest_field`` and ``dest_type`` holding several
values separated by ``;``.

``src_field`` may be a string or bytes column holding JSON text, or an array, map or row
column (a row is read as an array of its values, so ``$[0]`` is its first field). A null
source gives null. A value that cannot be read (bad JSON, nothing at the path, a value
that does not fit ``dest_type``) follows ``column_error_handle_way`` when the column sets
it (FAIL, SKIP: null, SKIP_ROW: drop the row), else ``row_error_handle_way`` (FAIL, or
SKIP: drop the row).

JSON is parsed with the standard library once per source column and row; the typed
columns are then built in one go per batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from ...api.capabilities import Capability
from ...api.errors import DataError, OptionError
from ...api.options import OptionEnum, PluginOptions, option
from ...api.rowkind import attach_row_kinds, split_row_kinds
from ...api.transform import Transform
from ...types import TypeParseError, parse_type, to_python
from ._common import NestedOptions, Planned, Text, check_new_names, data_schema, field_index
from ._jsonpath import JsonPath, PathMissing


class ErrorHandleWay(OptionEnum):
    """What to do with a value that cannot be read, for one column."""

    FAIL = "FAIL"
    SKIP = "SKIP"
    SKIP_ROW = "SKIP_ROW"


class RowErrorHandleWay(OptionEnum):
    """What to do with a row holding a value that cannot be read."""

    FAIL = "FAIL"
    SKIP = "SKIP"


class JsonPathColumn(NestedOptions):
    """One ``columns`` entry."""

    src_field: str = option(..., "the column holding JSON (string or bytes), or an array, map or row")
    path: Text = option(..., "JsonPath such as $.a.b, $.a[0], $['a'] or $.a[*] (several: separated by ';')")
    dest_field: str = option(..., "the new column (several: separated by ';', one per path)")
    dest_type: Text = option("string", "SeaTunnel type of the new column (several: separated by ';')")
    column_error_handle_way: ErrorHandleWay | None = option(
        None, "FAIL, SKIP (null) or SKIP_ROW for this column; overrides row_error_handle_way")


class JsonPathOptions(PluginOptions):
    """Options of :class:`JsonPathTransform`."""

    columns: list[JsonPathColumn] = option(
        ..., "what to read: [{src_field, path, dest_field, dest_type, column_error_handle_way}]", min_length=1)
    row_error_handle_way: RowErrorHandleWay = option(
        RowErrorHandleWay.FAIL, "FAIL (stop the job) or SKIP (drop the row) when a value cannot be read")


@dataclass(frozen=True)
class _Column:
    source: int
    path: JsonPath
    dest: str
    type: pa.DataType
    way: ErrorHandleWay


@dataclass(frozen=True)
class _Plan:
    schema: pa.Schema
    columns: list[_Column]


@dataclass(frozen=True)
class _BadJson:
    reason: str


def _readable(data_type: pa.DataType) -> bool:
    t = pa.types
    return any(check(data_type) for check in (
        t.is_string, t.is_large_string, t.is_binary, t.is_large_binary,
        t.is_list, t.is_large_list, t.is_map, t.is_struct))


def _documents(column: pa.Array) -> list[Any]:
    """One parsed document per row: JSON text parsed, arrays/maps/rows as lists/dicts."""
    data_type = column.type
    values = column.to_pylist()
    if pa.types.is_struct(data_type):
        return [None if v is None else list(v.values()) for v in values]
    if pa.types.is_map(data_type):
        return [None if v is None else dict(v) for v in values]
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        return values
    out: list[Any] = []
    for text in values:
        if text is None:
            out.append(None)
            continue
        try:
            out.append(json.loads(text))
        except ValueError as exc:
            out.append(_BadJson(f"invalid JSON ({exc})"))
    return out


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _convert(value: Any, data_type: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_string(data_type):
        return _text(value)
    if isinstance(value, bool) and not pa.types.is_boolean(data_type):
        raise ValueError(f"a boolean does not fit {data_type}")
    return to_python(value, data_type)


class JsonPathTransform(Planned[_Plan], Transform[JsonPathOptions]):
    """Read JsonPath values from JSON (or nested) columns into new typed columns."""

    name = "JsonPath"
    description = "Read values out of JSON columns with JsonPath"
    options_model = JsonPathOptions
    capabilities = frozenset({Capability.STATELESS})

    def _expand(self, i: int, entry: JsonPathColumn, schema: pa.Schema) -> list[_Column]:
        where = ("columns", i)
        source = field_index(schema, entry.src_field, (*where, "src_field"))
        source_type = schema.field(source).type
        if not _readable(source_type):
            raise OptionError((*where, "src_field"), f"column {entry.src_field!r} is {source_type} "
                                                     "(expected string, bytes, array, map or row)")
        dests = [d.strip() for d in entry.dest_field.split(";")]
        paths = [p.strip() for p in entry.path.split(";")] if len(dests) > 1 else [entry.path]
        types = [t.strip() for t in entry.dest_type.split(";")] if ";" in entry.dest_type else [entry.dest_type]
        if len(types) == 1:
            types = types * len(dests)
        if len(paths) != len(dests):
            raise OptionError((*where, "path"), f"has {len(paths)} paths for {len(dests)} dest_field names")
        if len(types) != len(dests):
            raise OptionError((*where, "dest_type"), f"has {len(types)} types for {len(dests)} dest_field names")
        way = entry.column_error_handle_way or (
            ErrorHandleWay.FAIL if self.options.row_error_handle_way is RowErrorHandleWay.FAIL
            else ErrorHandleWay.SKIP_ROW)
        out = []
        for path, dest, type_name in zip(paths, dests, types, strict=True):
            try:
                compiled = JsonPath.compile(path)
            except ValueError as exc:
                raise OptionError((*where, "path"), f"cannot use JsonPath {path!r}: {exc}") from None
            try:
                data_type = parse_type(type_name)
            except TypeParseError as exc:
                raise OptionError((*where, "dest_type"), str(exc)) from None
            out.append(_Column(source, compiled, dest, data_type, way))
        return out

    def _make_plan(self, input_schema: pa.Schema) -> _Plan:
        schema = data_schema(input_schema)
        columns: list[_Column] = []
        where: list[str | tuple[str | int, ...]] = []
        for i, entry in enumerate(self.options.columns):
            expanded = self._expand(i, entry, schema)
            columns.extend(expanded)
            where.extend([("columns", i, "dest_field")] * len(expanded))
        check_new_names(schema, [c.dest for c in columns], where)
        out = schema
        for column in columns:
            out = out.append(pa.field(column.dest, column.type))
        return _Plan(out, columns)

    def _read(self, column: _Column, documents: list[Any]) -> tuple[pa.Array, dict[int, str]]:
        """The new column and the rows whose value could not be read (row → reason)."""
        values: list[Any] = []
        errors: dict[int, str] = {}
        for row, document in enumerate(documents):
            value = None
            if isinstance(document, _BadJson):
                errors[row] = document.reason
            elif document is not None:
                try:
                    value = _convert(column.path.read(document), column.type)
                except PathMissing as exc:
                    errors[row] = f"nothing at the path ({exc})"
                except (ValueError, TypeError, ArithmeticError, LookupError, AttributeError) as exc:
                    errors[row] = f"value does not fit {column.type} ({exc})"
            values.append(value)
        try:
            return pa.array(values, column.type), errors
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, ValueError, TypeError):
            pass
        for row, value in enumerate(values):  # find the values Arrow refuses
            try:
                pa.array([value], column.type)
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, ValueError, TypeError) as exc:
                errors[row] = f"value does not fit {column.type} ({exc})"
                values[row] = None
        return pa.array(values, column.type), errors

    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        data, kinds = split_row_kinds(batch)
        plan = self.plan_for(data.schema)
        parsed: dict[int, list[Any]] = {}
        keep = np.ones(data.num_rows, dtype=bool)
        added = []
        for column in plan.columns:
            if column.source not in parsed:
                parsed[column.source] = _documents(data.column(column.source))
            array, errors = self._read(column, parsed[column.source])
            if errors and column.way is ErrorHandleWay.FAIL:
                row = min(errors)
                source = data.schema.field(column.source).name
                raise DataError(f"JsonPath: cannot read {column.path.text!r} from column {source!r} "
                                f"into {column.dest!r} at row {row + 1} of a batch of {data.num_rows}: {errors[row]}")
            if errors and column.way is ErrorHandleWay.SKIP_ROW:
                keep[list(errors)] = False
            added.append(array)
        out = pa.RecordBatch.from_arrays([*data.columns, *added], schema=plan.schema)
        out = out.replace_schema_metadata(data.schema.metadata)
        if not keep.all():
            mask = pa.array(keep)
            out = out.filter(mask)
            kinds = kinds.filter(mask) if kinds is not None else None
        if out.num_rows == 0:
            return None
        return attach_row_kinds(out, kinds)
