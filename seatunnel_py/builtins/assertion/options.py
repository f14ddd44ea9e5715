"""Assert sink options (SeaTunnel's ``rules`` block, reference §6.3)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ...api.errors import OptionError
from ...api.options import OptionEnum, PluginOptions, option
from ...types import TypeParseError, parse_type


class RuleType(OptionEnum):
    """Rule types of field and row rules."""

    NULL = "NULL"
    NOT_NULL = "NOT_NULL"
    MIN = "MIN"
    MAX = "MAX"
    MIN_LENGTH = "MIN_LENGTH"
    MAX_LENGTH = "MAX_LENGTH"
    MIN_ROW = "MIN_ROW"
    MAX_ROW = "MAX_ROW"


class ValueRule(PluginOptions):
    """One entry of ``field_value``: a rule type with its value, and/or ``equals_to``."""

    rule_type: RuleType | None = option(None, "NULL, NOT_NULL, MIN, MAX, MIN_LENGTH or MAX_LENGTH")
    rule_value: float | None = option(None, "the bound of MIN, MAX, MIN_LENGTH, MAX_LENGTH")
    equals_to: Any = option(None, "non-null values must equal this (dates as 2012-12-21, bytes as base64)")

    def describe(self) -> str:
        """How the rule is named in violation messages."""
        parts = []
        if self.rule_type is not None:
            parts.append(self.rule_type.value + (f" {self.rule_value:g}" if self.rule_value is not None else ""))
        if self.equals_to is not None:
            parts.append(f"equals_to {self.equals_to!r}")
        return " ".join(parts) or "(empty rule)"


class FieldRule(PluginOptions):
    """Rules for one field."""

    field_name: str = option(..., "the field to check")
    field_type: Any = option(None, "the field's type (SeaTunnel type name); values must be of it")
    field_value: list[ValueRule] = option([], "rules every row's value must pass")


class RowRule(PluginOptions):
    """A row-count rule, checked when the input ends."""

    rule_type: RuleType = option(..., "MIN_ROW or MAX_ROW")
    rule_value: int = Field(..., ge=0, description="the bound on the row count")


class TableRules(PluginOptions):
    """Rules for one table of a multi-table input."""

    table_path: str = option(..., "the table id the rules apply to")
    row_rules: list[RowRule] = option([], "row-count rules")
    field_rules: list[FieldRule] = option([], "field rules")


class ColumnRule(PluginOptions):
    """Expected column of the input schema."""

    name: str = option(..., "column name")
    type: str = option(..., "SeaTunnel type name")
    nullable: bool | None = option(None, "expected nullability")
    column_length: int | None = option(None, "accepted, not checked")
    default_value: Any = option(None, "accepted, not checked")
    comment: str | None = option(None, "accepted, not checked")


class PrimaryKeyRule(PluginOptions):
    """Expected primary key of the input."""

    primary_key_name: str | None = option(None, "accepted, not checked")
    primary_key_columns: list[str] = option(..., "the key's columns in order")


class CatalogTableRule(PluginOptions):
    """Rules on the input's schema, checked once before data flows."""

    column_rule: list[ColumnRule] = option([], "expected columns")
    primary_key_rule: PrimaryKeyRule | None = option(None, "expected primary key")


class Rules(PluginOptions):
    """The ``rules`` block."""

    row_rules: list[RowRule] = option([], "row-count rules (counted across all parallel writers)")
    field_rules: list[FieldRule] = option([], "rules on field values, checked on every row")
    table_names: list[str] | None = option(None, "the exact set of table ids that must appear", alias="table-names")
    tables_configs: list[TableRules] = option([], "per-table rules")
    catalog_table_rule: CatalogTableRule | None = option(None, "rules on the input schema")


class AssertOptions(PluginOptions):
    """Options of the Assert sink."""

    rules: Rules = option(..., "what the data must satisfy")

    def check(self) -> list[OptionError]:
        r = self.rules
        problems: list[OptionError] = []
        if not (r.row_rules or r.field_rules or r.table_names or r.tables_configs or r.catalog_table_rule):
            problems.append(
                OptionError(
                    "rules",
                    "Assert rule config is empty (expected row_rules, field_rules, "
                    "table-names, tables_configs or catalog_table_rule)",
                )
            )
        for i, rule in enumerate(r.row_rules):
            if rule.rule_type not in (RuleType.MIN_ROW, RuleType.MAX_ROW):
                problems.append(
                    OptionError(
                        ("rules", "row_rules", i, "rule_type"),
                        f"got {rule.rule_type.value} (expected MIN_ROW or MAX_ROW)",
                    )
                )
        for i, fr in enumerate(r.field_rules):
            if fr.field_type is not None:
                try:
                    parse_type(fr.field_type)
                except TypeParseError as exc:
                    problems.append(OptionError(("rules", "field_rules", i, "field_type"), str(exc)))
            for j, vr in enumerate(fr.field_value):
                path = ("rules", "field_rules", i, "field_value", j)
                if vr.rule_type in (RuleType.MIN_ROW, RuleType.MAX_ROW):
                    problems.append(OptionError((*path, "rule_type"), "row rules belong in row_rules"))
                needs_value = vr.rule_type in (RuleType.MIN, RuleType.MAX, RuleType.MIN_LENGTH, RuleType.MAX_LENGTH)
                if needs_value and vr.rule_value is None:
                    problems.append(OptionError((*path, "rule_value"), f"{vr.describe()} needs rule_value"))
                if vr.rule_type is None and vr.equals_to is None:
                    problems.append(OptionError(path, "expected rule_type or equals_to"))
        return problems
