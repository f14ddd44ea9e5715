"""FieldRename: rename columns by rules (SeaTunnel ``FieldRename``).

For each column, in this order: a ``specific`` rule that names it renames it and nothing
else applies; otherwise every ``replacements_with_regex`` rule is applied in turn to the
original name (Java ``replaceAll``, or an exact whole-name match with ``is_regex = false``),
then ``convert_case``, then ``prefix`` and ``suffix`` are added. The replacement rules
see the original spelling, as SeaTunnel's examples show (``LOWER`` with
``replace_from = "CREATE_TIME"``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from ...api.capabilities import Capability
from ...api.options import OptionEnum, PluginOptions, option
from ...api.transform import ColumnTransform
from ._common import NestedOptions, OptionPath, Planned, Text, check_new_names, data_schema
from ._regex import JavaRegex, compile_java, java_replacement


class ConvertCase(OptionEnum):
    """Case conversion of column names."""

    UPPER = "UPPER"
    LOWER = "LOWER"


class ReplacementRule(NestedOptions):
    """One ``replacements_with_regex`` entry."""

    replace_from: Text = option(..., "Java regular expression (or exact name with is_regex = false)")
    replace_to: Text = option(..., "replacement; $1 refers to a capture group")
    is_regex: bool = option(True, "false: replace_from must equal the whole column name")


class SpecificRule(NestedOptions):
    """One ``specific`` entry: a direct rename that skips the other rules."""

    field_name: str = option(..., "the column to rename")
    target_name: str = option(..., "its new name")


class FieldRenameOptions(PluginOptions):
    """Options of :class:`FieldRenameTransform`."""

    convert_case: ConvertCase | None = option(None, "UPPER or LOWER: change the case of every name")
    prefix: str | None = option(None, "text added before every name")
    suffix: str | None = option(None, "text added after every name")
    replacements_with_regex: list[ReplacementRule] | None = option(
        None, "rules {replace_from, replace_to, is_regex} applied in order to every name")
    specific: list[SpecificRule] | None = option(
        None, "direct renames {field_name, target_name}; a matched column skips the other rules")


@dataclass(frozen=True)
class _Rule:
    regex: JavaRegex | None
    exact: str
    template: str


@dataclass(frozen=True)
class _Plan:
    schema: pa.Schema
    names: list[str]


class FieldRenameTransform(Planned[_Plan], ColumnTransform[FieldRenameOptions]):
    """Rename columns: regex replacements, case conversion, prefix and suffix."""

    name = "FieldRename"
    description = "Rename columns by regex, case, prefix and suffix"
    options_model = FieldRenameOptions
    capabilities = frozenset({Capability.STATELESS})

    def _rules(self) -> list[_Rule]:
        rules = []
        for i, rule in enumerate(self.options.replacements_with_regex or []):
            if rule.is_regex:
                regex = compile_java(rule.replace_from, ("replacements_with_regex", i, "replace_from"))
                template = java_replacement(rule.replace_to, regex, ("replacements_with_regex", i, "replace_to"))
                rules.append(_Rule(regex, "", template.python))
            else:
                rules.append(_Rule(None, rule.replace_from, rule.replace_to))
        return rules

    def rename(self, name: str, rules: list[_Rule]) -> str:
        """The new name of one column (``specific`` rules aside)."""
        for rule in rules:
            if rule.regex is not None:
                name = rule.regex.python.sub(rule.template, name)
            elif name == rule.exact:
                name = rule.template
        if self.options.convert_case is ConvertCase.UPPER:
            name = name.upper()
        elif self.options.convert_case is ConvertCase.LOWER:
            name = name.lower()
        return f"{self.options.prefix or ''}{name}{self.options.suffix or ''}"

    def _blame(self) -> OptionPath:
        """The option a name collision is reported on: the first rename option set."""
        for key in ("specific", "replacements_with_regex", "convert_case", "prefix", "suffix"):
            if getattr(self.options, key) is not None:
                return key
        return "convert_case"

    def _make_plan(self, input_schema: pa.Schema) -> _Plan:
        schema = data_schema(input_schema)
        specific = {rule.field_name: rule.target_name for rule in self.options.specific or []}
        rules = self._rules()
        names = [specific[n] if n in specific else self.rename(n, rules) for n in schema.names]
        check_new_names(None, names, self._blame())
        fields = [schema.field(i).with_name(new) for i, new in enumerate(names)]
        return _Plan(pa.schema(fields, metadata=schema.metadata), names)

    def map_columns(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        plan = self.plan_for(batch.schema)
        return pa.RecordBatch.from_arrays(batch.columns, schema=plan.schema)
