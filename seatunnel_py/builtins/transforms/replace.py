"""Replace: replace text in one column (SeaTunnel ``Replace``).

``is_regex = false`` replaces every occurrence of ``pattern`` literally (Java
``String.replace``; ``replace_first`` does not apply). ``is_regex = true`` runs Java
``replaceAll`` / ``replaceFirst``: ``pattern`` is a Java regular expression and
``replacement`` uses Java's syntax (``$1``, ``${name}``, ``\\$`` for a dollar sign).
Nulls stay null. A non-text column is replaced in its text form and becomes ``string``.

Runs vectorised on ``pyarrow.compute`` (RE2); patterns RE2 cannot run with Java's meaning
(look-arounds, back references, possessive quantifiers, patterns that can match the empty
string) fall back to Python ``re`` row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ...api.capabilities import Capability
from ...api.options import PluginOptions, option
from ...api.transform import ColumnTransform
from ._common import (
    Planned,
    Text,
    as_string,
    data_schema,
    text_column_index,
)
from ._regex import compile_java, java_replacement


class ReplaceOptions(PluginOptions):
    """Options of :class:`ReplaceTransform`."""

    replace_field: str = option(..., "the column whose text is replaced")
    pattern: Text = option(..., "the text to find (a Java regular expression with is_regex = true)")
    replacement: Text = option(..., "the new text ($1 refers to a capture group with is_regex = true)")
    is_regex: bool = option(False, "treat pattern as a Java regular expression")
    replace_first: bool = option(False, "with is_regex = true, replace only the first match")


Replacer = Callable[[pa.Array], pa.Array]


@dataclass(frozen=True)
class _Plan:
    schema: pa.Schema
    index: int
    replace: Replacer


def _python_rows(func: Callable[[str], str]) -> Replacer:
    def run(values: pa.Array) -> pa.Array:
        return pa.array([None if v is None else func(v) for v in values.to_pylist()], pa.string())
    return run


class ReplaceTransform(Planned[_Plan], ColumnTransform[ReplaceOptions]):
    """Replace a literal or a Java regular expression in one column's text."""

    name = "Replace"
    description = "Replace text (literal or Java regex) in a column"
    options_model = ReplaceOptions
    capabilities = frozenset({Capability.STATELESS})

    def _replacer(self) -> Replacer:
        opts = self.options
        if not opts.is_regex:
            find, new = opts.pattern, opts.replacement
            if not find:  # pyarrow does not take an empty pattern; Java inserts between chars
                return _python_rows(lambda v: v.replace(find, new))
            return lambda values: pc.replace_substring(values, find, new)
        regex = compile_java(opts.pattern, "pattern")
        template = java_replacement(opts.replacement, regex, "replacement")
        count = 1 if opts.replace_first else 0
        if regex.re2 is not None and template.re2 is not None and not regex.can_match_empty:
            re2, rewrite = regex.re2, template.re2
            limit = 1 if opts.replace_first else None
            return lambda values: pc.replace_substring_regex(values, re2, rewrite, max_replacements=limit)
        compiled, python = regex.python, template.python
        return _python_rows(lambda v: compiled.sub(python, v, count=count))

    def _make_plan(self, input_schema: pa.Schema) -> _Plan:
        schema = data_schema(input_schema)
        index = text_column_index(schema, self.options.replace_field, "replace_field")
        field = schema.field(index)
        out_type = pa.large_string() if pa.types.is_large_string(field.type) else pa.string()
        out = schema.set(index, field.with_type(out_type))
        return _Plan(out, index, self._replacer())

    def map_columns(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        plan = self.plan_for(batch.schema)
        column = batch.column(plan.index)
        replaced = plan.replace(as_string(column))
        out_type = plan.schema.field(plan.index).type
        if replaced.type != out_type:
            replaced = replaced.cast(out_type)
        columns = list(batch.columns)
        columns[plan.index] = replaced
        return pa.RecordBatch.from_arrays(columns, schema=plan.schema)
