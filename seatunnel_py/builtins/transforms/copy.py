"""Copy: append copies of columns under new names (SeaTunnel ``Copy``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pyarrow as pa

from ...api.capabilities import Capability
from ...api.errors import OptionError
from ...api.options import PluginOptions, option
from ...api.transform import ColumnTransform
from ._common import OptionPath, Planned, check_new_names, data_schema, field_index

log = logging.getLogger(__name__)


class CopyOptions(PluginOptions):
    """Options of :class:`CopyTransform`."""

    fields: dict[str, str] | None = option(
        None, "columns to add, each `new_name = source_column`; copies keep the source type "
        "and are appended in this order")
    src_field: str | None = option(None, "older form: the column to copy (with dest_field)")
    dest_field: str | None = option(None, "older form: the name of the copy (with src_field)")

    def check(self) -> list[OptionError]:
        if self.fields is not None:
            if not self.fields:
                return [OptionError("fields", "is empty (expected at least one new_name = source_column)")]
            return []
        if self.src_field is None and self.dest_field is None:
            return [OptionError("fields", "required option is missing "
                                          "(expected fields { new_name = source_column })")]
        if self.src_field is None:
            return [OptionError("src_field", "required with dest_field (or use fields { … })")]
        if self.dest_field is None:
            return [OptionError("dest_field", "required with src_field (or use fields { … })")]
        return []

    def copies(self) -> list[tuple[str, str, OptionPath]]:
        """``(new name, source column, option path)`` for every copy, in output order."""
        if self.fields is not None:
            if self.src_field is not None or self.dest_field is not None:
                log.warning("Copy: fields is set, so src_field/dest_field are ignored (as in SeaTunnel)")
            return [(new, src, ("fields", new)) for new, src in self.fields.items()]
        if self.src_field is None or self.dest_field is None:
            raise OptionError("fields", "required option is missing (expected fields { new_name = source_column })")
        return [(self.dest_field, self.src_field, "src_field")]


@dataclass(frozen=True)
class _Plan:
    schema: pa.Schema
    sources: list[int]


class CopyTransform(Planned[_Plan], ColumnTransform[CopyOptions]):
    """Append a copy of each listed column under a new name, with the same type."""

    name = "Copy"
    description = "Copy columns to new columns appended at the end"
    options_model = CopyOptions
    capabilities = frozenset({Capability.STATELESS})

    def _make_plan(self, input_schema: pa.Schema) -> _Plan:
        schema = data_schema(input_schema)
        copies = self.options.copies()
        sources = [field_index(schema, src, where) for _, src, where in copies]
        check_new_names(schema, [new for new, _, _ in copies],
                        [where if isinstance(where, tuple) else "dest_field" for _, _, where in copies])
        out = schema
        for (new, _, _), index in zip(copies, sources, strict=True):
            out = out.append(schema.field(index).with_name(new))
        return _Plan(out, sources)

    def map_columns(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        plan = self.plan_for(batch.schema)
        columns = [*batch.columns, *(batch.column(i) for i in plan.sources)]
        return pa.RecordBatch.from_arrays(columns, schema=plan.schema)
