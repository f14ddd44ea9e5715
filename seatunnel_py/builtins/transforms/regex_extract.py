"""RegexExtract: capture groups of a Java regular expression into new columns.

Each capture group of ``regex_pattern`` (searched anywhere in the text, like Java's
``Matcher.find``) fills one ``output_fields`` column (``string``, appended). Rows that do
not match, and null inputs, get ``default_values`` (or null without them).

Vectorised with ``pyarrow.compute.extract_regex`` (RE2, which needs named groups: the
groups are renamed internally); patterns RE2 cannot run fall back to Python ``re``. On
the RE2 route an optional group that took no part in the match gives ``""`` where Java
gives null.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ...api.capabilities import Capability
from ...api.errors import OptionError
from ...api.options import PluginOptions, option
from ...api.transform import ColumnTransform
from ._common import (
    Planned,
    Text,
    as_string,
    data_schema,
    text_column_index,
    with_string_columns,
)
from ._regex import JavaRegex, compile_java, name_all_groups, re2_accepts


class RegexExtractOptions(PluginOptions):
    """Options of :class:`RegexExtractTransform`."""

    source_field: str = option(..., "the column to search")
    regex_pattern: Text = option(..., "Java regular expression with one capture group per output column")
    output_fields: list[str] = option(..., "names of the new columns, one per capture group", min_length=1)
    default_values: list[Text] | None = option(
        None, "values for the new columns when the pattern does not match or the input is null")

    def check(self) -> list[OptionError]:
        if self.default_values is not None and len(self.default_values) != len(self.output_fields):
            return [OptionError("default_values", f"has {len(self.default_values)} values but output_fields "
                                                  f"has {len(self.output_fields)} (expected one per column)")]
        return []


Extractor = Callable[[pa.Array], list[pa.Array]]


@dataclass(frozen=True)
class _Plan:
    schema: pa.Schema
    index: int
    extract: Extractor


def _vectorised(regex: JavaRegex, defaults: list[str | None]) -> Extractor | None:
    if regex.re2 is None:
        return None
    named = name_all_groups(regex.re2)
    if not re2_accepts(named):
        return None
    fallbacks = [pa.scalar(d, pa.string()) for d in defaults]

    def run(values: pa.Array) -> list[pa.Array]:
        found = pc.extract_regex(values, named)
        matched = found.is_valid()
        return [pc.if_else(matched, found.field(i), fallbacks[i]) for i in range(len(fallbacks))]

    return run


def _row_by_row(regex: JavaRegex, defaults: list[str | None]) -> Extractor:
    compiled = regex.python

    def run(values: pa.Array) -> list[pa.Array]:
        rows = [None if v is None else compiled.search(v) for v in values.to_pylist()]
        return [
            pa.array([m.group(i + 1) if m is not None else default for m in rows], pa.string())
            for i, default in enumerate(defaults)
        ]

    return run


class RegexExtractTransform(Planned[_Plan], ColumnTransform[RegexExtractOptions]):
    """Extract the capture groups of a Java regular expression into new string columns."""

    name = "RegexExtract"
    description = "Extract regex capture groups into new columns"
    options_model = RegexExtractOptions
    capabilities = frozenset({Capability.STATELESS})

    def _make_plan(self, input_schema: pa.Schema) -> _Plan:
        schema = data_schema(input_schema)
        opts = self.options
        index = text_column_index(schema, opts.source_field, "source_field")
        regex = compile_java(opts.regex_pattern, "regex_pattern")
        if regex.groups != len(opts.output_fields):
            raise OptionError("regex_pattern", f"has {regex.groups} capture groups but output_fields names "
                                               f"{len(opts.output_fields)} columns (expected one group per column)")
        defaults: list[str | None] = [None] * len(opts.output_fields)
        if opts.default_values is not None:
            defaults = list(opts.default_values)
        extract = _vectorised(regex, defaults) or _row_by_row(regex, defaults)
        return _Plan(with_string_columns(schema, opts.output_fields, "output_fields"), index, extract)

    def map_columns(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        plan = self.plan_for(batch.schema)
        parts = plan.extract(as_string(batch.column(plan.index)))
        return pa.RecordBatch.from_arrays([*batch.columns, *parts], schema=plan.schema)
