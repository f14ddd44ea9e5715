"""Read plans and splits: the query of each table, key ranges, incremental cursors.

A split's payload carries everything its reader needs (the query, the ordering column,
the range condition), so a reader is rebuilt from ``(split, state)`` alone.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from seatunnel_py.api import ConnectorError, Split

from .database import Database
from .options import TableOptions
from .typemap import Convert

MAX_SPLITS = 10_000


@dataclass
class TablePlan:
    """One table (or query) of the source: its filtered query, schema and split settings."""

    index: int
    table_id: str
    query: str
    schema: pa.Schema
    converts: list[Convert | None]
    options: TableOptions


def base_query(db: Database, table: TableOptions) -> str:
    """The table's query with ``where_condition`` applied."""
    query = f"SELECT * FROM {db.table_ref(table.table_path)}" if table.table_path else str(table.query).strip()
    query = query.rstrip(";")
    where = (table.where_condition or "").strip()
    return f"SELECT * FROM ({query}) AS st_w {where}" if where else query


def sql_literal(value: Any) -> str:
    """A SQL literal of a cursor value kept in the state (numbers bare, others quoted)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def json_value(value: Any) -> Any:
    """A cursor value as JSON (ints and floats as is, everything else as text)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.date, dt.time, decimal.Decimal)):
        return str(value)
    return str(value)


def _key_column(db: Database, plan: TablePlan) -> str | None:
    opts = plan.options
    if opts.partition_column:
        return opts.partition_column
    if opts.table_path:
        keys = db.primary_key(opts.table_path)
        if len(keys) == 1 and keys[0] in plan.schema.names and pa.types.is_integer(plan.schema.field(keys[0]).type):
            return keys[0]
    return None


def plan_splits(db: Database, plan: TablePlan, parallelism: int) -> list[Split]:
    """The splits of one table: one incremental split, key ranges, or the whole query."""
    opts = plan.options
    tid = plan.table_id or f"query{plan.index}"
    common = {"table": plan.index, "query": plan.query}
    if opts.incremental_column:
        column = opts.incremental_column
        if column not in plan.schema.names:
            raise ConnectorError(f"Jdbc: incremental_column {column!r} is not a column of {tid} "
                                 f"(columns: {', '.join(plan.schema.names)})")
        return [Split(f"{tid}#incremental:{column}", {**common, "order": column, "start": opts.incremental_start})]
    key = _key_column(db, plan)
    if key is None:
        return [Split(f"{tid}#all", common)]
    column = key
    if column not in plan.schema.names:
        raise ConnectorError(f"Jdbc: partition_column {column!r} is not a column of {tid} "
                             f"(columns: {', '.join(plan.schema.names)})")
    dtype = plan.schema.field(column).type
    if not (pa.types.is_integer(dtype) or (pa.types.is_decimal(dtype) and dtype.scale == 0)):
        raise ConnectorError(f"Jdbc: partition_column {column!r} of {tid} has type {dtype}; "
                             "key-range splits need an integer column")
    lo, hi = opts.partition_lower_bound, opts.partition_upper_bound
    if lo is None or hi is None:
        row = db.fetch(f"SELECT MIN({db.quote(column)}), MAX({db.quote(column)}) FROM ({plan.query}) AS st_b")[0]
        lo = row[0] if lo is None else lo
        hi = row[1] if hi is None else hi
    ordered = {**common, "order": column}
    if lo is None or hi is None:  # empty table (or only NULL keys)
        return [Split(f"{tid}#range:{column}:all", {**ordered, "from": None, "to": None, "nulls": True})]
    low, high = int(lo), int(hi)
    if opts.partition_num:
        count = opts.partition_num
    elif opts.table_path:
        count = math.ceil((high - low + 1) / opts.split_size)
    else:
        count = parallelism
    count = max(1, min(count, MAX_SPLITS, high - low + 1))
    step = math.ceil((high - low + 1) / count)
    bounds = [low + i * step for i in range(1, count)]
    bounds = [b for b in bounds if b <= high]
    edges: list[int | None] = [None, *bounds, None]
    splits = []
    for i in range(len(edges) - 1):
        start, end = edges[i], edges[i + 1]
        splits.append(Split(f"{tid}#range:{column}:{start}:{end}",
                            {**ordered, "from": start, "to": end, "nulls": i == 0}))
    return splits


def split_query(db: Database, payload: dict[str, Any], after: Any) -> str:
    """The SQL a reader runs for its split, resuming after ``after`` (a value of the order column)."""
    query = payload["query"]
    order = payload.get("order")
    if not order:
        return query
    col = db.quote(order)
    conditions = []
    if payload.get("from") is not None:
        conditions.append(f"{col} >= {int(payload['from'])}")
    if payload.get("to") is not None:
        conditions.append(f"{col} < {int(payload['to'])}")
    if after is not None:
        conditions.append(f"{col} > {sql_literal(after)}")
    elif payload.get("start") is not None:
        conditions.append(f"{col} > {sql_literal(payload['start'])}")
    if payload.get("nulls") and after is None:
        inner = " AND ".join(conditions) or "TRUE"
        where = f"WHERE ({inner}) OR {col} IS NULL"
    elif "from" not in payload:
        where = ("WHERE " + " AND ".join(conditions)) if conditions else f"WHERE {col} IS NOT NULL"
    else:
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    nulls = " NULLS FIRST" if db.dialect == "postgresql" else ""
    return f"SELECT * FROM ({query}) AS st_s {where} ORDER BY {col}{nulls}"
