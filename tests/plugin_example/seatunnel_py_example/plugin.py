"""The whole of a third-party plugin: an option model, a transform, a hook."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from seatunnel_py import hookimpl
from seatunnel_py.api import Capability, ColumnTransform, OptionError, PluginOptions, option


class ReverseOptions(PluginOptions):
    """Options of Reverse."""

    field: str = option(..., "the string column to reverse")


class Reverse(ColumnTransform[ReverseOptions]):
    """Reverses the characters of one string column."""

    name = "Reverse"
    description = "Reverses a string column (example plugin)"
    options_model = ReverseOptions
    capabilities = frozenset({Capability.STATELESS})

    def output_schema(self, input_schema: pa.Schema) -> pa.Schema:
        if self.options.field not in input_schema.names:
            raise OptionError("field", f"no column {self.options.field!r} in the input")
        return input_schema

    def map_columns(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        index = batch.schema.get_field_index(self.options.field)
        return batch.set_column(index, batch.schema.field(index), pc.utf8_reverse(batch.column(index)))


@hookimpl
def seatunnel_py_register(registry):  # type: ignore[no-untyped-def]
    """Register the example transform."""
    registry.add_transform(Reverse)
