"""Helpers shared by the built-in transforms: column lookup, name checks, option types."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Generic, Protocol, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, BeforeValidator, ConfigDict

from ...api.errors import OptionError
from ...api.rowkind import ROW_KIND_COLUMN, has_row_kinds

OptionPath = str | tuple[str | int, ...]


def _scalar_to_str(value: Any) -> Any:
    """HOCON gives numbers and booleans for unquoted values; options that are text take them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_scalar_to_str)]
"""A string option that also accepts an unquoted number or boolean (``0``, ``true``)."""


class NestedOptions(BaseModel):
    """Base of option objects nested in a list (``columns = [{…}]``): unknown keys rejected.

    Unlike :class:`~seatunnel_py.api.options.PluginOptions` it does not split strings on
    commas, so values such as ``decimal(4,2)`` stay whole.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def data_schema(schema: pa.Schema) -> pa.Schema:
    """The schema without the reserved row-kind column (declared schemas never have it)."""
    if has_row_kinds(schema):
        return schema.remove(len(schema) - 1)
    return schema


def column_list(schema: pa.Schema) -> str:
    """``a, b, c`` for error messages (shortened for wide tables)."""
    names = schema.names
    shown = ", ".join(names[:20])
    return shown + (f", … ({len(names)} columns)" if len(names) > 20 else "")


def field_index(schema: pa.Schema, name: str, option: OptionPath) -> int:
    """Index of column ``name``, or an ``OptionError`` naming ``option``."""
    index = schema.get_field_index(name)
    if index < 0:
        matches = [i for i, n in enumerate(schema.names) if n == name]
        if matches:  # duplicate names: take the first, as SeaTunnel's indexOf does
            return matches[0]
        raise OptionError(option, f"no column {name!r} in the input (columns: {column_list(schema)})")
    return index


def check_new_names(
    schema: pa.Schema | None, names: Iterable[str], option: OptionPath | list[OptionPath]
) -> None:
    """Refuse output names that are empty, reserved, repeated or already columns of ``schema``.

    ``option`` is one path for all names or one path per name.
    """
    seen: set[str] = set()
    existing = set(schema.names) if schema is not None else set()
    for i, name in enumerate(names):
        where = option[i] if isinstance(option, list) else option
        if not name:
            raise OptionError(where, "an output column name is empty")
        if name == ROW_KIND_COLUMN:
            raise OptionError(where, f"{name!r} is reserved for row kinds")
        if name in existing:
            raise OptionError(where, f"column {name!r} already exists in the input (choose a new name)")
        if name in seen:
            raise OptionError(where, f"two output columns would be named {name!r}")
        seen.add(name)


def as_string(array: pa.Array) -> pa.Array:
    """The values of a column as ``string`` (SeaTunnel works on ``toString()`` of the value)."""
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if pa.types.is_string(array.type):
        return array
    return pc.cast(array, pa.string())


def stringable(data_type: pa.DataType) -> bool:
    """True when :func:`as_string` can turn a column of this type into text."""
    if pa.types.is_dictionary(data_type):
        data_type = data_type.value_type
    return not (pa.types.is_nested(data_type) or pa.types.is_binary(data_type)
                or pa.types.is_large_binary(data_type) or pa.types.is_fixed_size_binary(data_type))


def text_column_index(schema: pa.Schema, name: str, option: OptionPath) -> int:
    """Index of a column whose values can be read as text, or an ``OptionError`` naming ``option``."""
    index = field_index(schema, name, option)
    field = schema.field(index)
    if not stringable(field.type):
        raise OptionError(option, f"column {field.name!r} is {field.type} "
                                  "(expected a text, number, date or boolean column)")
    return index


def with_string_columns(schema: pa.Schema, names: list[str], option: str) -> pa.Schema:
    """``schema`` with new ``string`` columns appended, after checking the names (``option[i]``)."""
    check_new_names(schema, names, [(option, i) for i in range(len(names))])
    for name in names:
        schema = schema.append(pa.field(name, pa.string()))
    return schema


def same_metadata(batch: pa.RecordBatch, like: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with the schema metadata (the table id) of ``like``."""
    if batch.schema.metadata != like.schema.metadata:
        return batch.replace_schema_metadata(like.schema.metadata)
    return batch


class _HasSchema(Protocol):
    @property
    def schema(self) -> pa.Schema: ...


P = TypeVar("P", bound=_HasSchema)


class Planned(Generic[P]):
    """Mixin for transforms that work out a plan (column indexes, compiled patterns) from
    the input schema once: ``output_schema`` and ``bind`` come from ``_make_plan``, and
    ``plan_for`` returns the bound plan (making it on first use when ``bind`` was skipped).
    Put it before the Transform base class."""

    _plan: P | None = None

    def _make_plan(self, input_schema: pa.Schema) -> P:
        raise NotImplementedError

    def output_schema(self, input_schema: pa.Schema) -> pa.Schema:
        """The output schema is the plan's."""
        return self._make_plan(input_schema).schema

    def bind(self, input_schema: pa.Schema) -> None:
        """Make the plan for the input schema before the first batch."""
        self._plan = self._make_plan(input_schema)

    def plan_for(self, schema: pa.Schema) -> P:
        """The bound plan (made from ``schema`` when ``bind`` was not called)."""
        if self._plan is None:
            self._plan = self._make_plan(schema)
        return self._plan
