"""The Jdbc source: key-range splits read in key order, resumable after the last key handed out."""

from __future__ import annotations

import logging
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
from .splits import Position, TablePlan, base_query, json_value, plan_splits, split_order, split_query

log = logging.getLogger(__name__)


MAX_HELD_ROWS = 1_000_000
"""Default of ``max_tied_rows``: rows of one value an ``OrderedCut`` may hold back."""


def _same(a: pa.Scalar, b: pa.Scalar) -> bool:
    """Equal values of the order column (NULL equals NULL: they form one group)."""
    if not a.is_valid or not b.is_valid:
        return not a.is_valid and not b.is_valid
    return bool(a.as_py() == b.as_py())


class OrderedCut:
    """Cuts batches ordered on one column so that no value straddles two batches.

    Rows equal to a batch's last value are held back until a greater value (or the end)
    arrives, so "everything up to value v" is always a whole set of rows: resuming with
    ``column > v`` then loses and repeats nothing. The held rows are kept as the slices
    they arrived in and joined once when their value is complete, so each row is copied
    at most once; more than ``max_held_rows`` of one value fail the split (they would
    have to be handed out at once, in one batch, however many there are). Splits whose
    order is made unique by the primary key (``ties``) do not need this at all.
    """

    def __init__(self, column: str, max_held_rows: int = MAX_HELD_ROWS) -> None:
        self.column = column
        self.max_held_rows = max_held_rows
        self.held: list[pa.RecordBatch] = []
        self.held_rows = 0

    def push(self, batch: pa.RecordBatch) -> list[pa.RecordBatch]:
        """Add a batch; return the rows that are now safe to hand out (whole values only)."""
        out: list[pa.RecordBatch] = []
        if batch.num_rows == 0:
            return out
        keys = batch.column(self.column)
        last = keys[len(keys) - 1]
        if self.held and not _same(self.held[0].column(self.column)[0], keys[0]):
            out.append(self._release())  # the held value is complete
        # rows before ``cut`` are below the batch's last value; a batch ending in NULL is all NULL (NULLs first)
        cut = batch.num_rows - int(pc.sum(pc.equal(keys, last)).as_py() or 0) if last.is_valid else 0
        if cut:  # the held value (if any) ends inside this batch: out with the whole values before ``last``
            parts = [*self.held, batch.slice(0, cut)]
            self.held, self.held_rows = [], 0
            out.append(parts[0] if len(parts) == 1 else pa.concat_batches(parts))
        self._hold(batch.slice(cut))
        return out

    def _hold(self, rows: pa.RecordBatch) -> None:
        self.held.append(rows)
        self.held_rows += rows.num_rows
        if self.held_rows > self.max_held_rows:
            value = self.held[0].column(self.column)[0].as_py()
            raise ConnectorError(
                f"Jdbc: more than {self.max_held_rows:,} rows share the value {value!r} of column "
                f"{self.column!r}; they are handed out together (to resume after a whole value), so they would "
                "all be held in memory. Read the table with table_path (its primary key breaks the tie), order "
                "on a column with fewer equal values, or raise max_tied_rows")

    def _release(self) -> pa.RecordBatch:
        held, self.held, self.held_rows = self.held, [], 0
        return held[0] if len(held) == 1 else pa.concat_batches(held)

    def flush(self) -> pa.RecordBatch | None:
        """The rows still held back (at the end of the split)."""
        if not self.held:
            return None
        out = self._release()
        return out if out.num_rows else None


class JdbcReader(SplitReader):
    """Reads one split; its state is its position in the split's order (or, unordered, a row count)."""

    def __init__(self, source: JdbcSource, split: Split, state: State | None) -> None:
        self._source = source
        self._split = split
        self._payload = split.payload
        state = state or {}
        self._after: Any = state.get("after")
        ties = state.get("after_ties")
        self._after_ties: list[Any] | None = list(ties) if ties is not None else None
        self._restored = dict(state)
        self._rows = 0
        self._db: Database | None = None
        self._finished = False
        self._active: Generator[pa.RecordBatch, None, None] | None = None

    def read(self) -> Iterator[pa.RecordBatch | None]:
        """Batches of the table's schema, tagged with its table id."""
        self._active = self._batches()
        return self._active

    def _emit(self, batch: pa.RecordBatch, order: str | None, ties: list[str] | None) -> pa.RecordBatch:
        last = batch.num_rows - 1
        if order and ties:  # unique order: the last row's position, NULL included
            value = batch.column(order)[last].as_py()
            self._after = json_value(value) if value is not None else None
            self._after_ties = [json_value(batch.column(t)[last].as_py()) for t in ties]
        elif order:
            value = batch.column(order)[last].as_py()
            if value is not None:
                self._after = json_value(value)
                self._after_ties = None
        self._rows += batch.num_rows
        return with_table_id(batch, self._plan.table_id)

    def _position(self, ties: list[str] | None) -> Position:
        if self._after_ties is None:
            return Position(self._after)
        if ties and len(ties) == len(self._after_ties):
            return Position(self._after, self._after_ties)
        # the state was taken with other tie columns (the primary key changed): re-read the last value
        log.warning("Jdbc: %s: the split's tie columns changed since its state was saved; rows whose %s "
                    "equals the last value read are read again", self._split.split_id, self._payload["order"])
        self._after_ties = None
        return Position(self._after, None, inclusive=self._after is not None)

    def _batches(self) -> Generator[pa.RecordBatch, None, None]:
        self._plan = self._source.plans()[int(self._payload["table"])]
        self._db = self._source.borrow()
        order = self._payload.get("order")
        ties: list[str] | None = self._payload.get("ties")
        self._say_read_whole()
        query = split_query(self._db, self._payload, self._position(ties) if order else Position(), self._plan.schema)
        batch_rows = self._source.options.batch_rows()
        stream = self._db.read(query, self._plan.schema, self._plan.converts, batch_rows, split_order(self._payload))
        if not order or ties is not None:  # every batch boundary is a place to resume from
            for batch in stream:
                if batch.num_rows:
                    yield self._emit(batch, order, ties)
            self._finished = True
            return
        cut = OrderedCut(order, self._source.options.max_tied_rows)
        for batch in stream:
            for ready in cut.push(batch):
                yield self._emit(ready, order, None)
        rest = cut.flush()
        if rest is not None:
            yield self._emit(rest, order, None)
        self._finished = True

    def _say_read_whole(self) -> None:
        """A split restored from a state it cannot resume from is read whole again: say so."""
        if not self._restored:
            return
        split = self._split.split_id
        if self._payload.get("order"):  # an ordered split with a row count: a state of an earlier version
            if "after" not in self._restored and "rows_done" in self._restored:
                log.warning("Jdbc: %s: its saved state counts rows (an earlier version read it unordered), which "
                            "cannot be resumed in key order: it is read whole again", split)
            return
        if self._restored.get("finished"):
            log.info("Jdbc: %s has no stable order (no partition_column, incremental_column or primary key): "
                     "it is read whole again", split)
        else:
            log.warning("Jdbc: %s has no stable order (no partition_column, incremental_column or primary key), "
                        "so it cannot resume where it stopped: it is read whole again, and the %s rows handed out "
                        "before the restart are read again", split, self._restored.get("rows_done", "?"))

    def snapshot(self) -> State:
        """Ordered splits: the position after the last row handed out; others: rows handed out so far."""
        if self._payload.get("order"):
            if self._after_ties is not None:
                return {"after": self._after, "after_ties": list(self._after_ties)}
            return {"after": self._after}
        return {"rows_done": self._rows, "finished": self._finished}

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
    the last cursor value read: a later run of the same job reads only greater values.
    The primary key breaks ties in either order; a table with another primary key is
    one split read in key order; a query with neither has no stable order and is read
    whole, again after a restart.
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
