"""One connection to one database, behind the operations the source and sink need.

Each dialect (``pg.py``, ``mysql.py``, ``generic.py``) implements the fast path it has;
``open_database`` picks it from the URL. Driver modules are imported here lazily, inside
the functions that connect, never at plugin discovery.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from seatunnel_py.api import ConnectorError, TransientError

from .typemap import Convert, ddl_type
from .urls import Dialect, Target

Params = Sequence[Any]
"""Values bound to the placeholders of a statement (``Database.mark``)."""

XID = re.compile(r"st2?-[0-9a-f]{12}-[0-9]{1,9}-[0-9]{1,18}-[0-9a-f]{8}")
"""The transaction ids the sink generates (``st2-…``; ``st-…`` of the previous version):
``<prefix><task index>-<sequence number>-<run id>``. ``XA COMMIT`` and ``COMMIT PREPARED``
take no parameters, so an id is checked against this before it goes into a statement."""


def checked_xid(xid: str) -> str:
    """``xid`` when it has the strict format of the sink's transaction ids, else ``ConnectorError``."""
    if not isinstance(xid, str) or not XID.fullmatch(xid):
        raise ConnectorError(f"Jdbc: {str(xid)[:80]!r} is not a transaction id of the Jdbc sink "
                             "(st2-<hash>-<task>-<n>-<run>)")
    return xid


_FAILURES = [
    (re.compile(r"password authentication failed|access denied|authentication failed", re.I),
     "authentication failed (check username and password)"),
    (re.compile(r"connection refused|can't connect|could not connect|unable to connect", re.I),
     "connection refused"),
    (re.compile(r"timeout expired|timed out", re.I), "connection timed out"),
    (re.compile(r"could not translate host name|name or service not known|unknown mysql server host", re.I),
     "unknown host"),
    (re.compile(r'database "?[^"]*"? does not exist|unknown database', re.I), "database does not exist"),
]


def connect_failure(target: Target, exc: BaseException) -> ConnectorError:
    """One clear line for a failed connection (never the password, never the URL)."""
    text = str(exc)
    for pattern, reason in _FAILURES:
        if pattern.search(text):
            # an unreachable server may be back later (exit 75); a wrong password or database will not
            kind = TransientError if reason in ("connection refused", "connection timed out") else ConnectorError
            return kind(f"Jdbc: cannot connect to {target.display()} as {target.user or 'default user'}: {reason}")
    return ConnectorError(f"Jdbc: cannot connect to {target.display()}: {scrub(target, text)}")


def scrub(target: Target, text: str) -> str:
    """First line of a driver message, with the password and URIs removed."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "error")
    if target.password:
        line = line.replace(target.password, "***")
    line = re.sub(r"\w+(\+\w+)?://\S+", "<url>", line)
    return line[:300]


def missing_driver(package: str, dialect: str) -> ConnectorError:
    """The error for a driver that is not installed."""
    return ConnectorError(f"Jdbc: the {dialect} driver is not installed (pip install {package})")


class Database(ABC):
    """A connection with the operations of the Jdbc connectors, for one dialect."""

    dialect: str = "generic"
    quote_char: str = '"'

    def __init__(self, target: Target) -> None:
        self.target = target

    # --- names -------------------------------------------------------------------
    def quote(self, name: str) -> str:
        """A quoted identifier."""
        q = self.quote_char
        return q + name.replace(q, q + q) + q

    def table_ref(self, path: str) -> str:
        """A quoted (possibly qualified) table name from ``schema.table`` style text."""
        return ".".join(self.quote(p) for p in split_path(path))

    def mark(self, n: int) -> str:
        """The placeholder of the ``n``-th (from 1) bound value of a statement."""
        return "?"

    # --- statements --------------------------------------------------------------
    @abstractmethod
    def execute(self, sql: str, params: Params | None = None) -> None:
        """Run one statement (autocommit unless a transaction was begun), ``params`` bound to its marks."""

    @abstractmethod
    def fetch(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """Run a query and return all its rows (small results only)."""

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        """The first value of the first row (``None`` when no row)."""
        rows = self.fetch(sql, params)
        return rows[0][0] if rows else None

    # --- reading -----------------------------------------------------------------
    @abstractmethod
    def query_schema(self, query: str, where: str) -> tuple[pa.Schema, list[Convert | None]]:
        """The Arrow schema of ``query`` and per-column conversions (raises UnsupportedType)."""

    @abstractmethod
    def read(self, query: str, schema: pa.Schema, converts: Sequence[Convert | None],
             batch_rows: int, order_by: Sequence[str] = ()) -> Iterator[pa.RecordBatch]:
        """Stream the rows of ``query`` as batches of ``schema``, sorted on the columns ``order_by``.

        The order is applied by the outermost statement the dialect runs: a database may
        ignore an ORDER BY inside a derived table (MariaDB does), and a reader resumes by it.
        """

    def order_clause(self, order_by: Sequence[str], alias: str = "") -> str:
        """`` ORDER BY a, b`` (NULLs first, as the readers expect), or nothing."""
        if not order_by:
            return ""
        prefix = f"{alias}." if alias else ""
        nulls = " NULLS FIRST" if self.dialect == "postgresql" else ""  # MySQL and SQLite sort NULLs first
        return " ORDER BY " + ", ".join(f"{prefix}{self.quote(c)}{nulls}" for c in order_by)

    # --- tables ------------------------------------------------------------------
    @abstractmethod
    def table_exists(self, path: str) -> bool:
        """True when the table exists."""

    def primary_key(self, path: str) -> list[str]:
        """The table's primary key columns (empty when unknown)."""
        return []

    def create_table(self, path: str, schema: pa.Schema, keys: Sequence[str]) -> None:
        """CREATE TABLE from an Arrow schema, with the primary key."""
        columns = []
        for f in schema:
            key = f.name in keys
            null = " NOT NULL" if key else ""
            columns.append(f"{self.quote(f.name)} {ddl_type(f.type, self.dialect, key)}{null}")
        if keys:
            columns.append(f"PRIMARY KEY ({', '.join(self.quote(k) for k in keys)})")
        self.execute(f"CREATE TABLE {self.table_ref(path)} ({', '.join(columns)})")

    def create_database(self, path: str) -> None:
        """Create the database/schema part of ``path`` when it has one and it is missing."""

    def drop_table(self, path: str) -> None:
        """DROP TABLE IF EXISTS."""
        self.execute(f"DROP TABLE IF EXISTS {self.table_ref(path)}")

    def truncate(self, path: str) -> None:
        """Remove every row."""
        self.execute(f"TRUNCATE TABLE {self.table_ref(path)}")

    def has_rows(self, path: str) -> bool:
        """True when the table holds at least one row."""
        return bool(self.fetch(f"SELECT 1 FROM {self.table_ref(path)} LIMIT 1"))

    # --- writing -----------------------------------------------------------------
    @abstractmethod
    def append(self, path: str, batch: pa.RecordBatch) -> None:
        """Insert every row of ``batch`` (columns by name)."""

    @abstractmethod
    def upsert(self, path: str, batch: pa.RecordBatch, keys: Sequence[str]) -> None:
        """Insert or update by ``keys``."""

    @abstractmethod
    def delete(self, path: str, keys_batch: pa.RecordBatch) -> None:
        """Delete the rows whose keys are in ``keys_batch``."""

    @abstractmethod
    def run_insert(self, query: str, batch: pa.RecordBatch) -> None:
        """Run a user ``INSERT … VALUES (?, ?)`` statement for every row."""

    # --- transactions ------------------------------------------------------------
    def begin(self) -> None:
        """Start a transaction."""
        self.execute("BEGIN")

    def commit(self) -> None:
        """Commit the open transaction."""
        self.execute("COMMIT")

    def rollback(self) -> None:
        """Roll back the open transaction."""
        self.execute("ROLLBACK")

    def begin_xa(self, xid: str) -> None:
        """Start a transaction that will be prepared under ``xid``."""
        self.begin()

    def prepare_xa(self, xid: str) -> None:
        """Two-phase commit, phase one: make the open transaction durable but invisible."""
        raise ConnectorError(f"Jdbc: two-phase commit is not available for {self.dialect}")

    def commit_xa(self, xid: str) -> bool:
        """Phase two; False when no prepared transaction ``xid`` exists."""
        raise ConnectorError(f"Jdbc: two-phase commit is not available for {self.dialect}")

    def rollback_xa(self, xid: str) -> None:
        """Discard a prepared transaction."""

    def prepared_xids(self, prefix: str) -> list[str]:
        """Ids of the prepared transactions starting with ``prefix``."""
        return []

    def close(self) -> None:
        """Close the connection."""


def split_path(path: str) -> list[str]:
    """The names in ``a.b.c`` style text, split on dots outside quotes and unquoted.

    A part that *starts* with ``"`` or a backtick is quoted up to the same character (doubled
    inside it stands for itself): ```a.b`.c`` is ``["a.b", "c"]``, ```we``ird``` is
    ``["we`ird"]``. A quote character elsewhere is part of the name: ``we`ird`` is
    ``["we`ird"]``. Blanks around a part are dropped.
    """
    parts: list[str] = []
    i, n = 0, len(path)
    while i <= n:
        while i < n and path[i] == " ":
            i += 1
        name = ""
        if i < n and path[i] in "\"`":
            quote, i = path[i], i + 1
            while i < n:
                if path[i] == quote:
                    if i + 1 < n and path[i + 1] == quote:
                        name, i = name + quote, i + 2
                        continue
                    i += 1
                    break
                name, i = name + path[i], i + 1
            end = path.find(".", i)
            end = n if end < 0 else end
            name += path[i:end].strip()  # text after the closing quote, if any, belongs to the name
        else:
            end = path.find(".", i)
            end = n if end < 0 else end
            name = path[i:end].strip()
        if name:
            parts.append(name)
        i = end + 1
    return parts


def open_database(target: Target, writing: bool = False) -> Database:
    """Connect to ``target`` with the fastest path its dialect has.

    ``writing``: a session of the sink, which must refuse values that do not fit their
    column (MySQL/MariaDB: strict ``sql_mode`` whatever the user set, see ``mysql_session``).
    """
    if target.dialect == Dialect.POSTGRES:
        from .pg import PostgresDatabase
        return PostgresDatabase(target)
    if target.dialect == Dialect.MYSQL:
        from .mysql import MysqlDatabase
        return MysqlDatabase(target, writing=writing)
    from .generic import SqlAlchemyDatabase
    return SqlAlchemyDatabase(target)
