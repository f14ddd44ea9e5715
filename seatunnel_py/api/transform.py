"""The transform contract: schema at plan time, batch in, batch out."""

from __future__ import annotations

from abc import ABC, abstractmethod

import pyarrow as pa

from .plugin import O, Plugin
from .rowkind import attach_row_kinds, split_row_kinds


class Transform(Plugin[O], ABC):
    """A transform plugin. Stateless unless it declares otherwise.

    ``output_schema(input_schema)`` is called once at plan time and must not touch data;
    ``apply(batch)`` is called for every batch, possibly from several pipeline tasks at
    once (a task owns its own instance, built with the same options).
    """

    def bind(self, input_schema: pa.Schema) -> None:
        """Remember the input schema before the first ``apply`` (called after planning)."""

    @abstractmethod
    def output_schema(self, input_schema: pa.Schema) -> pa.Schema:
        """The schema of the batches ``apply`` returns for inputs of ``input_schema``."""

    @abstractmethod
    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        """Transform one batch (which may carry the row-kind column); ``None`` drops it."""


class ColumnTransform(Transform[O], ABC):
    """A transform that only reshapes columns: rows and row kinds pass through unchanged."""

    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        data, kinds = split_row_kinds(batch)
        out = self.map_columns(data)
        if out.schema.metadata != data.schema.metadata:
            out = out.replace_schema_metadata(data.schema.metadata)
        return attach_row_kinds(out, kinds)

    @abstractmethod
    def map_columns(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Return the output columns for the data columns of ``batch`` (same row count)."""
