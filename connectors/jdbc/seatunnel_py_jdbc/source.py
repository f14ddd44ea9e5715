"""The Jdbc source: key-range splits read in key order, resumable after the last key handed out."""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from seatunnel_py.api import (
    Capability,
    ConnectorError,
    PluginContext,
    Source,
    Split,
    SplitReader,
    State,
    with_table_id,
)

from .database import Database, open_database
from .options import JdbcSourceOptions
from .splits import TablePlan, base_query, json_value, plan_splits, split_query


class OrderedCut:
    """Cuts batches ordered on one column so that no value straddles two batches.

    Rows equal to a batch's last value are held back until a greater value (or the end)
    arrives, so "everything up to value v" is always a whole set of rows: resuming with
    ``column > v`` then loses and repeats nothing.
    """

    def __init__(self, column: str) -> None:
        self.column = column
        self.pending: pa.RecordBatch | None = None

    def push(self, batch: pa.RecordBatch) -> list[pa.RecordBatch]:
        """Add a batch; return the rows that are now safe to hand out (whole values only)."""
        out: list[pa.RecordBatch] = []
        if batch.num_rows == 0:
            return out
        if self.pending is not None and self.pending.num_rows:
            held = self.pending.column(self.column)[0]
            first = batch.column(self.column)[0]
            if held.is_valid and first.is_valid and held != first:
                out.append(self.pending)  # the held value is complete: no copy needed
            else:
                batch = pa.concat_batches([self.pending, batch])
            self.pending = None
        keys = batch.column(self.column)
        last = keys[len(keys) - 1]
        if not last.is_valid:  # only NULL keys so far (they sort first)
            self.pending = batch
            return out
        equal = int(pc.sum(pc.equal(keys, last)).as_py() or 0)
        cut = batch.num_rows - equal
        self.pending = batch.slice(cut)
        if cut:
            out.append(batch.slice(0, cut))
        return out

    def flush(self) -> pa.RecordBatch | None:
        """The rows still held back (at the end of the split)."""
        out, self.pending = self.pending, None
        return out if out is not None and out.num_rows else None


class JdbcReader(SplitReader):
    """Reads one split; its state is the last value of the order column handed out (or a row count)."""

    def __init__(self, source: JdbcSource, split: Split, state: State | None) -> None:
        self._source = source
        self._split = split
        self._payload = split.payload
        state = state or {}
        self._after: Any = state.get("after")
        self._rows = int(state.get("rows_done", 0))
        self._db: Database | None = None
        self._finished = False
        self._active: Generator[pa.RecordBatch, None, None] | None = None

    def read(self) -> Iterator[pa.RecordBatch | None]:
        """Batches of the table's schema, tagged with its table id."""
        self._active = self._batches()
        return self._active

    def _emit(self, batch: pa.RecordBatch, order: str | None) -> pa.RecordBatch:
        if order:
            value = batch.column(order)[batch.num_rows - 1].as_py()
            if value is not None:
                self._after = json_value(value)
        self._rows += batch.num_rows
        return with_table_id(batch, self._plan.table_id)

    def _batches(self) -> Generator[pa.RecordBatch, None, None]:
        self._plan = self._source.plans()[int(self._payload["table"])]
        self._db = self._source.borrow()
        order = self._payload.get("order")
        query = split_query(self._db, self._payload, self._after)
        batch_rows = self._source.options.batch_rows()
        stream = self._db.read(query, self._plan.schema, self._plan.converts, batch_rows)
        if not order:
            skip = self._rows
            for batch in stream:
                if batch.num_rows == 0:
                    continue
                if skip >= batch.num_rows:
                    skip -= batch.num_rows
                    continue
                batch, skip = batch.slice(skip), 0
                yield self._emit(batch, None)
            self._finished = True
            return
        cut = OrderedCut(order)
        for batch in stream:
            for ready in cut.push(batch):
                yield self._emit(ready, order)
        rest = cut.flush()
        if rest is not None:
            yield self._emit(rest, order)
        self._finished = True

    def snapshot(self) -> State:
        """``{"after": v}`` for ordered splits, ``{"rows_done": n}`` for a plain query."""
        if self._payload.get("order"):
            return {"after": self._after}
        return {"rows_done": self._rows}

    def close(self) -> None:
        """Stop the query and close the connection."""
        if self._active is not None:
            self._active.close()
            self._active = None
        if self._db is not None:
            if self._finished:
                self._source.give_back(self._db)  # a finished query leaves the connection reusable
            else:
                self._db.close()
            self._db = None


class JdbcSource(Source[JdbcSourceOptions]):
    """Reads tables or queries from PostgreSQL, MySQL/MariaDB, SQLite or a SQLAlchemy database.

    A table with a ``partition_column`` (or an integer primary key) is cut into key
    ranges read in parallel, each in key order so that a reader resumes after the last
    key it handed out. With ``incremental_column`` a table is one split whose state is
    the last cursor value read: a later run of the same ``job.name`` reads only greater
    values.
    """

    name = "Jdbc"
    description = "Read tables or queries from PostgreSQL, MySQL/MariaDB, SQLite (key-range splits, incremental)"
    options_model = JdbcSourceOptions
    capabilities = frozenset({Capability.BOUNDED, Capability.RESUMABLE, Capability.PARALLEL,
                              Capability.MULTI_TABLE})

    def __init__(self, options: JdbcSourceOptions, context: PluginContext) -> None:
        super().__init__(options, context)
        self.target = options.target()
        self._plans: list[TablePlan] | None = None
        self._lock = threading.Lock()
        self._idle: list[Database] = []

    def plans(self) -> list[TablePlan]:
        """The tables to read with their schemas (asks the server once)."""
        with self._lock:
            plans = self._plans
        if plans is None:
            db = self.borrow()
            try:
                plans = self._make_plans(db)
            except BaseException:
                db.close()
                raise
            self.give_back(db)
            with self._lock:
                self._plans = self._plans or plans
        return plans

    def _make_plans(self, db: Database) -> list[TablePlan]:
        tables = self.options.tables()
        plans = []
        for i, table in enumerate(tables):
            if table.table_path and not db.table_exists(table.table_path):
                raise ConnectorError(f"Jdbc: table {table.table_path} does not exist in {self.target.display()}")
            query = base_query(db, table)
            schema, converts = db.query_schema(query, "")
            table_id = table.table_path or (f"query{i}" if len(tables) > 1 else "")
            plans.append(TablePlan(i, table_id, query, schema, converts, table))
        first = plans[0]
        for plan in plans[1:]:
            if not plan.schema.equals(first.schema):
                raise ConnectorError(
                    f"Jdbc: table_list: {plan.table_id} has columns ({', '.join(plan.schema.names)}) unlike "
                    f"{first.table_id} ({', '.join(first.schema.names)}); tables with different schemas in one "
                    "source are not supported yet (select the same columns with 'query')")
        return plans

    def output_schema(self) -> pa.Schema:
        """The schema of the first table (asked from the server: a zero-row run of the query)."""
        return self.plans()[0].schema

    def splits(self) -> list[Split]:
        """Incremental, key-range or whole-query splits of every table."""
        plans = self.plans()
        db = self.borrow()
        try:
            splits = [s for plan in plans for s in plan_splits(db, plan, self.context.parallelism)]
        except BaseException:
            db.close()
            raise
        self.give_back(db)
        return splits

    def create_reader(self, split: Split, state: State | None = None) -> SplitReader:
        """A reader of one split resuming from its state."""
        return JdbcReader(self, split, state)

    def borrow(self) -> Database:
        """A connection for a reader: an idle one of an earlier split, else a new one."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return open_database(self.target)

    def give_back(self, db: Database) -> None:
        """Keep a connection whose query ended for the next split (connecting costs ~0.1 s)."""
        with self._lock:
            self._idle.append(db)

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()
