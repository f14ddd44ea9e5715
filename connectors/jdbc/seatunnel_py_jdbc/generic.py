"""SQLite and any other SQLAlchemy dialect: the portable (slower) path.

Reads stream ``fetchmany`` chunks and build one Arrow array per column; writes bind
rows with DB-API ``executemany``. SQLite stores values with dynamic types, so read
types come from the values of the first rows (declared types are only hints there).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from seatunnel_py.api import ConnectorError

from .database import Database, Params, connect_failure, missing_driver, scrub, split_path
from .typemap import Convert
from .urls import Dialect, Target

SAMPLE_ROWS = 1000


def _bindable(batch: pa.RecordBatch) -> list[tuple[Any, ...]]:
    """Rows of Python values every DB-API driver binds (decimals and temporals as text)."""
    arrays = []
    for col in batch.columns:
        t = col.type
        if pa.types.is_decimal(t) or pa.types.is_time(t) or pa.types.is_date(t) or pa.types.is_timestamp(t):
            col = col.cast(pa.string())
        elif pa.types.is_nested(t):
            raise ConnectorError(f"Jdbc: cannot bind Arrow type {t} through the generic path")
        arrays.append(col.to_pylist())
    return list(zip(*arrays, strict=True)) if arrays else []


class SqlAlchemyDatabase(Database):
    """A SQLAlchemy connection (autocommit unless a transaction was begun)."""

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        try:
            import sqlalchemy
        except ImportError:
            raise missing_driver("sqlalchemy", "SQLAlchemy") from None
        self.dialect = "sqlite" if target.dialect == Dialect.SQLITE else "generic"
        try:
            self.engine = sqlalchemy.create_engine(target.sqlalchemy())
            self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except ImportError as exc:
            raise missing_driver(exc.name or "the dialect's driver", target.scheme) from None
        except Exception as exc:
            raise connect_failure(target, exc) from None
        self.paramstyle = self.engine.dialect.paramstyle
        self.quote_char = self.engine.dialect.identifier_preparer.initial_quote
        self._tx: Any = None

    def _run(self, sql: str, params: Any = None) -> Any:
        try:
            return self.conn.exec_driver_sql(sql, params) if params is not None else self.conn.exec_driver_sql(sql)
        except Exception as exc:
            orig = getattr(exc, "orig", exc)
            raise ConnectorError(f"Jdbc: {self.target.display()}: {scrub(self.target, str(orig))}") from None

    def mark(self, n: int) -> str:
        """The driver's placeholder for the ``n``-th value."""
        return self._marks(n)[n - 1]

    def _bound(self, params: Params | None) -> Any:
        return None if params is None else self._params([tuple(params)])[0]

    def execute(self, sql: str, params: Params | None = None) -> None:
        """Run one statement."""
        self._run(sql, self._bound(params))

    def fetch(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """All rows of a small query."""
        return [tuple(r) for r in self._run(sql, self._bound(params)).fetchall()]

    def query_schema(self, query: str, where: str) -> tuple[pa.Schema, list[Convert | None]]:
        """Types from the values of the first rows (all-null columns read as text)."""
        result = self._run(f"SELECT * FROM ({query}) AS st_q {where} LIMIT {SAMPLE_ROWS}")
        names = list(result.keys())
        rows = result.fetchall()
        fields = []
        for i, name in enumerate(names):
            try:
                dtype = pa.array([r[i] for r in rows]).type
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                raise ConnectorError(f"Jdbc: column {name!r} mixes value types; cast it in the query") from None
            fields.append(pa.field(name, pa.string() if pa.types.is_null(dtype) else dtype))
        return pa.schema(fields), [None] * len(fields)

    def read(self, query: str, schema: pa.Schema, converts: Sequence[Convert | None],
             batch_rows: int, order_by: Sequence[str] = ()) -> Iterator[pa.RecordBatch]:
        """``fetchmany`` chunks, one Arrow array per column."""
        result = self._run(query + self.order_clause(order_by))
        while True:
            rows = result.fetchmany(batch_rows or 8192)
            if not rows:
                break
            columns = list(zip(*rows, strict=True))
            try:
                arrays = [pa.array(values, f.type) for f, values in zip(schema, columns, strict=True)]
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise ConnectorError(f"Jdbc: a value does not fit the column type read earlier: {exc}") from None
            yield pa.RecordBatch.from_arrays(arrays, schema=schema)

    def table_exists(self, path: str) -> bool:
        """SQLAlchemy inspector."""
        import sqlalchemy
        parts = split_path(path)
        return bool(sqlalchemy.inspect(self.conn).has_table(parts[-1], schema=parts[0] if len(parts) > 1 else None))

    def primary_key(self, path: str) -> list[str]:
        """SQLAlchemy inspector."""
        import sqlalchemy
        parts = split_path(path)
        pk = sqlalchemy.inspect(self.conn).get_pk_constraint(parts[-1], schema=parts[0] if len(parts) > 1 else None)
        return list(pk.get("constrained_columns") or [])

    def truncate(self, path: str) -> None:
        """DELETE FROM (SQLite has no TRUNCATE)."""
        self.execute(f"DELETE FROM {self.table_ref(path)}")

    def _marks(self, n: int) -> list[str]:
        style = self.paramstyle
        if style == "qmark":
            return ["?"] * n
        if style == "numeric":
            return [f":{i + 1}" for i in range(n)]
        if style in ("format", "pyformat"):
            return ["%s"] * n
        return [f":p{i}" for i in range(n)]

    def _params(self, rows: list[tuple[Any, ...]]) -> Any:
        if self.paramstyle == "named":
            return [{f"p{i}": v for i, v in enumerate(r)} for r in rows]
        return rows

    def append(self, path: str, batch: pa.RecordBatch) -> None:
        """executemany INSERT."""
        names = ", ".join(self.quote(n) for n in batch.schema.names)
        marks = ", ".join(self._marks(batch.num_columns))
        self._run(f"INSERT INTO {self.table_ref(path)} ({names}) VALUES ({marks})", self._params(_bindable(batch)))

    def upsert(self, path: str, batch: pa.RecordBatch, keys: Sequence[str]) -> None:
        """INSERT … ON CONFLICT (SQLite, and other dialects that accept it)."""
        names = batch.schema.names
        others = [n for n in names if n not in keys]
        action = ("DO UPDATE SET " + ", ".join(f"{self.quote(n)} = excluded.{self.quote(n)}" for n in others)
                  if others else "DO NOTHING")
        marks = ", ".join(self._marks(len(names)))
        sql = (f"INSERT INTO {self.table_ref(path)} ({', '.join(self.quote(n) for n in names)}) VALUES ({marks}) "
               f"ON CONFLICT ({', '.join(self.quote(k) for k in keys)}) {action}")
        self._run(sql, self._params(_bindable(batch)))

    def delete(self, path: str, keys_batch: pa.RecordBatch) -> None:
        """executemany DELETE … WHERE k = ?."""
        marks = self._marks(keys_batch.num_columns)
        cond = " AND ".join(f"{self.quote(n)} = {m}" for n, m in zip(keys_batch.schema.names, marks, strict=True))
        self._run(f"DELETE FROM {self.table_ref(path)} WHERE {cond}", self._params(_bindable(keys_batch)))

    def run_insert(self, query: str, batch: pa.RecordBatch) -> None:
        """The user's statement for every row (``?`` turned into the driver's placeholder)."""
        marks = iter(self._marks(query.count("?")))
        sql = "".join(next(marks) if ch == "?" else ch for ch in query)
        self._run(sql, self._params(_bindable(batch)))

    def begin(self) -> None:
        """A transaction on a non-autocommit connection."""
        self._tx_conn = self.engine.connect()
        self._saved, self.conn = self.conn, self._tx_conn
        self._tx = self.conn.begin()

    def commit(self) -> None:
        """Commit and return to autocommit."""
        self._tx.commit()
        self._end()

    def rollback(self) -> None:
        """Roll back and return to autocommit."""
        self._tx.rollback()
        self._end()

    def _end(self) -> None:
        self.conn.close()
        self.conn, self._tx = self._saved, None

    def close(self) -> None:
        """Close the connection and dispose of the engine."""
        try:
            self.conn.close()
            self.engine.dispose()
        except Exception:
            pass
