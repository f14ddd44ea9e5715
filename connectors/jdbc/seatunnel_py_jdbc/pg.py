"""PostgreSQL through the ADBC driver: binary COPY straight to and from Arrow.

Reads stream ``COPY (query) TO STDOUT (FORMAT binary)`` into record batches; appends
COPY the batch into the table when every column's type matches what COPY sends, else
into a staging table and one ``INSERT … SELECT`` with casts; upserts and deletes COPY
into a staging table and run one ``INSERT … ON CONFLICT`` / ``DELETE … USING``.
Two-phase commit uses ``PREPARE TRANSACTION`` (needs max_prepared_transactions > 0).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from seatunnel_py.api import ConnectorError

from .database import Database, Params, checked_xid, connect_failure, missing_driver, split_path
from .typemap import Convert, pg_field
from .urls import Target

# Arrow type → the PostgreSQL column types a binary COPY of it fills without a cast
_COPY_COMPATIBLE: list[tuple[Any, set[str]]] = [
    (pa.types.is_int16, {"int2"}), (pa.types.is_int32, {"int4"}), (pa.types.is_int64, {"int8"}),
    (pa.types.is_float32, {"float4"}), (pa.types.is_float64, {"float8"}), (pa.types.is_boolean, {"bool"}),
    (pa.types.is_string, {"text", "varchar", "bpchar"}), (pa.types.is_large_string, {"text", "varchar"}),
    (pa.types.is_binary, {"bytea"}), (pa.types.is_date32, {"date"}), (pa.types.is_decimal, {"numeric"}),
]


def _copy_compatible(dtype: pa.DataType, typname: str) -> bool:
    if pa.types.is_timestamp(dtype):
        return dtype.unit == "us" and typname == ("timestamptz" if dtype.tz else "timestamp")
    if pa.types.is_time64(dtype):
        return dtype.unit == "us" and typname == "time"
    return any(test(dtype) and typname in names for test, names in _COPY_COMPATIBLE)


def pg_message(exc: BaseException) -> str:
    """The server's ``ERROR:`` line of a driver exception (one line, no query text)."""
    text = str(exc)
    match = re.search(r"ERROR:\s+(.*)", text)
    if match:
        return match.group(1).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class PostgresDatabase(Database):
    """One ADBC PostgreSQL connection (autocommit; transactions begun explicitly)."""

    dialect = "postgresql"

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        try:
            import adbc_driver_postgresql.dbapi as pg_dbapi
        except ImportError:
            raise missing_driver("adbc-driver-postgresql", "PostgreSQL") from None
        try:
            self.conn = pg_dbapi.connect(target.adbc_uri(), autocommit=True)
        except Exception as exc:
            raise connect_failure(target, exc) from None
        self.cur = self.conn.cursor()
        self.in_transaction = False
        self.two_phase = False
        self._columns: dict[str, dict[str, tuple[str, str]]] = {}

    def mark(self, n: int) -> str:
        """``$n``."""
        return f"${n}"

    def _run(self, sql: str, cursor: Any = None, params: Params | None = None) -> Any:
        cur = cursor or self.cur
        try:
            if params is None:
                cur.execute(sql)
            else:
                cur.execute(sql, tuple(params))
        except Exception as exc:
            raise ConnectorError(f"Jdbc: {self.target.display()}: {pg_message(exc)}") from None
        return cur

    def execute(self, sql: str, params: Params | None = None) -> None:
        """Run one statement."""
        self._run(sql, params=params)

    def fetch(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """All rows of a small query."""
        return list(self._run(sql, params=params).fetchall())

    def query_schema(self, query: str, where: str) -> tuple[pa.Schema, list[Convert | None]]:
        """Schema from a zero-row run of the query; numeric precision from the column typmod."""
        table = self._run(f"SELECT * FROM ({query}) AS st_q {where} LIMIT 0").fetch_arrow_table()
        fields, converts = [], []
        for field in table.schema:
            mapped, convert = pg_field(field, self.target.display())
            fields.append(mapped)
            converts.append(convert)
        return pa.schema(fields), converts

    def read(self, query: str, schema: pa.Schema, converts: Sequence[Convert | None],
             batch_rows: int, order_by: Sequence[str] = ()) -> Iterator[pa.RecordBatch]:
        """Stream the query through binary COPY, converting columns to ``schema``."""
        cursor = self.conn.cursor()
        try:
            reader = self._run(query + self.order_clause(order_by), cursor).fetch_record_batch()
            for raw in reader:
                arrays = [c(col) if c else col for c, col in zip(converts, raw.columns, strict=True)]
                batch = pa.RecordBatch.from_arrays(arrays, schema=schema)
                step = batch_rows or batch.num_rows or 1
                for start in range(0, batch.num_rows, step):
                    yield batch.slice(start, step)
        finally:
            cursor.close()

    # --- tables ------------------------------------------------------------------
    def _schema_and_name(self, path: str) -> tuple[str | None, str]:
        parts = split_path(path)
        return (parts[-2] if len(parts) > 1 else None), parts[-1]

    def table_exists(self, path: str) -> bool:
        """to_regclass is not null (the quoted name is a bound value)."""
        return bool(self.scalar("SELECT to_regclass($1) IS NOT NULL", [self.table_ref(path)]))

    def primary_key(self, path: str) -> list[str]:
        """Primary key columns in key order."""
        rows = self.fetch(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::regclass "
            "AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)", [self.table_ref(path)])
        return [str(r[0]) for r in rows]

    def columns(self, path: str) -> dict[str, tuple[str, str]]:
        """``name → (typname, format_type)`` of the table's columns (cached)."""
        if path not in self._columns:
            rows = self.fetch(
                "SELECT a.attname, t.typname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                "JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = $1::regclass "
                "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", [self.table_ref(path)])
            self._columns[path] = {str(r[0]): (str(r[1]), str(r[2])) for r in rows}
        return self._columns[path]

    def create_database(self, path: str) -> None:
        """CREATE SCHEMA IF NOT EXISTS for a qualified path."""
        schema, _ = self._schema_and_name(path)
        if schema:
            self.execute(f"CREATE SCHEMA IF NOT EXISTS {self.quote(schema)}")

    def drop_table(self, path: str) -> None:
        """DROP TABLE IF EXISTS (and forget its cached columns)."""
        self._columns.pop(path, None)
        super().drop_table(path)

    # --- writing -----------------------------------------------------------------
    def _target_columns(self, path: str, batch: pa.RecordBatch) -> dict[str, tuple[str, str]]:
        columns = self.columns(path)
        missing = [n for n in batch.schema.names if n not in columns]
        if missing:
            raise ConnectorError(f"Jdbc: table {path} has no column {missing[0]!r} "
                                 f"(columns: {', '.join(columns)})")
        return columns

    def _ingest(self, path: str, batch: pa.RecordBatch, mode: str, temporary: bool = False) -> None:
        schema, name = self._schema_and_name(path)
        kwargs: dict[str, Any] = {"mode": mode}
        if schema and not temporary:
            kwargs["db_schema_name"] = schema
        if temporary:
            kwargs["temporary"] = True
        try:
            self.cur.adbc_ingest(name, batch, **kwargs)
        except Exception as exc:
            raise ConnectorError(f"Jdbc: COPY into {path} failed: {pg_message(exc)}") from None

    def _stage(self, batch: pa.RecordBatch) -> str:
        """COPY ``batch`` into a new staging table (temporary unless a prepared transaction needs it real)."""
        name = f"st_stage_{uuid.uuid4().hex[:12]}"
        if self.two_phase:  # PREPARE TRANSACTION refuses transactions that touched temporary tables
            self._ingest(name, batch, "create")
        else:
            self._ingest(name, batch, "create", temporary=True)
        return name

    def _in_transaction(self, work: Any) -> None:
        if self.in_transaction:
            work()
            return
        self.begin()
        try:
            work()
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def _select_cast(self, batch: pa.RecordBatch, columns: dict[str, tuple[str, str]]) -> str:
        return ", ".join(f"s.{self.quote(n)}::{columns[n][1]}" for n in batch.schema.names)

    def append(self, path: str, batch: pa.RecordBatch) -> None:
        """COPY into the table, or through a staging table when a column needs a cast."""
        columns = self._target_columns(path, batch)
        if all(_copy_compatible(f.type, columns[f.name][0]) for f in batch.schema):
            self._ingest(path, batch, "append")
            return

        def work() -> None:
            stage = self._stage(batch)
            names = ", ".join(self.quote(n) for n in batch.schema.names)
            self.execute(f"INSERT INTO {self.table_ref(path)} ({names}) "
                         f"SELECT {self._select_cast(batch, columns)} FROM {self.quote(stage)} s")
            self.execute(f"DROP TABLE {self.quote(stage)}")
        self._in_transaction(work)

    def upsert(self, path: str, batch: pa.RecordBatch, keys: Sequence[str]) -> None:
        """COPY into a staging table, then one INSERT … ON CONFLICT (keys) DO UPDATE."""
        columns = self._target_columns(path, batch)
        names = batch.schema.names
        others = [n for n in names if n not in keys]
        action = ("DO UPDATE SET " + ", ".join(f"{self.quote(n)} = EXCLUDED.{self.quote(n)}" for n in others)
                  if others else "DO NOTHING")

        def work() -> None:
            stage = self._stage(batch)
            self.execute(f"INSERT INTO {self.table_ref(path)} ({', '.join(self.quote(n) for n in names)}) "
                         f"SELECT {self._select_cast(batch, columns)} FROM {self.quote(stage)} s "
                         f"ON CONFLICT ({', '.join(self.quote(k) for k in keys)}) {action}")
            self.execute(f"DROP TABLE {self.quote(stage)}")
        self._in_transaction(work)

    def delete(self, path: str, keys_batch: pa.RecordBatch) -> None:
        """COPY the keys into a staging table, then one DELETE … USING."""
        columns = self._target_columns(path, keys_batch)
        match = " AND ".join(f"t.{self.quote(k)} = s.{self.quote(k)}::{columns[k][1]}"
                             for k in keys_batch.schema.names)

        def work() -> None:
            stage = self._stage(keys_batch)
            self.execute(f"DELETE FROM {self.table_ref(path)} t USING {self.quote(stage)} s WHERE {match}")
            self.execute(f"DROP TABLE {self.quote(stage)}")
        self._in_transaction(work)

    def run_insert(self, query: str, batch: pa.RecordBatch) -> None:
        """Bind the whole batch to the user's statement (``?`` become ``$1, $2, …``)."""
        counter = iter(range(1, batch.num_columns + 1))
        sql = re.sub(r"\?", lambda _: f"${next(counter)}", query)
        try:
            self.cur.executemany(sql, batch)
        except StopIteration:
            raise ConnectorError("Jdbc: query has more '?' placeholders than input columns") from None
        except Exception as exc:
            raise ConnectorError(f"Jdbc: {self.target.display()}: {pg_message(exc)}") from None

    # --- transactions ------------------------------------------------------------
    def begin(self) -> None:
        """BEGIN."""
        self.execute("BEGIN")
        self.in_transaction = True

    def commit(self) -> None:
        """COMMIT."""
        self.in_transaction = False
        self.execute("COMMIT")

    def rollback(self) -> None:
        """ROLLBACK."""
        self.in_transaction = False
        self.execute("ROLLBACK")

    def begin_xa(self, xid: str) -> None:
        """BEGIN a transaction that will be prepared (staging tables are then real tables)."""
        self.two_phase = True
        self.begin()

    def prepare_xa(self, xid: str) -> None:
        """PREPARE TRANSACTION xid."""
        self.in_transaction = False
        self.two_phase = False
        self.execute(f"PREPARE TRANSACTION '{checked_xid(xid)}'")  # takes no parameter: a checked id

    def commit_xa(self, xid: str) -> bool:
        """COMMIT PREPARED; False when no such prepared transaction exists."""
        if not self.scalar("SELECT count(*) FROM pg_prepared_xacts WHERE gid = $1", [xid]):
            return False
        self.execute(f"COMMIT PREPARED '{checked_xid(xid)}'")
        return True

    def rollback_xa(self, xid: str) -> None:
        """ROLLBACK PREPARED."""
        self.execute(f"ROLLBACK PREPARED '{checked_xid(xid)}'")

    def prepared_xids(self, prefix: str) -> list[str]:
        """Prepared transactions of this database whose id starts with ``prefix``."""
        rows = self.fetch("SELECT gid FROM pg_prepared_xacts WHERE database = current_database() "
                          "AND left(gid, length($1::text)) = $1::text ORDER BY prepared", [prefix])
        return [str(r[0]) for r in rows]

    def close(self) -> None:
        """Close the cursor and the connection."""
        try:
            self.cur.close()
            self.conn.close()
        except Exception:
            pass
