"""Filter: keep or drop columns (SeaTunnel ``Filter``; a column filter, not a row filter)."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from ...api.capabilities import Capability
from ...api.errors import OptionError
from ...api.options import PluginOptions, option
from ...api.transform import ColumnTransform
from ._common import Planned, data_schema, field_index


class FilterOptions(PluginOptions):
    """Options of :class:`FilterTransform`: exactly one of the two lists."""

    include_fields: list[str] | None = option(
        None, "the columns to keep, in this order (all others are dropped)", fallback="fields")
    exclude_fields: list[str] | None = option(None, "the columns to drop (all others are kept)")

    def check(self) -> list[OptionError]:
        if self.include_fields is None and self.exclude_fields is None:
            return [OptionError("include_fields", "required option is missing "
                                                  "(set include_fields or exclude_fields)")]
        if self.include_fields is not None and self.exclude_fields is not None:
            return [OptionError("exclude_fields", "set only one of include_fields and exclude_fields")]
        return []


@dataclass(frozen=True)
class _Plan:
    schema: pa.Schema
    keep: list[int]


class FilterTransform(Planned[_Plan], ColumnTransform[FilterOptions]):
    """Keep the ``include_fields`` (in their order) or drop the ``exclude_fields``."""

    name = "Filter"
    description = "Keep or drop columns"
    options_model = FilterOptions
    capabilities = frozenset({Capability.STATELESS})

    def _make_plan(self, input_schema: pa.Schema) -> _Plan:
        schema = data_schema(input_schema)
        include, exclude = self.options.include_fields, self.options.exclude_fields
        if include is not None:
            keep = []
            for i, name in enumerate(include):
                if name in include[:i]:
                    raise OptionError(("include_fields", i), f"column {name!r} is listed twice")
                keep.append(field_index(schema, name, ("include_fields", i)))
        elif exclude is not None:
            dropped = {field_index(schema, name, ("exclude_fields", i)) for i, name in enumerate(exclude)}
            keep = [i for i in range(len(schema)) if i not in dropped]
            if not keep:
                raise OptionError("exclude_fields", "would drop every column (keep at least one)")
        else:
            raise OptionError("include_fields", "set include_fields or exclude_fields")
        fields = [schema.field(i) for i in keep]
        return _Plan(pa.schema(fields, metadata=schema.metadata), keep)

    def map_columns(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        plan = self.plan_for(batch.schema)
        return pa.RecordBatch.from_arrays([batch.column(i) for i in plan.keep], schema=plan.schema)
