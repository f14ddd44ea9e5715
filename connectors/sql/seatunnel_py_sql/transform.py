"""Sql: SeaTunnel's SQL transform, one SELECT over every batch, run by DuckDB on Arrow."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from seatunnel_py.api import (
    ROW_KIND_COLUMN,
    Capability,
    ConnectorError,
    OptionError,
    Transform,
    attach_row_kinds,
    has_row_kinds,
    split_row_kinds,
)
from seatunnel_py.api.rowkind import ROW_KIND_TYPE

from .functions import SqlError
from .options import SqlOptions
from .query import parse_query
from .translate import POSITION

if TYPE_CHECKING:
    from .engine import Session
    from .translate import Projection, Translation

log = logging.getLogger(__name__)
PRIMARY_KEY = b"seatunnel.primary_key"
_positions: dict[int, pa.Array] = {}


def _with_positions(data: pa.RecordBatch) -> pa.RecordBatch:
    """``data`` with a last column holding each row's position (the arrays are cached per length)."""
    n = data.num_rows
    positions = _positions.get(n)
    if positions is None:
        positions = pa.array(np.arange(n, dtype=np.int64))
        if len(_positions) < 64:
            _positions[n] = positions
    return data.append_column(POSITION, positions)


@dataclass(frozen=True)
class _Plan:
    schema: pa.Schema
    translation: Translation
    session: Session
    columns: list[str]
    input_metadata: dict[bytes, bytes] | None

    def tagged(self, out: pa.RecordBatch, batch: pa.RecordBatch) -> pa.RecordBatch:
        """``out`` with the table id of ``batch`` (multi-table inputs change it from batch to batch)."""
        if batch.schema.metadata == self.input_metadata:
            return out
        return out.replace_schema_metadata(_metadata(out.schema, batch.schema))


def _data_schema(schema: pa.Schema) -> pa.Schema:
    if schema.names and schema.names[-1] == ROW_KIND_COLUMN:
        return schema.remove(len(schema) - 1)
    return schema


def _empty(schema: pa.Schema, with_kinds: bool) -> pa.RecordBatch:
    if with_kinds:
        schema = schema.append(pa.field(ROW_KIND_COLUMN, ROW_KIND_TYPE, nullable=False))
    return pa.RecordBatch.from_pylist([], schema=schema)


def _metadata(out: pa.Schema, input_schema: pa.Schema) -> dict[bytes, bytes] | None:
    """The input's metadata (table id); the primary key only when all its columns remain."""
    meta = dict(input_schema.metadata or {})
    keys = meta.get(PRIMARY_KEY)
    if keys is not None and not all(k in out.names for k in keys.decode().split(",") if k):
        del meta[PRIMARY_KEY]
    return meta or None


def _normalized(dtype: pa.DataType) -> pa.DataType:
    """Arrow's usual child names (``item`` in lists; DuckDB writes ``l``), recursively."""
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        item = dtype.value_field
        return pa.list_(pa.field("item", _normalized(item.type), item.nullable))
    if pa.types.is_map(dtype):
        return pa.map_(dtype.key_field.with_type(_normalized(dtype.key_type)),
                       dtype.item_field.with_type(_normalized(dtype.item_type)))
    if pa.types.is_struct(dtype):
        return pa.struct([f.with_type(_normalized(f.type)) for f in dtype])
    return dtype


def _same_zone_types(out: pa.Schema, input_schema: pa.Schema) -> pa.Schema:
    """Keep the input's time zone name on pass-through timestamp columns (DuckDB renames ``UTC``)."""
    fields = []
    for f in out:
        index = input_schema.get_field_index(f.name)
        if index >= 0:
            src = input_schema.field(index).type
            if pa.types.is_timestamp(src) and pa.types.is_timestamp(f.type) and src.tz and f.type.tz \
                    and src.unit == f.type.unit:
                f = f.with_type(src)
        fields.append(f)
    return pa.schema(fields)


class SqlTransform(Transform[SqlOptions]):
    """Run a SeaTunnel ``query`` (``SELECT … FROM <input> [LATERAL VIEW …] [WHERE …]``) over each batch.

    The output schema comes from the query run on an empty batch of the input schema, so
    ``check`` reports a bad query at its line. Rows keep their row kinds: filtered rows
    drop theirs, exploded rows repeat theirs.
    """

    name = "Sql"
    description = "SeaTunnel SQL (SELECT … FROM input [LATERAL VIEW EXPLODE] [WHERE …]) over each batch, by DuckDB"
    options_model = SqlOptions
    capabilities = frozenset({Capability.STATELESS, Capability.ROW_KINDS})

    _plan: _Plan | None = None

    def _make_plan(self, input_schema: pa.Schema) -> _Plan:
        from .engine import Session, explain
        from .translate import Translator

        schema = _data_schema(input_schema)
        try:
            query = parse_query(self.options.query)
        except SqlError as exc:
            raise OptionError("query", str(exc)) from None
        session = Session()
        columns = list(schema.names)
        session.register_input(_empty(schema, with_kinds=True))
        try:
            translation = Translator(query, schema, session.catalog(), session.type_of, session.evaluate).translate()
            log.debug("%s: DuckDB query: %s", self.context.label, translation.with_row_kinds)
            with_kinds = session.run(translation.with_row_kinds).schema
            session.register_input(_empty(schema, with_kinds=False))
            plain = session.run(translation.plain).schema
        except SqlError as exc:
            raise OptionError("query", str(exc)) from None
        except session.error as exc:
            raise OptionError("query", explain(exc, columns)) from None
        out = _data_schema(with_kinds)
        if not out.equals(plain):
            raise OptionError("query", f"the query's columns differ with and without row kinds ({out} vs {plain})")
        if len(set(out.names)) != len(out.names):
            dup = sorted({n for n in out.names if out.names.count(n) > 1})
            raise OptionError("query", f"two output columns are named {dup[0]!r} (give one an alias with AS)")
        out = _same_zone_types(out, schema)
        projection = translation.projection
        if projection is not None:
            try:
                out = self._projected_schema(projection, schema, out, session)
            except OptionError:
                # e.g. WHERE names the alias of a bare column: the whole query runs in DuckDB
                translation = dataclasses.replace(translation, projection=None)
        return _Plan(out.with_metadata(_metadata(out, schema)), translation, session, columns, schema.metadata)

    @staticmethod
    def _projected_schema(projection: Projection, schema: pa.Schema, full: pa.Schema, session: Session) -> pa.Schema:
        """Bare columns keep the input's field (type, nullability); computed ones are DuckDB's."""
        from .engine import explain

        if projection.computed is not None:
            probe = _empty(schema, with_kinds=False)
            if projection.filtered:
                probe = probe.append_column(POSITION, pa.array([], pa.int64()))
            session.register_input(probe)
            try:
                computed = session.run(projection.computed).schema
            except session.error as exc:
                raise OptionError("query", explain(exc, schema.names)) from None
            if computed.names[:1] == [POSITION]:
                computed = computed.remove(0)
        fields = []
        next_computed = 0
        for i, item in enumerate(projection.items):
            if item is None:
                field = computed.field(next_computed)
                fields.append(field.with_name(full.field(i).name).with_type(_normalized(field.type)))
                next_computed += 1
            else:
                fields.append(schema.field(item[0]).with_name(item[1]))
        return pa.schema(fields)

    def output_schema(self, input_schema: pa.Schema) -> pa.Schema:
        """The query's columns, with the input's table id."""
        return self._make_plan(input_schema).schema

    def bind(self, input_schema: pa.Schema) -> None:
        """Translate the query and open the DuckDB session before the first batch."""
        self._plan = self._make_plan(input_schema)

    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        """Run the query over ``batch``; row kinds travel with their rows."""
        plan = self._plan if self._plan is not None else self._bind_late(batch.schema)
        if plan.translation.projection is not None:
            return self._apply_projection(plan, plan.translation.projection, batch)
        with_kinds = has_row_kinds(batch)
        session = plan.session
        with session.lock:
            sql = plan.translation.with_row_kinds if with_kinds else plan.translation.plain
            try:
                table = session.run_over(sql, batch)
            except session.error as exc:
                from .engine import explain

                raise ConnectorError(f"Sql query failed: {explain(exc, plan.columns)}") from None
        out_kinds = None
        if with_kinds:
            out_kinds = table.column(table.num_columns - 1).combine_chunks()
            table = table.drop_columns([table.column_names[-1]])
        columns = [c.combine_chunks() if c.num_chunks != 1 else c.chunk(0) for c in table.columns]
        columns = [c if c.type == f.type else c.cast(f.type) for c, f in zip(columns, plan.schema, strict=True)]
        out = pa.RecordBatch.from_arrays(columns, schema=plan.schema)
        return attach_row_kinds(plan.tagged(out, batch), out_kinds)

    def _apply_projection(self, plan: _Plan, projection: Projection, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Bare columns from the batch (taken at the kept positions), the rest from DuckDB."""
        data, kinds = split_row_kinds(batch)
        computed: list[pa.Array] = []
        positions: pa.Array | None = None
        if projection.computed is not None:
            table = self._run(plan, _with_positions(data) if projection.filtered else data, projection.computed)
            computed = [c.combine_chunks() if c.num_chunks != 1 else c.chunk(0) for c in table.columns]
            if projection.filtered:
                positions = computed.pop(0)
                if len(positions) == data.num_rows:
                    positions = None  # every row kept, in order: the input columns are reused as they are
        columns: list[pa.Array] = []
        pending = iter(computed)
        for item, field in zip(projection.items, plan.schema, strict=True):
            if item is None:
                column = next(pending)
                columns.append(column if column.type == field.type else column.cast(field.type))
            else:
                column = data.column(item[0])
                columns.append(column if positions is None else column.take(positions))
        if positions is not None and kinds is not None:
            kinds = kinds.take(positions)
        rows = len(positions) if positions is not None else data.num_rows
        if columns:
            out = pa.RecordBatch.from_arrays(columns, schema=plan.schema)
        else:
            out = pa.RecordBatch.from_pylist([], schema=plan.schema)
        assert out.num_rows == rows
        return attach_row_kinds(plan.tagged(out, batch), kinds)

    def _run(self, plan: _Plan, data: pa.RecordBatch, sql: str) -> pa.Table:
        session = plan.session
        with session.lock:
            try:
                return session.run_over(sql, data)
            except session.error as exc:
                from .engine import explain

                raise ConnectorError(f"Sql query failed: {explain(exc, plan.columns)}") from None

    def _bind_late(self, schema: pa.Schema) -> _Plan:
        self._plan = self._make_plan(schema)
        return self._plan
