"""Vectorised evaluation of Assert field rules on Arrow batches."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ...api.errors import RuleViolation
from ...types import parse_type, seatunnel_type_name, to_python
from .options import FieldRule, RuleType, ValueRule


def _row(batch: pa.RecordBatch, index: int) -> dict[str, Any]:
    return batch.slice(index, 1).to_pylist()[0]


def _first(mask: pa.Array) -> int | None:
    """Index of the first true value of a boolean mask (nulls count as false)."""
    filled = pc.fill_null(mask, False)
    if not pc.any(filled).as_py():
        return None
    return int(pc.index(filled, True).as_py())


def _violation(batch: pa.RecordBatch, index: int, rule: FieldRule, what: str) -> RuleViolation:
    return RuleViolation(f"row {_row(batch, index)} fails rule: field {rule.field_name} {what}")


def _lengths(column: pa.Array) -> pa.Array:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = column
    elif pa.types.is_binary(column.type):
        return pc.fill_null(pc.binary_length(column), 0)
    else:
        text = pc.cast(column, pa.string())
    return pc.fill_null(pc.utf8_length(text), 0)


def check_type(batch: pa.RecordBatch, column: pa.Array, rule: FieldRule) -> None:
    """Non-null values must be of ``field_type`` (SeaTunnel compares the value's class)."""
    if rule.field_type is None or column.null_count == len(column):
        return
    expected = parse_type(rule.field_type)
    if not column.type.equals(expected):
        first = _first(pc.is_valid(column))
        raise _violation(
            batch,
            first or 0,
            rule,
            f"has type {seatunnel_type_name(column.type)} (expected {seatunnel_type_name(expected)})",
        )


def check_value_rule(batch: pa.RecordBatch, column: pa.Array, rule: FieldRule, vr: ValueRule) -> None:
    """Raise ``RuleViolation`` for the first row that fails ``vr``."""
    kind = vr.rule_type
    bad: pa.Array | None = None
    if kind == RuleType.NULL:
        bad = pc.is_valid(column)
    elif kind == RuleType.NOT_NULL:
        bad = pc.is_null(column)
    elif kind in (RuleType.MIN, RuleType.MAX):
        if not (
            pa.types.is_integer(column.type) or pa.types.is_floating(column.type) or pa.types.is_decimal(column.type)
        ):
            raise _violation(batch, 0, rule, f"is not a number, so {vr.describe()} cannot hold")
        values = pc.cast(column, pa.float64())
        bound = pa.scalar(float(vr.rule_value or 0))
        bad = pc.less(values, bound) if kind == RuleType.MIN else pc.greater(values, bound)
        bad = pc.or_kleene(pc.fill_null(bad, False), pc.is_null(column))
    elif kind in (RuleType.MIN_LENGTH, RuleType.MAX_LENGTH):
        lengths = _lengths(column)
        length_bound = int(vr.rule_value or 0)
        bad = pc.less(lengths, length_bound) if kind == RuleType.MIN_LENGTH else pc.greater(lengths, length_bound)
    if bad is not None:
        index = _first(bad)
        if index is not None:
            raise _violation(batch, index, rule, f"fails {vr.describe()}")
    if vr.equals_to is not None:
        check_equals(batch, column, rule, vr)


def check_equals(batch: pa.RecordBatch, column: pa.Array, rule: FieldRule, vr: ValueRule) -> None:
    """Non-null values must equal ``equals_to`` converted to the column's type."""
    expected = to_python(vr.equals_to, column.type)
    nested = pa.types.is_nested(column.type)
    if nested:
        for index, value in enumerate(column.to_pylist()):
            if value is not None and value != expected:
                raise _violation(batch, index, rule, f"is {value!r}, fails equals_to {vr.equals_to!r}")
        return
    differs = pc.not_equal(column, pa.scalar(expected, column.type))
    first = _first(differs)
    if first is not None:
        raise _violation(batch, first, rule, f"is {column[first].as_py()!r}, fails equals_to {vr.equals_to!r}")


def check_field_rules(batch: pa.RecordBatch, rules: list[FieldRule]) -> None:
    """Check every field rule against a data batch (without the row-kind column)."""
    for rule in rules:
        index = batch.schema.get_field_index(rule.field_name)
        if index < 0:
            raise RuleViolation(f"field {rule.field_name!r} not found (columns: {', '.join(batch.schema.names)})")
        column = batch.column(index)
        check_type(batch, column, rule)
        for vr in rule.field_value:
            check_value_rule(batch, column, rule, vr)
