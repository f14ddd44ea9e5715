"""RowKindExtractor: turn a changelog into append-only rows (SeaTunnel ``RowKindExtractor``).

Every output row is INSERT; the original kind is appended as a ``string`` column, in
short form (``+I``, ``-U``, ``+U``, ``-D``) or full form (``INSERT``, ``UPDATE_BEFORE``…).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ...api.capabilities import Capability
from ...api.options import OptionEnum, PluginOptions, option
from ...api.rowkind import RowKind, row_kinds_or_insert, split_row_kinds
from ...api.transform import Transform
from ._common import check_new_names, data_schema


class TransformType(OptionEnum):
    """How the row kind is written."""

    SHORT = "SHORT"
    FULL = "FULL"


class RowKindExtractorOptions(PluginOptions):
    """Options of :class:`RowKindExtractorTransform`."""

    custom_field_name: str = option("row_kind", "name of the appended column holding the row kind")
    transform_type: TransformType = option(
        TransformType.SHORT, "SHORT (+I, -U, +U, -D) or FULL (INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE)")


@dataclass(frozen=True)
class _Plan:
    schema: pa.Schema
    labels: pa.Array


class RowKindExtractorTransform(Transform[RowKindExtractorOptions]):
    """Set every row to INSERT and append its original kind as text."""

    name = "RowKindExtractor"
    description = "Make a changelog append-only, keeping each row's kind in a column"
    options_model = RowKindExtractorOptions
    capabilities = frozenset({Capability.STATELESS, Capability.ROW_KINDS})

    _plan: _Plan | None = None

    def _make_plan(self, input_schema: pa.Schema) -> _Plan:
        schema = data_schema(input_schema)
        column = self.options.custom_field_name
        check_new_names(schema, [column], "custom_field_name")
        short = self.options.transform_type is TransformType.SHORT
        labels = pa.array([k.short if short else k.name for k in sorted(RowKind)], pa.string())
        return _Plan(schema.append(pa.field(column, pa.string())), labels)

    def output_schema(self, input_schema: pa.Schema) -> pa.Schema:
        return self._make_plan(input_schema).schema

    def bind(self, input_schema: pa.Schema) -> None:
        self._plan = self._make_plan(input_schema)

    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        data, _ = split_row_kinds(batch)
        plan = self._plan or self._make_plan(data.schema)
        self._plan = plan
        kinds = pc.take(plan.labels, row_kinds_or_insert(batch))
        out = pa.RecordBatch.from_arrays([*data.columns, kinds], schema=plan.schema)
        return out.replace_schema_metadata(data.schema.metadata)
