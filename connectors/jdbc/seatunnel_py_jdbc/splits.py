"""Read plans and splits: the query of each table, key ranges, incremental cursors.

A split's payload carries everything its reader needs (the query, the ordering column,
the range condition), so a reader is rebuilt from ``(split, state)`` alone.

Order and resume: a split with an ``order`` column is read ``ORDER BY order, ties…`` and
resumes after the position of the last row handed out. ``ties`` (present only when known)
are the table's primary key columns that make that order unique; then every row has its
own position and nothing is held back. Without ``ties`` equal values of ``order`` are
handed out together (``OrderedCut``) and the state is the last whole value. A split
without ``order`` (a query, a table without a usable primary key) has no stable order:
it cannot resume inside and is read whole again.
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


def sql_literal(value: Any, dialect: str = "generic") -> str:
    """A SQL literal of a cursor value kept in the state (numbers bare, others quoted for ``dialect``).

    The reading statements cannot take bound parameters (PostgreSQL's ``COPY (…) TO``,
    ConnectorX), and the value comes from the state file or the job file. A quote is
    doubled everywhere; MySQL/MariaDB also read backslash escapes, so backslashes are
    doubled there (under ``NO_BACKSLASH_ESCAPES`` that changes the value, never the
    statement); PostgreSQL text with a backslash becomes an ``E'…'`` literal, which means
    the same whatever ``standard_conforming_strings`` says.
    """
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConnectorError(f"Jdbc: the position {value!r} cannot be compared (not a finite number)")
        return repr(float(value))
    text = str(value).replace("'", "''")
    if dialect == "mysql":
        return "'" + text.replace("\\", "\\\\") + "'"
    if dialect == "postgresql" and "\\" in text:
        return "E'" + text.replace("\\", "\\\\") + "'"
    return "'" + text + "'"


def json_value(value: Any) -> Any:
    """A cursor value as JSON (ints and floats as is, everything else as text)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.date, dt.time, decimal.Decimal)):
        return str(value)
    return str(value)


def _comparable(dtype: pa.DataType) -> bool:
    """Types whose values survive the JSON state and come back as literals that compare exactly."""
    return bool(pa.types.is_integer(dtype) or pa.types.is_decimal(dtype) or pa.types.is_string(dtype)
                or pa.types.is_large_string(dtype) or pa.types.is_date(dtype) or pa.types.is_timestamp(dtype))


def unique_key(db: Database, plan: TablePlan) -> list[str] | None:
    """The table's primary key when every column of it is read and comparable; else None."""
    if not plan.options.table_path:
        return None
    keys = db.primary_key(plan.options.table_path)
    names = plan.schema.names
    if not keys or any(k not in names or not _comparable(plan.schema.field(k).type) for k in keys):
        return None
    return keys


def ties_for(key: list[str] | None, column: str) -> dict[str, Any]:
    """``{"ties": […]}``: the key columns that make ``ORDER BY column, ties`` unique; ``{}`` when unknown."""
    if key is None:
        return {}
    return {"ties": [k for k in key if k != column]}


def plan_splits(db: Database, plan: TablePlan, parallelism: int) -> list[Split]:
    """The splits of one table: one incremental split, key ranges, or the whole query."""
    opts = plan.options
    tid = plan.table_id or f"query{plan.index}"
    common = {"table": plan.index, "query": plan.query}
    key = unique_key(db, plan)
    if opts.incremental_column:
        cursor = opts.incremental_column
        if cursor not in plan.schema.names:
            raise ConnectorError(f"Jdbc: incremental_column {cursor!r} is not a column of {tid} "
                                 f"(columns: {', '.join(plan.schema.names)})")
        return [Split(f"{tid}#incremental:{cursor}",
                      {**common, "order": cursor, "start": opts.incremental_start, **ties_for(key, cursor)})]
    column = opts.partition_column
    if column is None and key is not None and len(key) == 1 and pa.types.is_integer(plan.schema.field(key[0]).type):
        column = key[0]
    if column is None:
        if key is None:  # no stable order: read whole, and whole again after a restart
            return [Split(f"{tid}#all", common)]
        return [Split(f"{tid}#all", {**common, "order": key[0], "ties": key[1:]})]
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
    ordered = {**common, "order": column, **ties_for(key, column)}
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


def typed_literal(value: Any, dtype: pa.DataType, dialect: str = "generic") -> str:
    """A SQL literal of a state value for a column of ``dtype`` (decimals bare, UTC timestamps marked)."""
    if pa.types.is_decimal(dtype) and not isinstance(value, bool):
        number = decimal.Decimal(str(value))
        if not number.is_finite():
            raise ConnectorError(f"Jdbc: the saved position {str(value)[:40]!r} is not a number")
        return str(number)  # a number or an error: never arbitrary text
    if pa.types.is_timestamp(dtype) and dtype.tz and isinstance(value, str):
        return sql_literal(value + "+00:00", dialect)  # the state keeps UTC without an offset (json_value)
    return sql_literal(value, dialect)


@dataclass(frozen=True)
class Position:
    """Where a reader stands in an ordered split: after the row ``(after, *after_ties)``.

    ``after_ties`` is None when only whole values were handed out (no tie columns, or a
    state of an earlier version); ``after`` is None with ``after_ties`` set inside the
    leading group of NULL values. ``inclusive`` re-reads the rows equal to ``after``
    (a state whose tie columns no longer match the split's).
    """

    after: Any = None
    after_ties: list[Any] | None = None
    inclusive: bool = False


def _row_greater(db: Database, columns: list[str], values: list[Any], schema: pa.Schema) -> str:
    names = [db.quote(c) for c in columns]
    literals = [typed_literal(v, schema.field(c).type, db.dialect) for c, v in zip(columns, values, strict=True)]
    if len(names) == 1:
        return f"{names[0]} > {literals[0]}"
    if db.dialect in ("postgresql", "mysql"):  # a row comparison (uses the key's index)
        return f"({', '.join(names)}) > ({', '.join(literals)})"
    terms = []  # spelt out for dialects without row values: a > x OR (a = x AND b > y) …
    for i in range(len(names)):
        equal = [f"{n} = {v}" for n, v in zip(names[:i], literals[:i], strict=True)]
        terms.append("(" + " AND ".join([*equal, f"{names[i]} > {literals[i]}"]) + ")")
    return "(" + " OR ".join(terms) + ")"


def split_query(db: Database, payload: dict[str, Any], position: Position, schema: pa.Schema) -> str:
    """The SQL a reader runs for its split, resuming after ``position``; read it sorted on ``split_order``."""
    query = payload["query"]
    order = payload.get("order")
    if not order:
        return query
    col = db.quote(order)
    ties: list[str] = payload.get("ties") or []
    after, after_ties = position.after, position.after_ties
    ranges = []
    if payload.get("from") is not None:
        ranges.append(f"{col} >= {int(payload['from'])}")
    if payload.get("to") is not None:
        ranges.append(f"{col} < {int(payload['to'])}")
    if after is None and after_ties is not None:  # inside the NULL group, which sorts first
        inside = f"{col} IS NULL AND {_row_greater(db, ties, after_ties, schema)}"
        where = f"WHERE ({inside}) OR ({' AND '.join([*ranges, f'{col} IS NOT NULL'])})"
    elif after is not None:
        value = typed_literal(after, schema.field(order).type, db.dialect)
        if position.inclusive:
            resume = f"{col} >= {value}"
        elif after_ties:
            resume = f"({col} > {value} OR ({col} = {value} AND {_row_greater(db, ties, after_ties, schema)}))"
        else:
            resume = f"{col} > {value}"
        where = "WHERE " + " AND ".join([*ranges, resume])
    else:
        conditions = list(ranges)
        if payload.get("start") is not None:
            conditions.append(f"{col} > {sql_literal(payload['start'], db.dialect)}")  # as the user wrote it
        if payload.get("nulls"):
            inner = " AND ".join(conditions) or "TRUE"
            where = f"WHERE ({inner}) OR {col} IS NULL"
        elif "from" not in payload:
            where = ("WHERE " + " AND ".join(conditions)) if conditions else f"WHERE {col} IS NOT NULL"
        else:
            where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    return f"SELECT * FROM ({query}) AS st_s {where}"


def split_order(payload: dict[str, Any]) -> list[str]:
    """The columns a split is read in the order of (``Database.read`` applies them): order, then ties."""
    order = payload.get("order")
    return [order, *(payload.get("ties") or [])] if order else []
