"""FieldMapper: keep, reorder and rename columns (SeaTunnel ``FieldMapper``)."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from ...api.capabilities import Capability
from ...api.errors import OptionError
from ...api.options import PluginOptions, option
from ...api.transform import ColumnTransform
from ._common import OptionPath, Planned, check_new_names, data_schema, field_index


class FieldMapperOptions(PluginOptions):
    """Options of :class:`FieldMapperTransform`."""

    field_mapper: dict[str, str] = option(
        ..., "the output columns, each `source_column = new_name`; columns not listed are "
        "dropped and the output follows this order")

    def check(self) -> list[OptionError]:
        if not self.field_mapper:
            return [OptionError("field_mapper", "is empty (expected at least one source_column = new_name)")]
        return []


@dataclass(frozen=True)
class _Plan:
    schema: pa.Schema
    sources: list[int]


class FieldMapperTransform(Planned[_Plan], ColumnTransform[FieldMapperOptions]):
    """Output only the mapped columns, renamed, in the order of ``field_mapper``."""

    name = "FieldMapper"
    description = "Keep, reorder and rename columns"
    options_model = FieldMapperOptions
    capabilities = frozenset({Capability.STATELESS})

    def _make_plan(self, input_schema: pa.Schema) -> _Plan:
        schema = data_schema(input_schema)
        pairs = list(self.options.field_mapper.items())
        paths: list[OptionPath] = [("field_mapper", src) for src, _ in pairs]
        sources = [field_index(schema, src, where) for (src, _), where in zip(pairs, paths, strict=True)]
        check_new_names(None, [dest for _, dest in pairs], paths)
        fields = [schema.field(i).with_name(dest) for i, (_, dest) in zip(sources, pairs, strict=True)]
        return _Plan(pa.schema(fields, metadata=schema.metadata), sources)

    def map_columns(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        plan = self.plan_for(batch.schema)
        return pa.RecordBatch.from_arrays([batch.column(i) for i in plan.sources], schema=plan.schema)
