"""FilterRowKind: drop rows by change kind (SeaTunnel ``FilterRowKind``)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ...api.capabilities import Capability
from ...api.errors import OptionError
from ...api.options import OptionEnum, PluginOptions, option
from ...api.rowkind import ROW_KIND_TYPE, RowKind, split_row_kinds
from ...api.transform import Transform
from ._common import data_schema


class RowKindName(OptionEnum):
    """A row kind as written in job files (``INSERT``; ``+I`` is accepted too)."""

    INSERT = "INSERT"
    UPDATE_BEFORE = "UPDATE_BEFORE"
    UPDATE_AFTER = "UPDATE_AFTER"
    DELETE = "DELETE"

    @classmethod
    def _missing_(cls, value: object) -> RowKindName | None:
        if isinstance(value, str):
            try:
                return cls(RowKind.parse(value).name)
            except ValueError:
                return None
        return None

    @property
    def kind(self) -> RowKind:
        """The :class:`RowKind` this name stands for."""
        return RowKind[self.value]


class FilterRowKindOptions(PluginOptions):
    """Options of :class:`FilterRowKindTransform`: exactly one of the two lists."""

    include_kinds: list[RowKindName] | None = option(
        None, "row kinds to keep (INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE); others are dropped")
    exclude_kinds: list[RowKindName] | None = option(None, "row kinds to drop; others are kept")

    def check(self) -> list[OptionError]:
        if self.include_kinds is None and self.exclude_kinds is None:
            return [OptionError("include_kinds", "required option is missing "
                                                 "(set include_kinds or exclude_kinds)")]
        if self.include_kinds is not None and self.exclude_kinds is not None:
            return [OptionError("exclude_kinds", "set only one of include_kinds and exclude_kinds")]
        return []

    def kept(self) -> frozenset[RowKind]:
        """The row kinds that pass."""
        if self.include_kinds is not None:
            return frozenset(name.kind for name in self.include_kinds)
        dropped = {name.kind for name in self.exclude_kinds or []}
        return frozenset(kind for kind in RowKind if kind not in dropped)


class FilterRowKindTransform(Transform[FilterRowKindOptions]):
    """Keep only the rows whose kind is included (or not excluded); kinds are unchanged."""

    name = "FilterRowKind"
    description = "Drop rows by change kind (INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE)"
    options_model = FilterRowKindOptions
    capabilities = frozenset({Capability.STATELESS, Capability.ROW_KINDS})

    _kept: frozenset[RowKind] | None = None

    def output_schema(self, input_schema: pa.Schema) -> pa.Schema:
        self.options.kept()
        return data_schema(input_schema)

    def bind(self, input_schema: pa.Schema) -> None:
        self._kept = self.options.kept()

    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        kept = self._kept if self._kept is not None else self.options.kept()
        self._kept = kept
        _, kinds = split_row_kinds(batch)
        if kinds is None:  # a batch without the column is all INSERT
            return batch if RowKind.INSERT in kept and batch.num_rows else None
        if len(kept) == len(RowKind):
            return batch if batch.num_rows else None
        mask = pc.is_in(kinds, value_set=pa.array(sorted(int(k) for k in kept), ROW_KIND_TYPE))
        out = batch.filter(mask)
        return out if out.num_rows else None
