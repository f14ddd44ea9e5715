"""MySQL / MariaDB through PyMySQL: multi-row INSERT statements built by Arrow compute.

Writes render each column to SQL literals with vectorised ``pyarrow.compute`` (escaping,
quoting, NULL) and join them into ``INSERT … VALUES (…),(…)`` statements of a few
thousand rows, with ``ON DUPLICATE KEY UPDATE`` for upserts: no Python loop per row.
Reads go through ConnectorX (Rust, straight to Arrow) when it is installed, else an
unbuffered PyMySQL cursor whose rows become one Arrow array per column.
Two-phase commit uses XA; a session cannot start a new XA transaction while one is
prepared, so the connection is replaced after every ``XA PREPARE`` (the prepared
transaction survives the disconnect on MariaDB >= 10.5 and MySQL >= 5.7). Connection
arguments, the sink's strict session and the errors are in ``mysql_session``.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc

from seatunnel_py.api import ConnectorError

from .database import Database, Params, checked_xid, connect_failure, missing_driver, scrub, split_path
from .mysql_session import connect_arguments, failure, setup_session
from .typemap import Convert, mysql_field, timedelta_to_time
from .urls import Target

ROWS_PER_STATEMENT = 5000
UNSIGNED_FLAG = 32


def _quoted(text: pa.Array) -> pa.Array:
    # a quote is doubled, not backslash-escaped: that holds also where backslashes are not escapes
    escaped = pc.replace_substring(text, b"\\", b"\\\\")
    escaped = pc.replace_substring(escaped, b"'", b"''")
    escaped = pc.replace_substring(escaped, b"\x00", b"\\0")
    return pc.binary_join_element_wise(pa.scalar(b"'"), escaped, pa.scalar(b"'"), pa.scalar(b""))


def sql_literals(array: pa.Array) -> pa.Array:
    """A binary array of SQL literals (NULL for nulls) for one column."""
    dtype = array.type
    if pa.types.is_null(dtype):
        return pa.array([b"NULL"] * len(array), pa.binary())
    if pa.types.is_boolean(dtype):
        text = pc.if_else(array, pa.scalar(b"1"), pa.scalar(b"0"))
    elif pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        text = array.cast(pa.string()).cast(pa.binary())
    elif pa.types.is_timestamp(dtype):
        naive = array.cast(pa.timestamp(dtype.unit)) if dtype.tz else array
        text = _quoted(naive.cast(pa.string()).cast(pa.binary()))
    elif pa.types.is_date(dtype) or pa.types.is_time(dtype):
        text = _quoted(array.cast(pa.string()).cast(pa.binary()))
    elif pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        text = _quoted(array.cast(pa.binary()))
    elif pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
        text = pc.binary_join_element_wise(pa.scalar(b"_binary"), _quoted(array.cast(pa.binary())), pa.scalar(b""))
    else:
        raise ConnectorError(f"Jdbc: cannot write Arrow type {dtype} to MySQL (cast it first)")
    return pc.fill_null(text, pa.scalar(b"NULL"))


def values_clause(batch: pa.RecordBatch) -> bytes:
    """``(…),(…)`` for every row of ``batch``, built without a Python loop per row."""
    literals = [sql_literals(col) for col in batch.columns]
    joined = pc.binary_join_element_wise(*literals, pa.scalar(b","))
    rows = pc.binary_join_element_wise(pa.scalar(b"("), joined, pa.scalar(b")"), pa.scalar(b""))
    lists = pa.ListArray.from_arrays(pa.array([0, len(rows)], pa.int32()), rows)
    return bytes(pc.binary_join(lists, b",")[0].as_py())


def _column(values: Sequence[Any], dtype: pa.DataType) -> pa.Array:
    """One column of driver values (ints for booleans and unsigned bigints are cast)."""
    try:
        return pa.array(values, dtype)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(values).cast(dtype)


class MysqlDatabase(Database):
    """One PyMySQL connection (autocommit; session time zone UTC)."""

    dialect = "mysql"
    quote_char = "`"

    def __init__(self, target: Target, writing: bool = False) -> None:
        super().__init__(target)
        self.writing = writing
        self._mode: str | None = None
        try:
            import pymysql
        except ImportError:
            raise missing_driver("pymysql", "MySQL/MariaDB") from None
        self._pymysql = pymysql
        self.conn = self._connect()
        self.xid: str | None = None

    def _connect(self) -> Any:
        accepted = inspect.signature(self._pymysql.connections.Connection.__init__).parameters
        arguments = connect_arguments(self.target, accepted)
        try:
            conn = self._pymysql.connect(**arguments)
        except Exception as exc:
            raise connect_failure(self.target, exc) from None
        try:
            self._mode = setup_session(conn, self.writing, self._mode)
        except self._pymysql.Error as exc:
            conn.close()
            raise failure(self.target, exc, "setting up the session") from None
        return conn

    def mark(self, n: int) -> str:
        """``%s``."""
        return "%s"

    def _run(self, sql: str | bytes, cursor: Any = None, params: Params | None = None, what: str = "") -> Any:
        cur = cursor or self.conn.cursor()
        try:
            if params is None:
                cur.execute(sql)
            else:
                cur.execute(sql, tuple(params))
        except self._pymysql.Error as exc:
            cur.close()
            raise failure(self.target, exc, what) from None
        return cur

    def execute(self, sql: str, params: Params | None = None) -> None:
        """Run one statement."""
        self._run(sql, params=params).close()

    def fetch(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """All rows of a small query."""
        cur = self._run(sql, params=params)
        rows = list(cur.fetchall())
        cur.close()
        return rows

    def _fields(self, cur: Any) -> list[pa.Field]:
        out = []
        for f in cur._result.fields:
            unsigned = bool(f.flags & UNSIGNED_FLAG)
            # DECIMAL display length counts the sign and the point
            precision = f.length - (1 if f.scale else 0) - (0 if unsigned else 1)
            out.append(mysql_field(f.name, f.type_code, f.length, precision, f.scale, f.charsetnr,
                                   unsigned, self.target.display()))
        return out

    def query_schema(self, query: str, where: str) -> tuple[pa.Schema, list[Convert | None]]:
        """Schema from a zero-row run of the query."""
        cur = self._run(f"SELECT * FROM ({query}) AS st_q {where} LIMIT 0")
        fields = self._fields(cur)
        cur.close()
        return pa.schema(fields), [None] * len(fields)

    def read(self, query: str, schema: pa.Schema, converts: Sequence[Convert | None],
             batch_rows: int, order_by: Sequence[str] = ()) -> Iterator[pa.RecordBatch]:
        """Arrow batches through ConnectorX when installed, else PyMySQL rows turned into columns."""
        try:
            import connectorx
        except ImportError:
            return self._read_rows(query + self.order_clause(order_by), schema, batch_rows)
        return self._read_arrow(connectorx, query, schema, batch_rows, order_by)

    def _read_arrow(self, connectorx: Any, query: str, schema: pa.Schema,
                    batch_rows: int, order_by: Sequence[str]) -> Iterator[pa.RecordBatch]:
        target = self.target
        uri = (f"mysql://{quote(target.user or 'root', safe='')}:{quote(target.password or '', safe='')}@"
               f"{target.host or '127.0.0.1'}:{target.port or 3306}/{quote(target.database)}")
        # ConnectorX reads DECIMAL as decimal128(38, 10) and fails on other scales: read them as text
        columns = ", ".join(f"CAST({self.quote(f.name)} AS CHAR) AS {self.quote(f.name)}"
                            if pa.types.is_decimal(f.type) else self.quote(f.name) for f in schema)
        # the ORDER BY goes on this statement (MariaDB drops one inside a derived table), on st_x's columns
        # rather than the CAST aliases, so decimals sort as numbers
        sql = f"SELECT {columns} FROM ({query}) AS st_x{self.order_clause(order_by, 'st_x')}"
        try:
            reader = connectorx.read_sql(uri, sql, return_type="arrow_stream", batch_size=batch_rows or 65536,
                                         pre_execution_query="SET time_zone = '+00:00'")
            for raw in reader:
                try:
                    yield raw.cast(schema)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise ConnectorError(f"Jdbc: {target.display()}: a value does not fit its column: {exc}") from None
        except RuntimeError as exc:
            raise ConnectorError(f"Jdbc: {target.display()}: {scrub(target, str(exc))}") from None
        except BaseException as exc:  # a Rust panic surfaces as pyo3's PanicException (a BaseException)
            if type(exc).__name__ != "PanicException":
                raise
            raise ConnectorError(f"Jdbc: {target.display()}: ConnectorX failed: "
                                 f"{scrub(target, str(exc))}") from None

    def _read_rows(self, query: str, schema: pa.Schema, batch_rows: int) -> Iterator[pa.RecordBatch]:
        conn = self._connect()
        cur = conn.cursor(self._pymysql.cursors.SSCursor)
        try:
            self._run(query, cur)
            while True:
                rows = cur.fetchmany(batch_rows or 8192)
                if not rows:
                    break
                columns = list(zip(*rows, strict=True))
                arrays = []
                for field, values in zip(schema, columns, strict=True):
                    if pa.types.is_time(field.type):
                        arrays.append(timedelta_to_time(list(values)))
                    else:
                        arrays.append(_column(values, field.type))
                yield pa.RecordBatch.from_arrays(arrays, schema=schema)
        finally:
            cur.close()
            conn.close()

    # --- tables ------------------------------------------------------------------
    def _schema_and_name(self, path: str) -> tuple[str, list[str]]:
        """``table_schema = …`` (the path's database, else the connection's) and its bound values."""
        parts = split_path(path)
        if len(parts) > 1:
            return "table_schema = %s AND table_name = %s", parts[-2:]
        return "table_schema = DATABASE() AND table_name = %s", parts[-1:]

    def table_exists(self, path: str) -> bool:
        """The table is in information_schema (names bound as values)."""
        where, params = self._schema_and_name(path)
        return bool(self.scalar(f"SELECT count(*) FROM information_schema.tables WHERE {where}", params))

    def primary_key(self, path: str) -> list[str]:
        """Primary key columns in key order."""
        where, params = self._schema_and_name(path)
        rows = self.fetch("SELECT column_name FROM information_schema.key_column_usage WHERE "
                          f"{where} AND constraint_name = 'PRIMARY' ORDER BY ordinal_position", params)
        return [str(r[0]) for r in rows]

    def create_database(self, path: str) -> None:
        """CREATE DATABASE IF NOT EXISTS for ``db.table``."""
        parts = split_path(path)
        if len(parts) > 1:
            self.execute(f"CREATE DATABASE IF NOT EXISTS {self.quote(parts[-2])}")

    # --- writing -----------------------------------------------------------------
    def _insert(self, path: str, batch: pa.RecordBatch, suffix: bytes = b"", verb: str = "INSERT") -> None:
        head = f"{verb} INTO {self.table_ref(path)} ({', '.join(self.quote(n) for n in batch.schema.names)}) VALUES "
        for start in range(0, batch.num_rows, ROWS_PER_STATEMENT):
            chunk = batch.slice(start, ROWS_PER_STATEMENT)
            self._run(head.encode() + values_clause(chunk) + suffix, what=f"writing into table {path}").close()

    def append(self, path: str, batch: pa.RecordBatch) -> None:
        """Multi-row INSERT statements."""
        self._insert(path, batch)

    def upsert(self, path: str, batch: pa.RecordBatch, keys: Sequence[str]) -> None:
        """Multi-row INSERT … ON DUPLICATE KEY UPDATE."""
        others = [n for n in batch.schema.names if n not in keys]
        if not others:
            self._insert(path, batch, verb="INSERT IGNORE")
            return
        update = ", ".join(f"{self.quote(n)} = VALUES({self.quote(n)})" for n in others)
        self._insert(path, batch, b" ON DUPLICATE KEY UPDATE " + update.encode())

    def delete(self, path: str, keys_batch: pa.RecordBatch) -> None:
        """DELETE … WHERE (k1, k2) IN ((…), (…))."""
        names = ", ".join(self.quote(n) for n in keys_batch.schema.names)
        for start in range(0, keys_batch.num_rows, ROWS_PER_STATEMENT):
            chunk = keys_batch.slice(start, ROWS_PER_STATEMENT)
            sql = f"DELETE FROM {self.table_ref(path)} WHERE ({names}) IN (".encode()
            self._run(sql + values_clause(chunk) + b")", what=f"deleting from table {path}").close()

    def run_insert(self, query: str, batch: pa.RecordBatch) -> None:
        """The user's statement for every row (``?`` become ``%s``; PyMySQL batches the rows)."""
        sql = query.replace("%", "%%").replace("?", "%s")
        rows = [tuple(r.values()) for r in batch.to_pylist()]
        cur = self.conn.cursor()
        try:
            cur.executemany(sql, rows)
        except self._pymysql.Error as exc:
            raise failure(self.target, exc, "running query") from None
        finally:
            cur.close()

    # --- transactions ------------------------------------------------------------
    def begin_xa(self, xid: str) -> None:
        """XA START."""
        self.execute(f"XA START '{checked_xid(xid)}'")  # XA statements take no parameter: a checked id
        self.xid = xid

    def prepare_xa(self, xid: str) -> None:
        """XA END, XA PREPARE, then a fresh connection for the next transaction."""
        self.execute(f"XA END '{checked_xid(xid)}'")
        self.execute(f"XA PREPARE '{xid}'")
        self.xid = None
        self.conn.close()
        self.conn = self._connect()

    def commit_xa(self, xid: str) -> bool:
        """XA COMMIT; False when the xid is not (or no longer) prepared."""
        if xid not in self.prepared_xids(xid):
            return False
        self.execute(f"XA COMMIT '{checked_xid(xid)}'")
        return True

    def rollback_xa(self, xid: str) -> None:
        """XA ROLLBACK."""
        self.execute(f"XA ROLLBACK '{checked_xid(xid)}'")

    def prepared_xids(self, prefix: str) -> list[str]:
        """XA RECOVER filtered on the prefix."""
        rows = self.fetch("XA RECOVER")
        out = []
        for row in rows:
            data = row[3]
            xid = data.decode() if isinstance(data, bytes) else str(data)
            if xid.startswith(prefix):
                out.append(xid)
        return out

    def rollback(self) -> None:
        """Roll back an open XA or plain transaction."""
        if self.xid is not None:
            xid, self.xid = checked_xid(self.xid), None
            try:
                self.execute(f"XA END '{xid}'")
            finally:
                self.execute(f"XA ROLLBACK '{xid}'")
            return
        super().rollback()

    def close(self) -> None:
        """Close the connection."""
        with contextlib.suppress(Exception):
            self.conn.close()
