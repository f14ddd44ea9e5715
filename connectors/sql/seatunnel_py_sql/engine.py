"""A DuckDB session for one Sql transform instance: helper macros, UDFs, queries over batches.

``duckdb`` is imported here only, when a job that uses ``Sql`` is planned or run.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import pyarrow as pa

from seatunnel_py.api import ConnectorError

from .functions import FUNCTIONS, SqlError
from .macros import MACROS
from .murmur import murmur64
from .translate import INPUT, Catalog, suggest
from .udf import SqlFunction, discover

ARROW_BATCH_ROWS = 1 << 20
"""Rows per Arrow chunk DuckDB hands back (large, so a batch comes back in one piece)."""


def import_duckdb() -> Any:
    """``duckdb``, or a one-line error saying what to install."""
    try:
        import duckdb
    except ImportError:
        raise ConnectorError("the Sql transform needs the duckdb package: pip install duckdb "
                             "(or pip install seatunnel-py-sql)") from None
    return duckdb


def duckdb_type(dtype: pa.DataType) -> str:
    """The DuckDB type name of an Arrow type (for UDF signatures)."""
    simple = {
        pa.bool_(): "BOOLEAN", pa.int8(): "TINYINT", pa.int16(): "SMALLINT", pa.int32(): "INTEGER",
        pa.int64(): "BIGINT", pa.float32(): "FLOAT", pa.float64(): "DOUBLE", pa.string(): "VARCHAR",
        pa.large_string(): "VARCHAR", pa.binary(): "BLOB", pa.date32(): "DATE", pa.null(): "NULL",
    }
    if dtype in simple:
        return simple[dtype]
    if pa.types.is_decimal(dtype):
        return f"DECIMAL({dtype.precision}, {dtype.scale})"
    if pa.types.is_timestamp(dtype):
        return "TIMESTAMPTZ" if dtype.tz else "TIMESTAMP"
    if pa.types.is_time(dtype):
        return "TIME"
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return duckdb_type(dtype.value_type) + "[]"
    if pa.types.is_map(dtype):
        return f"MAP({duckdb_type(dtype.key_type)}, {duckdb_type(dtype.item_type)})"
    if pa.types.is_struct(dtype):
        inner = ", ".join(f'"{f.name}" {duckdb_type(f.type)}' for f in dtype)
        return f"STRUCT({inner})"
    raise SqlError(f"Arrow type {dtype} has no DuckDB equivalent for a UDF signature")


class _Holder:
    """An Arrow stream source whose batch changes between runs of a prepared query."""

    def __init__(self, batch: pa.RecordBatch) -> None:
        self.schema = batch.schema
        self.batch: pa.RecordBatch | None = batch

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        batches = [] if self.batch is None else [self.batch]
        return pa.RecordBatchReader.from_batches(self.schema, batches).__arrow_c_stream__(requested_schema)


class _Shared:
    """The process-wide DuckDB database: helper macros, MURMUR64 and the plugins' UDFs, created once."""

    def __init__(self) -> None:
        duckdb = import_duckdb()
        self.duckdb = duckdb
        self.con = duckdb.connect(":memory:")
        # one thread per query: parallelism comes from the pipeline tasks, each with its own cursor
        self.con.execute("SET threads = 1")
        for macro in MACROS:
            self.con.execute(macro)
        self.con.create_function("st_murmur64", murmur64, [duckdb.sqltype("VARCHAR")],
                                 duckdb.sqltype("BIGINT"), type="arrow")
        self.udfs = discover(set(FUNCTIONS))
        for udf in self.udfs.values():
            self._register(udf)
        self.catalog = self._catalog()

    def _register(self, udf: SqlFunction) -> None:
        duckdb = self.duckdb
        try:
            self.con.create_function(
                udf.duckdb_name,
                udf.function,
                [duckdb.sqltype(duckdb_type(p)) for p in udf.parameters],
                duckdb.sqltype(duckdb_type(udf.return_type)),
                type="arrow",
                side_effects=not udf.deterministic,
            )
        except duckdb.Error as exc:
            raise ConnectorError(f"UDF {udf.name} from {udf.distribution} cannot be registered: "
                                 f"{first_line(exc)}") from None

    def _catalog(self) -> Catalog:
        udfs = {name: udf.duckdb_name for name, udf in self.udfs.items()}
        return Catalog(udfs, self._function_sets)

    def _function_sets(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        rows = self.con.cursor().execute(
            "SELECT DISTINCT lower(function_name), function_type FROM duckdb_functions()").fetchall()
        kinds: dict[str, set[str]] = {"scalar": set(), "aggregate": set(), "window": set()}
        for name, kind in rows:
            if kind in ("scalar", "macro"):
                kinds["scalar"].add(name)
            elif kind in kinds:
                kinds[kind].add(name)
        return frozenset(kinds["scalar"]), frozenset(kinds["aggregate"]), frozenset(kinds["window"])


_shared: _Shared | None = None
_shared_lock = threading.Lock()


def _shared_database() -> _Shared:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = _Shared()
        return _shared


class Session:
    """One DuckDB connection (a cursor on the shared database) for one transform instance."""

    def __init__(self) -> None:
        shared = _shared_database()
        self._duckdb = shared.duckdb
        self.con = shared.con.cursor()
        self.con.execute("SET integer_division = true")
        self._catalog = shared.catalog
        self._prepared: dict[str, tuple[_Holder, Any]] = {}
        self.lock = threading.Lock()

    def catalog(self) -> Catalog:
        """The functions this session knows (DuckDB's, the helper macros, the UDFs)."""
        return self._catalog

    def register_input(self, data: pa.RecordBatch | pa.Table) -> None:
        """Make ``data`` the table the queries read."""
        self.con.register(INPUT, data)

    def type_of(self, sql: str, source: str) -> str:
        """DuckDB's type for the expression ``sql`` over ``source``."""
        rows = self.con.execute(f"DESCRIBE SELECT {sql} FROM {source}").fetchall()
        return str(rows[0][1]) if rows else "NULL"

    def evaluate(self, sql: str) -> object:
        """The value of a constant expression (raises DuckDB's error for a bad one)."""
        rows = self.con.execute(f"SELECT {sql}").fetchall()
        return rows[0][0] if rows else None

    def run(self, sql: str) -> pa.Table:
        """Run ``sql`` over the registered input and return the result as one Arrow table."""
        return self.con.sql(sql).to_arrow_table(ARROW_BATCH_ROWS)

    def run_over(self, sql: str, data: pa.RecordBatch) -> pa.Table:
        """Run ``sql`` over ``data``: the query is parsed and bound once, then re-run for every batch.

        Each query text gets its own view over a holder whose batch is swapped before each run
        (the same query always sees inputs of the same schema).
        """
        prepared = self._prepared.get(sql)
        if prepared is None:
            holder = _Holder(data)
            view = f"{INPUT}{len(self._prepared)}"
            self.con.register(view, holder)
            prepared = (holder, self.con.sql(sql.replace(INPUT, view)))
            self._prepared[sql] = prepared
        holder, relation = prepared
        holder.batch = data
        try:
            return relation.to_arrow_table(ARROW_BATCH_ROWS)
        finally:
            holder.batch = None

    @property
    def error(self) -> type[Exception]:
        """DuckDB's base exception class."""
        return self._duckdb.Error


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_COLUMN = re.compile(r'Referenced column "([^"]+)" not found')
_TABLE = re.compile(r'Referenced table "([^"]+)" not found')
_FUNCTION = re.compile(r"(?:Scalar )?Function with name (\S+) does not exist")


def explain(exc: BaseException, columns: list[str]) -> str:
    """A DuckDB error as one line in SeaTunnel's terms (unknown column, with a suggestion)."""
    text = str(exc)
    match = _COLUMN.search(text)
    if match:
        name = match.group(1)
        return f"unknown column {name!r}{suggest(name, columns)} (columns: {', '.join(columns[:20])})"
    match = _TABLE.search(text)
    if match:
        return f"unknown table or row column {match.group(1)!r}{suggest(match.group(1), columns)}"
    match = _FUNCTION.search(text)
    if match:
        return f"unknown function {match.group(1)!r}{suggest(match.group(1).upper(), list(FUNCTIONS))}"
    line = first_line(exc)
    return re.sub(r"^([A-Za-z]+ )*Error: ", "", line)
