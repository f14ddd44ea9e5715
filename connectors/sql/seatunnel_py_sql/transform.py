"""Sql: SeaTunnel's SQL transform, one SELECT over every batch, run by DuckDB on Arrow."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from seatunnel_py.api import (
    ROW_KIND_COLUMN,
    Capability,
    ConnectorError,
    OptionError,
    Transform,
    attach_row_kinds,
    has_row_kinds,
)
from seatunnel_py.api.rowkind import ROW_KIND_TYPE

from .functions import SqlError
from .options import SqlOptions
from .query import parse_query

if TYPE_CHECKING:
    from .engine import Session
    from .translate import Translation

log = logging.getLogger(__name__)
PRIMARY_KEY = b"seatunnel.primary_key"


@dataclass(frozen=True)
class _Plan:
    schema: pa.Schema
    translation: Translation
    session: Session
    columns: list[str]


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
            translation = Translator(query, schema, session.catalog(), session.type_of).translate()
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
        return _Plan(out.with_metadata(_metadata(out, schema)), translation, session, columns)

    def output_schema(self, input_schema: pa.Schema) -> pa.Schema:
        """The query's columns, with the input's table id."""
        return self._make_plan(input_schema).schema

    def bind(self, input_schema: pa.Schema) -> None:
        """Translate the query and open the DuckDB session before the first batch."""
        self._plan = self._make_plan(input_schema)

    def apply(self, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        """Run the query over ``batch``; row kinds travel with their rows."""
        plan = self._plan if self._plan is not None else self._bind_late(batch.schema)
        with_kinds = has_row_kinds(batch)
        session = plan.session
        with session.lock:
            session.register_input(batch)
            sql = plan.translation.with_row_kinds if with_kinds else plan.translation.plain
            try:
                table = session.run(sql)
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
        return attach_row_kinds(out, out_kinds)

    def _bind_late(self, schema: pa.Schema) -> _Plan:
        self._plan = self._make_plan(schema)
        return self._plan
