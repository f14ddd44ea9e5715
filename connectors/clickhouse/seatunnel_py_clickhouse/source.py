"""The Clickhouse source: a query (or a table by partition and key hash) read as Arrow streams."""

from __future__ import annotations

import math
from collections.abc import Generator, Iterator

import pyarrow as pa

from seatunnel_py.api import Capability, DataError, PluginContext, Source, Split, SplitReader, State

from .client import call, connect, failing_as, qualified, quote_name, quote_string
from .options import ClickhouseSourceOptions


class ClickhouseReader(SplitReader):
    """Reads one split's query as an Arrow stream; its state only says whether it finished."""

    def __init__(self, source: ClickhouseSource, split: Split, state: State | None) -> None:
        self._source = source
        self._query = str(split.payload["query"])
        self._finished = bool((state or {}).get("finished"))
        self._active: Generator[pa.RecordBatch, None, None] | None = None

    def read(self) -> Iterator[pa.RecordBatch | None]:
        """Record batches of at most ``batch_size`` rows (nothing when the split finished before)."""
        self._active = self._batches()
        return self._active

    def _batches(self) -> Generator[pa.RecordBatch, None, None]:
        if self._finished:
            return
        opts = self._source.options
        schema = self._source.output_schema()
        client = connect(opts, opts.database)
        try:
            settings = {"max_block_size": opts.batch_size}
            with failing_as(f"query failed: {self._query[:200]}"):
                stream = client.query_arrow_stream(self._query, settings=settings, use_strings=True)
            with stream, failing_as("reading the result failed"):
                for block in stream:
                    table = block if isinstance(block, pa.Table) else pa.Table.from_batches([block])
                    if table.schema != schema:
                        table = self._conform(table, schema)
                    for batch in table.to_batches(max_chunksize=opts.batch_size):
                        if batch.num_rows:
                            yield batch
            self._finished = True
        finally:
            client.close()

    @staticmethod
    def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
        """The result's columns cast to the declared schema (``DataError`` naming the column that does not fit)."""
        missing = [n for n in schema.names if n not in table.column_names]
        if missing:
            raise DataError(f"Clickhouse: the query has no column {missing[0]!r} of the declared schema "
                            f"(it has: {', '.join(table.column_names)})")
        arrays = []
        for field in schema:
            column = table.column(field.name)
            try:
                arrays.append(column if column.type == field.type else column.cast(field.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise DataError(f"Clickhouse: column {field.name!r} ({column.type}) does not fit the declared "
                                f"type {field.type}: {exc}") from None
        return pa.Table.from_arrays(arrays, schema=schema)

    def snapshot(self) -> State:
        """``{"finished": bool}``: a finished split is not read again; an unfinished one from its start."""
        return {"finished": self._finished}

    def close(self) -> None:
        """Stop the query if reading stopped early."""
        if self._active is not None:
            self._active.close()
        self._active = None


class ClickhouseSource(Source[ClickhouseSourceOptions]):
    """Reads a ClickHouse query or table into Arrow record batches (BATCH mode).

    With ``table_path`` every active partition (from ``system.parts``, limited to
    ``partition_list``) is a split, and a partition of more than ``split.size`` rows is
    cut into that many key-hash ranges, read in parallel. With ``sql`` the query is one split.
    """

    name = "Clickhouse"
    description = "Read a ClickHouse query or table (parallel by partition and key hash) into Arrow"
    options_model = ClickhouseSourceOptions
    capabilities = frozenset({Capability.BOUNDED, Capability.PARALLEL})

    def __init__(self, options: ClickhouseSourceOptions, context: PluginContext) -> None:
        super().__init__(options, context)
        self._schema: pa.Schema | None = None

    def base_query(self) -> str:
        """The query every split narrows: ``sql``, or the table with ``filter_query``."""
        opts = self.options
        if opts.sql and opts.sql.strip():
            return opts.sql.strip().rstrip(";")
        database, table = opts.table_parts()
        declared = opts.table_schema()
        columns = ", ".join(quote_name(n) for n in declared.schema.names) if declared else "*"
        return f"SELECT {columns} FROM {qualified(database, table)}"

    def output_schema(self) -> pa.Schema:
        """The declared ``schema``, else the query's columns asked of the server with ``LIMIT 0``."""
        if self._schema is None:
            declared = self.options.table_schema()
            if declared is not None:
                self._schema = declared.schema.remove_metadata()
                return self._schema
            client = connect(self.options, self.options.database)
            try:
                table = call("cannot read the schema", client.query_arrow,
                             f"SELECT * FROM ({self.base_query()}) LIMIT 0", use_strings=True)
            finally:
                client.close()
            self._schema = table.schema.remove_metadata()
        return self._schema

    def splits(self) -> list[Split]:
        """One split for ``sql``; per partition (and key-hash range) for ``table_path``."""
        opts = self.options
        if opts.sql and opts.sql.strip():
            return [Split("sql", {"query": self.base_query()})]
        database, table = opts.table_parts()
        client = connect(opts)
        try:
            where = f"database = {quote_string(database)} AND table = {quote_string(table)}"
            parts = call("cannot list partitions", client.query,
                         f"SELECT partition_id, any(partition), sum(rows) FROM system.parts WHERE {where} "
                         "AND active GROUP BY partition_id ORDER BY partition_id").result_rows
            keys = call("cannot read the sorting key", client.query,
                        f"SELECT sorting_key FROM system.tables WHERE database = {quote_string(database)} "
                        f"AND name = {quote_string(table)}").result_rows
        finally:
            client.close()
        wanted = set(opts.partition_list or [])
        sorting_key = str(keys[0][0]) if keys and keys[0][0] else ""
        hash_of = f"cityHash64({sorting_key})" if sorting_key else f"cityHash64({self.output_schema().names[0]!s})"
        out: list[Split] = []
        for partition_id, partition, rows in parts:
            if wanted and str(partition_id) not in wanted and str(partition).strip("'") not in wanted:
                continue
            pieces = max(1, math.ceil(int(rows) / opts.split_size))
            for piece in range(pieces):
                conditions = [f"_partition_id = {quote_string(str(partition_id))}"]
                if opts.filter_query:
                    conditions.append(f"({opts.filter_query})")
                if pieces > 1:
                    conditions.append(f"{hash_of} % {pieces} = {piece}")
                query = f"{self.base_query()} WHERE {' AND '.join(conditions)}"
                out.append(Split(f"{partition_id}/{piece}of{pieces}", {"query": query}))
        if not parts and not wanted:
            suffix = f" WHERE {opts.filter_query}" if opts.filter_query else ""
            out.append(Split("all", {"query": self.base_query() + suffix}))
        return out

    def create_reader(self, split: Split, state: State | None = None) -> SplitReader:
        """A reader of one split's query."""
        return ClickhouseReader(self, split, state)
