"""The Jdbc sink: save modes, append / upsert / delete by row kind, optional two-phase commit."""

from __future__ import annotations

import contextlib
import re
import threading
import uuid
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seatunnel_py.api import (
    Capability,
    CommitInfo,
    Committer,
    ConnectorError,
    OptionError,
    PluginContext,
    RowKind,
    Sink,
    SinkWriter,
    split_row_kinds,
    table_id,
)
from seatunnel_py.api.rowkind import ROW_KIND_COLUMN

from .commit import (
    JdbcCommitter,
    clear_leftovers,
    ensure_checkpoint_table,
    forget_checkpoints,
    own_prefixes,
    record_checkpoint,
    sink_key,
    xid_prefix,
)
from .database import Database, open_database
from .options import DataSaveMode, JdbcSinkOptions, SchemaSaveMode
from .urls import Dialect

_PLACEHOLDER = re.compile(r"\$\{(database_name|schema_name|table_name|table_full_name|schema_full_name)"
                          r"(?::([^}]*))?\}")


def table_names(tid: str) -> dict[str, str | None]:
    """Placeholder values of a table id: ``db.schema.table``, ``db.table`` or ``table``."""
    parts = tid.split(".") if tid else []
    database = parts[0] if len(parts) > 1 else None
    schema = parts[1] if len(parts) == 3 else (parts[0] if len(parts) == 2 else None)
    return {"database_name": database, "schema_name": schema, "table_name": parts[-1] if parts else None,
            "table_full_name": tid or None, "schema_full_name": ".".join(parts[:-1]) or None}


def reduce_changes(data: pa.RecordBatch, kinds: pa.Array | None,
                   keys: list[str]) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Last change per key wins; returns (rows to upsert, keys to delete). UPDATE_BEFORE is dropped."""
    if kinds is not None:
        keep = pc.not_equal(kinds, pa.scalar(int(RowKind.UPDATE_BEFORE), pa.int8()))
        data, kinds = data.filter(keep), kinds.filter(keep)
    n = data.num_rows
    index = pa.array(np.arange(n, dtype=np.int64))
    grouped = pa.table([*(data.column(k) for k in keys), index], names=[*keys, "__i"])
    last = grouped.group_by(keys, use_threads=False).aggregate([("__i", "max")]).column("__i_max").combine_chunks()
    if len(last) != n:  # duplicates: keep the last change of every key, in input order
        order = pc.sort_indices(last)
        taken = pc.take(last, order)
        data = data.take(taken)
        kinds = kinds.take(taken) if kinds is not None else None
    if kinds is None:
        return data, data.select(keys).slice(0, 0)
    is_delete = pc.equal(kinds, pa.scalar(int(RowKind.DELETE), pa.int8()))
    return data.filter(pc.invert(is_delete)), data.filter(is_delete).select(keys)


class JdbcWriter(SinkWriter):
    """Buffers one task's rows per table and flushes them with the dialect's fast path."""

    def __init__(self, sink: JdbcSink, task_index: int) -> None:
        self._sink = sink
        self._opts = sink.options
        self._task = task_index
        self._db = sink.borrow()
        self._buffers: dict[str, list[pa.RecordBatch]] = {}
        self._buffered: dict[str, int] = {}
        self._xid: str | None = None

    def write(self, batch: pa.RecordBatch) -> None:
        """Buffer ``batch`` for its table; flush that table when batch_size rows are buffered."""
        if batch.num_rows == 0:
            return
        path = self._sink.resolve(table_id(batch))
        self._sink.ensure_table(path, batch.schema)
        clean = batch.replace_schema_metadata(None)
        self._buffers.setdefault(path, []).append(clean)
        self._buffered[path] = self._buffered.get(path, 0) + batch.num_rows
        if self._buffered[path] >= self._opts.batch_size:
            self._flush(path)

    def _flush(self, path: str) -> None:
        batches = self._buffers.pop(path, [])
        self._buffered.pop(path, None)
        if not batches:
            return
        batch = batches[0] if len(batches) == 1 else pa.concat_batches(batches)
        data, kinds = split_row_kinds(batch)
        if self._opts.is_exactly_once and self._xid is None:
            self._xid = self._sink.new_xid(self._task)
            self._db.begin_xa(self._xid)
        if self._opts.query and not self._opts.generate_sink_sql:
            self._db.run_insert(self._opts.query, data)
            return
        keys = self._sink.keys
        if keys and self._opts.enable_upsert and not self._opts.support_upsert_by_insert_only:
            upserts, deletes = reduce_changes(data, kinds, keys)
            if deletes.num_rows:
                self._db.delete(path, deletes)
            if upserts.num_rows:
                self._db.upsert(path, upserts, keys)
        else:
            self._db.append(path, data)

    def prepare_commit(self, checkpoint_id: int) -> CommitInfo | None:
        """Flush; with is_exactly_once record the checkpoint and prepare the transaction."""
        for path in list(self._buffers):
            self._flush(path)
        if self._xid is None:
            return None
        xid, self._xid = self._xid, None
        record_checkpoint(self._db, self._sink.key, self._task, checkpoint_id, xid)
        self._db.prepare_xa(xid)
        return {"xid": xid, "checkpoint_id": checkpoint_id, "task_index": self._task}

    def abort(self) -> None:
        """Drop buffered rows and roll back the open transaction."""
        self._buffers.clear()
        self._buffered.clear()
        if self._xid is not None:
            self._xid = None
            with contextlib.suppress(ConnectorError):
                self._db.rollback()

    def close(self) -> None:
        """Close the connection (an unprepared transaction is rolled back by the server)."""
        self._db.close()


class JdbcSink(Sink[JdbcSinkOptions]):
    """Writes into PostgreSQL, MySQL/MariaDB, SQLite or a SQLAlchemy database.

    Without primary keys every row is appended; with them INSERT and UPDATE_AFTER rows
    upsert, DELETE rows delete and UPDATE_BEFORE rows are dropped (the last change of a
    key in a flush wins). With ``is_exactly_once = true`` (PostgreSQL, MySQL/MariaDB)
    rows and the checkpoint id are committed in one two-phase transaction.
    """

    name = "Jdbc"
    description = "Write into PostgreSQL (binary COPY), MySQL/MariaDB, SQLite; upsert/delete by row kind"
    options_model = JdbcSinkOptions
    capabilities = frozenset({Capability.EXACTLY_ONCE, Capability.AT_LEAST_ONCE, Capability.UPSERT,
                              Capability.ROW_KINDS, Capability.MULTI_TABLE})

    def __init__(self, options: JdbcSinkOptions, context: PluginContext) -> None:
        super().__init__(options, context)
        self.target = options.target()
        self.keys = list(options.primary_keys)
        self._lock = threading.Lock()
        self._ready: set[str] = set()
        self._idle: list[Database] = []
        self._run = uuid.uuid4().hex[:8]
        self._xids = 0
        self.key = sink_key(context.job_key, context.label)
        """This sink of this job (``<job key>/<label>``): checkpoint rows and transaction ids follow it."""

    def resolve(self, tid: str) -> str:
        """The target table of a batch from table ``tid`` (placeholders and ``database`` applied)."""
        opts = self.options
        names = table_names(tid)
        text = opts.table or names["table_name"] or ""

        def value(match: re.Match[str]) -> str:
            found = names.get(match.group(1))
            if found is None and match.group(2) is None:
                raise ConnectorError(f"Jdbc: table {opts.table!r}: no {match.group(1)} in table id {tid!r}")
            return str(found if found is not None else match.group(2))
        table = _PLACEHOLDER.sub(value, text)
        database = _PLACEHOLDER.sub(value, opts.database) if opts.database else None
        if database and "." not in table and self.target.dialect == Dialect.MYSQL:
            return f"{database}.{table}"
        return table

    def check_input(self, schema: pa.Schema) -> None:
        """Primary keys and the custom query fit the input columns."""
        names = [n for n in schema.names if n != ROW_KIND_COLUMN]
        for key in self.keys:
            if key not in names:
                raise OptionError("primary_keys", f"unknown column {key!r} (input columns: {', '.join(names)})")
        if self.options.query and not self.options.generate_sink_sql and self.options.query.count("?") != len(names):
            raise OptionError("query", f"has {self.options.query.count('?')} '?' placeholders for "
                              f"{len(names)} input columns")
        if self.options.database and self.target.dialect == Dialect.POSTGRES and "${" not in self.options.database \
                and self.options.database != self.target.database:
            raise OptionError("database", f"PostgreSQL writes into the url's database {self.target.database!r}; "
                              "write schema.table in 'table' for another schema")

    def prepare(self, schema: pa.Schema) -> None:
        """Roll back this sink's prepared leftovers, then apply the save modes (fresh start only).

        On a fresh start the sink also forgets its rows in the checkpoint table (they serve
        only re-committing restored infos): the job's state may have been lost or moved,
        and its checkpoint ids start at 1 again.
        """
        db = open_database(self.target, writing=True)
        try:
            if self.options.is_exactly_once:
                ensure_checkpoint_table(db)
                clear_leftovers(db, self.key, self.context.job_key, self.context.job_name)
                if self.context.restored_checkpoint_id is None:
                    forget_checkpoints(db, self.key)
            if self.options.table and "${" not in self.options.table:
                self.ensure_table(self.resolve(""), schema, db)
        except BaseException:
            db.close()
            raise
        with self._lock:
            self._idle.append(db)  # the first writer takes it over (connecting costs ~0.1 s)

    def borrow(self) -> Database:
        """The connection ``prepare`` left, else a new one."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return open_database(self.target, writing=True)

    def ensure_table(self, path: str, schema: pa.Schema, db: Database | None = None) -> None:
        """Apply schema_save_mode and data_save_mode to ``path`` once per run (fresh start only).

        Runs on its own autocommit connection: a writer's connection may be inside a
        transaction (XA refuses DDL there, and a prepared CREATE TABLE would stay invisible).
        """
        if path in self._ready:
            return
        with self._lock:
            if path in self._ready:
                return
            if self.context.restored_checkpoint_id is None and self.options.table:
                own = db or open_database(self.target, writing=True)
                try:
                    self._save_modes(own, path, schema.remove_metadata())
                finally:
                    if db is None:
                        own.close()
            self._ready.add(path)

    def _save_modes(self, db: Database, path: str, schema: pa.Schema) -> None:
        opts = self.options
        data = pa.schema([f for f in schema if f.name != ROW_KIND_COLUMN])
        created = False
        mode = opts.schema_save_mode
        if mode == SchemaSaveMode.RECREATE_SCHEMA:
            db.drop_table(path)
        if mode in (SchemaSaveMode.RECREATE_SCHEMA, SchemaSaveMode.CREATE_SCHEMA_WHEN_NOT_EXIST) \
                and not db.table_exists(path):
            db.create_database(path)
            db.create_table(path, data, self.keys)
            created = True
        elif mode == SchemaSaveMode.ERROR_WHEN_SCHEMA_NOT_EXIST and not db.table_exists(path):
            raise ConnectorError(f"Jdbc: sink table {path} does not exist in {self.target.display()} "
                                 "(schema_save_mode = ERROR_WHEN_SCHEMA_NOT_EXIST)")
        if opts.data_save_mode == DataSaveMode.DROP_DATA and not created:
            db.truncate(path)
        elif opts.data_save_mode == DataSaveMode.CUSTOM_PROCESSING and opts.custom_sql:
            db.execute(opts.custom_sql)
        elif opts.data_save_mode == DataSaveMode.ERROR_WHEN_DATA_EXISTS and db.has_rows(path):
            raise ConnectorError(f"Jdbc: sink table {path} already has data (data_save_mode = ERROR_WHEN_DATA_EXISTS)")

    def new_xid(self, task_index: int) -> str:
        """A transaction id: this sink's prefix, task index, a sequence number and this run's id."""
        with self._lock:
            self._xids += 1
            return f"{xid_prefix(self.key)}{task_index}-{self._xids}-{self._run}"

    def create_writer(self, task_index: int, schema: pa.Schema, state: dict[str, Any] | None = None) -> SinkWriter:
        """A writer with its own connection."""
        return JdbcWriter(self, task_index)

    def finish(self, success: bool, last_checkpoint_id: int | None = None) -> None:
        """Close a connection no writer took."""
        with self._lock:
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()

    def create_committer(self) -> Committer | None:
        """The two-phase committer when is_exactly_once, else none (writes are visible at flush)."""
        if not self.options.is_exactly_once:
            return None
        prefixes = own_prefixes(self.key, self.context.job_key, self.context.job_name)
        return JdbcCommitter(self.target, self.options.max_commit_attempts, prefixes)
