"""The Clickhouse sink: large Arrow inserts, each carrying a deduplication token.

Exactly-once (see the README): every writer numbers its rows inside a *segment* that
starts at a checkpoint (segment id = run id and checkpoint id, kept in the writer state).
While writing, every ``bulk_size`` rows of a segment — rows ``[n·bulk, (n+1)·bulk)`` —
are inserted at once with the token ``job:segment:task:start-stop`` (``job`` is the
engine's job key, so two jobs never share a token). At a checkpoint the
rest (fewer than ``bulk_size`` rows) goes into the commit info, and the committer inserts
it, with its own token, once the checkpoint is persisted. A segment's blocks are inserted
only after the checkpoint that opened it is persisted (the committer tells the writers;
rows written meanwhile wait in memory), so everything a crashed run inserted after the
checkpoint K it is restored from belongs to K's segment. The restored writer replays those
rows into that segment with the same boundaries: every replayed insert carries a token the
table has already seen and is dropped.
"""

from __future__ import annotations

import base64
import logging
import re
import uuid
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from seatunnel_py.api import (
    Capability,
    CommitInfo,
    Committer,
    ConnectorError,
    OptionError,
    PluginContext,
    Sink,
    SinkWriter,
    split_row_kinds,
)

from .changes import VersionClock, delete_statement, plain_versions, runs, versioned
from .client import call, connect
from .options import ClickhouseSinkOptions
from .table import ChangeMode, TableInfo, apply_save_modes, check_columns, describe
from .typemap import checked_target, column_definitions, fit_to_columns, insertable

if TYPE_CHECKING:
    from clickhouse_connect.driver.client import Client

log = logging.getLogger(__name__)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def encode_rows(table: pa.Table) -> str:
    """Rows as base64 Arrow IPC (zstd), to travel in a JSON commit info."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as out:
        out.write_table(table)
    return base64.b64encode(sink.getvalue().to_pybytes()).decode()


def decode_rows(text: str) -> pa.Table:
    """The rows of :func:`encode_rows`."""
    return pa.ipc.open_stream(pa.py_buffer(base64.b64decode(text))).read_all()


def insert(client: Client, info: TableInfo, rows: pa.Table, token: str | None) -> None:
    """One INSERT … FORMAT Arrow of ``rows`` (with a deduplication token when given)."""
    settings = {"insert_deduplication_token": token} if token else None
    call(f"cannot insert into {info.database}.{info.name}", client.insert_arrow, info.qualified, rows,
         settings=settings)


class ClickhouseWriter(SinkWriter):
    """Buffers one task's rows and inserts them in aligned ``bulk_size`` blocks."""

    def __init__(self, sink: ClickhouseSink, task_index: int, state: dict[str, Any] | None) -> None:
        self._sink = sink
        self._task = task_index
        self._bulk = sink.options.bulk_size
        self._client = connect(sink.options, sink.options.database)
        self._info = sink.table_info(self._client)
        self._keys = sink.options.key_columns()
        self._mode = self._info.change_mode(self._keys)
        self._targets = {name: target for name, ch_type in self._info.columns.items()
                         if (target := checked_target(ch_type)) is not None}
        """Integer and decimal columns: values are range-checked against them before an insert."""
        self._clock = VersionClock()
        self._segment = str((state or {}).get("segment") or f"{sink.run_id}:0")
        self._opened_by: int | None = None
        self._waiting_warned = False
        """Checkpoint that opened the segment; its blocks wait until the committer saw it saved."""
        self._offset = 0
        """Rows of the segment inserted so far (the buffer starts here)."""
        self._buffer: list[pa.RecordBatch] = []
        self._buffered = 0
        self._warned = False

    def _token(self, start: int, stop: int) -> str:
        return f"{self._sink.job}:{self._segment}:{self._task}:{start}-{stop}"

    def write(self, batch: pa.RecordBatch) -> None:
        """Buffer the rows (changes made into inserts or deletes); insert every full block."""
        data, kinds = split_row_kinds(batch)
        data = fit_to_columns(insertable(data.replace_schema_metadata(None)), self._targets, self._info.qualified)
        if kinds is None or self._mode == ChangeMode.APPEND:
            if kinds is not None and not self._warned:
                log.warning("Clickhouse: no primary_key: change rows of %s are inserted as they are", self._info.name)
                self._warned = True
            self._append(plain_versions(data, self._info, self._clock))
        elif self._mode == ChangeMode.REPLACING:
            self._append(versioned(data, kinds, self._info, self._clock))
        else:
            self._apply_mutations(data, kinds)

    def _append(self, rows: pa.RecordBatch) -> None:
        if rows.num_rows == 0:
            return
        self._buffer.append(rows)
        self._buffered += rows.num_rows
        self._drain()

    def _confirmed(self) -> bool:
        """May this segment's blocks be inserted? Not before the checkpoint that opened it is saved:
        if it never is, a restored run replays these rows in the previous segment."""
        if self._opened_by is None or self._mode == ChangeMode.MUTATIONS:
            return True
        if self._sink.saved_checkpoint >= self._opened_by:
            self._opened_by = None
            return True
        return False

    def _drain(self) -> None:
        if self._buffered < self._bulk:
            return
        if self._confirmed():
            while self._buffered >= self._bulk:
                self._flush(self._bulk)
        elif self._buffered >= 10 * self._bulk and not self._waiting_warned:
            log.warning("Clickhouse: task %d holds %d rows until checkpoint %s is saved", self._task,
                        self._buffered, self._opened_by)
            self._waiting_warned = True

    def _take(self, count: int) -> pa.Table:
        table = pa.Table.from_batches(self._buffer)
        head, rest = table.slice(0, count), table.slice(count)
        self._buffer = rest.to_batches()
        self._buffered = rest.num_rows
        # one record batch per insert: the server cuts the data into deduplicated blocks by
        # the chunks it reads, so a replay must send the same rows in the same chunks
        return head.combine_chunks()

    def _flush(self, count: int, token: bool = True) -> None:
        rows = self._take(count)
        start = self._offset
        self._offset += rows.num_rows
        insert(self._client, self._info, rows, self._token(start, self._offset) if token else None)

    def _apply_mutations(self, data: pa.RecordBatch, kinds: pa.Array) -> None:
        """Keyed table without is_deleted: inserts buffered, deletes run in order (at-least-once)."""
        opts = self._sink.options
        upsert_deletes = opts.support_upsert and not self._info.engine.endswith("ReplacingMergeTree")
        for is_delete, start, stop in runs(kinds):
            rows = data.slice(start, stop - start)
            if is_delete or upsert_deletes:
                if self._buffered:
                    self._flush(self._buffered, token=False)
                statement = delete_statement(self._info, self._keys, rows,
                                             opts.allow_experimental_lightweight_delete)
                call(f"cannot delete from {self._info.database}.{self._info.name}", self._client.command,
                     statement, settings={"mutations_sync": 2, "lightweight_deletes_sync": 2})
            if not is_delete:
                self._append(plain_versions(rows, self._info, self._clock))

    def prepare_commit(self, checkpoint_id: int) -> CommitInfo:
        """Hand the rows not inserted yet (the tail) to the committer; open segment ``run:checkpoint``.

        Keyed MergeTree tables (deletes run while writing) get their tail inserted now
        instead, so that a delete of the next interval cannot overtake it.
        """
        info: CommitInfo = {"checkpoint_id": checkpoint_id}
        self._drain()
        if self._buffered and self._mode == ChangeMode.MUTATIONS:
            self._flush(self._buffered)
        elif self._buffered:
            rows = self._take(self._buffered)
            token = self._token(self._offset, self._offset + rows.num_rows)
            info.update({"database": self._info.database, "table": self._info.name, "token": token,
                         "rows": rows.num_rows, "arrow": encode_rows(rows)})
        self._segment = f"{self._sink.run_id}:{checkpoint_id}"
        self._opened_by = checkpoint_id
        self._offset = 0
        return info

    def snapshot(self, checkpoint_id: int) -> dict[str, Any]:
        """``{"segment": …}``: a writer restored with it numbers replayed rows as this one did."""
        return {"segment": self._segment}

    def abort(self) -> None:
        """Drop the buffered rows (inserted blocks stay; a replay's tokens make them no-ops)."""
        self._buffer, self._buffered = [], 0

    def close(self) -> None:
        """Close the connection."""
        self._client.close()


class ClickhouseCommitter(Committer):
    """Inserts the checkpoint tails with their tokens; a repeated commit is dropped by the table."""

    def __init__(self, sink: ClickhouseSink) -> None:
        self._sink = sink
        self._client: Client | None = None

    def commit(self, infos: list[CommitInfo]) -> None:
        """Tell the writers the checkpoint is saved; insert every tail of ``infos`` (idempotent: same token)."""
        saved = [int(item["checkpoint_id"]) for item in infos if item and "checkpoint_id" in item]
        if saved:
            self._sink.saved_checkpoint = max(self._sink.saved_checkpoint, *saved)
        tails = [item for item in infos if item and "arrow" in item]
        for item in tails:
            self._check(item)
        for item in tails:
            if self._client is None:
                self._client = connect(self._sink.options, self._sink.options.database)
            info = describe(self._client, str(item["database"]), str(item["table"]))
            if info is None:
                raise ConnectorError(f"Clickhouse: table {item['database']}.{item['table']} does not exist")
            insert(self._client, info, decode_rows(str(item["arrow"])), str(item["token"]))

    def _check(self, item: CommitInfo) -> None:
        """Refuse a commit info (it may come from an edited state file) that is not this sink's own.

        It must name the sink's table, and its token this job: otherwise a crafted state
        could insert any rows into any table the credentials can write.
        """
        opts = self._sink.options
        mine = (str(item.get("database")) == opts.database and str(item.get("table")) == opts.table
                and str(item.get("token", "")).startswith(f"{self._sink.job}:"))
        if not mine:
            raise ConnectorError(
                "Clickhouse: refusing a commit info from the saved state for "
                f"{item.get('database')}.{item.get('table')} (this sink writes {opts.database}.{opts.table} "
                "for this job); the state store may have been edited or belong to another job: check it, "
                "or start over with --ignore-state")

    def abort(self, infos: list[CommitInfo], last_checkpoint_id: int | None = None) -> None:
        """Nothing to undo: tails of aborted checkpoints were never inserted."""


class ClickhouseSink(Sink[ClickhouseSinkOptions]):
    """Writes Arrow batches into a ClickHouse table over HTTP (clickhouse-connect ``insert_arrow``).

    Exactly-once on MergeTree-family tables that deduplicate inserts (Replicated*, or
    ``non_replicated_deduplication_window`` > 0, set on the tables it creates); upserts
    and deletes by ``primary_key`` (ReplacingMergeTree with ``_version``/``_is_deleted``
    columns when ``support_upsert``, otherwise deletes by key).
    """

    name = "Clickhouse"
    description = "Write into a ClickHouse table (Arrow inserts with deduplication tokens, upserts, deletes)"
    options_model = ClickhouseSinkOptions
    capabilities = frozenset({Capability.EXACTLY_ONCE, Capability.ROW_KINDS, Capability.UPSERT})

    def __init__(self, options: ClickhouseSinkOptions, context: PluginContext) -> None:
        super().__init__(options, context)
        self.run_id = _safe(context.run_id) if context.run_id else uuid.uuid4().hex[:12]
        self.job = context.job_key
        """The job's identity in tokens: ``job_key`` (unnamed jobs all share ``job_name``)."""
        self._info: TableInfo | None = None
        self.saved_checkpoint = context.restored_checkpoint_id or 0
        """The last checkpoint the committer saw saved (writers insert a segment's blocks only then)."""

    def check_input(self, schema: pa.Schema) -> None:
        """Plan time: every column has a ClickHouse type; the key columns are input columns."""
        opts = self.options
        column_definitions(schema, opts.server_time_zone, opts.low_cardinality_fields, opts.key_columns())
        for key in opts.key_columns():
            if key not in schema.names:
                raise OptionError("primary_key", f"unknown column {key!r} (input columns: {', '.join(schema.names)})")

    def prepare(self, schema: pa.Schema) -> None:
        """Apply the save modes on a fresh start; check the table takes every input column."""
        client = connect(self.options)
        try:
            if self.context.restored_checkpoint_id is None:
                apply_save_modes(client, self.options, schema)
            info = self.table_info(client)
            check_columns(info, schema)
            if not info.deduplicates:
                log.warning("Clickhouse: %s.%s (%s) does not deduplicate inserts: a replay after a crash may "
                            "insert rows twice (see the README: non_replicated_deduplication_window)",
                            info.database, info.name, info.engine)
        finally:
            client.close()

    def table_info(self, client: Client) -> TableInfo:
        """The target table (looked up once)."""
        if self._info is None:
            info = describe(client, self.options.database, self.options.table)
            if info is None:
                raise ConnectorError(f"Clickhouse: table {self.options.database}.{self.options.table} does not exist")
            self._info = info
        return self._info

    def create_writer(self, task_index: int, schema: pa.Schema, state: dict[str, Any] | None = None) -> SinkWriter:
        """A writer for pipeline task ``task_index`` (``state``: its segment at the restored checkpoint)."""
        return ClickhouseWriter(self, task_index, state)

    def create_committer(self) -> Committer:
        """The committer inserting checkpoint tails."""
        return ClickhouseCommitter(self)
