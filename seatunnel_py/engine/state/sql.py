"""State in a SQL database through SQLAlchemy (SQLite, PostgreSQL, MySQL/MariaDB).

One row per job in ``seatunnel_py_state``, replaced in one transaction. The run lock is
held by a connection kept open for the run: a PostgreSQL advisory lock, MySQL's
``GET_LOCK``, or for SQLite an ``flock`` on a file beside the database. All three
vanish with the process, so a crashed run never blocks the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import time
from pathlib import Path
from typing import IO, Any

from ...api.errors import SeaTunnelError
from .model import FORMAT_VERSION, Checkpoint, StateError, StateLocked
from .store import StateStore, job_key, mask_url

TABLE = "seatunnel_py_state"


def _engine_url(url: str) -> str:
    scheme, rest = url.split(":", 1)
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg:" + rest  # psycopg 3, the driver our extra installs
    if scheme in ("mysql", "mariadb"):
        return "mysql+pymysql:" + rest
    return url


def _lock_key(job_name: str) -> int:
    digest = hashlib.sha256(b"seatunnel-py:" + job_name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class SqlStateStore(StateStore):
    """Checkpoints as rows of ``seatunnel_py_state(job_name, format_version, checkpoint_id, payload)``."""

    def __init__(self, url: str) -> None:
        try:
            import sqlalchemy as sa
        except ImportError:
            raise SeaTunnelError("a SQL state store needs SQLAlchemy and a driver: "
                                 "pip install 'seatunnel-py[state-sql]'") from None
        self.url = mask_url(url)
        self._sa = sa
        try:
            self._engine = sa.create_engine(_engine_url(url), pool_pre_ping=True)
        except Exception as exc:  # unknown dialect, missing driver
            raise SeaTunnelError(f"state store {self.url}: {type(exc).__name__}: "
                                 f"{mask_url(str(exc))}") from None
        self._table = sa.Table(
            TABLE, sa.MetaData(),
            sa.Column("job_name", sa.String(255), primary_key=True),
            sa.Column("format_version", sa.Integer, nullable=False),
            sa.Column("checkpoint_id", sa.BigInteger, nullable=False),
            sa.Column("payload", sa.Text, nullable=False),
            sa.Column("updated_at", sa.Float, nullable=False),
        )
        self._ready = False
        self._locks: dict[str, Any] = {}

    def _call(self, what: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except self._sa.exc.SQLAlchemyError as exc:
            message = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise SeaTunnelError(f"state store {self.url}: {what} failed: {mask_url(message)}") from None

    def _ensure_table(self) -> None:
        if not self._ready:
            self._call("creating table " + TABLE, self._table.metadata.create_all, self._engine)
            self._ready = True

    def load(self, job_name: str) -> Checkpoint | None:
        self._ensure_table()

        def read() -> Any:
            with self._engine.connect() as conn:
                query = self._sa.select(self._table.c.payload).where(self._table.c.job_name == job_name)
                return conn.execute(query).scalar_one_or_none()

        payload = self._call("reading state", read)
        if payload is None:
            return None
        return Checkpoint.from_json(str(payload).encode(), f"{self.url} ({TABLE}, job {job_name!r})")

    def save(self, checkpoint: Checkpoint) -> int:
        self._ensure_table()
        payload = checkpoint.to_json()
        values = {"format_version": FORMAT_VERSION, "checkpoint_id": checkpoint.checkpoint_id,
                  "payload": payload.decode(), "updated_at": time.time()}
        table = self._table

        def write() -> None:
            with self._engine.begin() as conn:
                done = conn.execute(table.update().where(table.c.job_name == checkpoint.job_name).values(**values))
                if done.rowcount == 0:
                    conn.execute(table.insert().values(job_name=checkpoint.job_name, **values))

        self._call("saving a checkpoint", write)
        return len(payload)

    def delete(self, job_name: str) -> bool:
        self._ensure_table()

        def remove() -> bool:
            with self._engine.begin() as conn:
                return bool(conn.execute(self._table.delete().where(self._table.c.job_name == job_name)).rowcount)

        return bool(self._call("deleting state", remove))

    def jobs(self) -> list[str]:
        self._ensure_table()

        def names() -> list[str]:
            with self._engine.connect() as conn:
                return [str(r[0]) for r in conn.execute(self._sa.select(self._table.c.job_name))]

        return sorted(self._call("listing jobs", names))

    def acquire(self, job_name: str) -> None:
        dialect = self._engine.dialect.name
        if dialect == "sqlite":
            self._locks[job_name] = self._flock_sqlite(job_name)
            return
        conn = self._call("connecting", self._engine.connect)
        if dialect == "postgresql":
            got = conn.execute(self._sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": _lock_key(job_name)}).scalar()
        elif dialect in ("mysql", "mariadb"):
            got = conn.execute(self._sa.text("SELECT GET_LOCK(:k, 0)"), {"k": f"seatunnel-py:{job_name}"[:64]}).scalar()
        else:
            conn.close()
            raise StateError(f"state store {self.url}: no run lock for the {dialect} dialect "
                             "(use SQLite, PostgreSQL or MySQL/MariaDB)")
        if not got:
            conn.close()
            raise StateLocked(f"job {job_name!r} is already running (another process holds its lock in "
                              f"{self.url}); two runs of one job at once would corrupt its state")
        conn.commit()
        self._locks[job_name] = conn

    def _flock_sqlite(self, job_name: str) -> IO[str]:
        database = self._engine.url.database
        if not database or database == ":memory:":
            raise StateError("an in-memory SQLite state store keeps nothing; give a file, e.g. sqlite:///state.db")
        path = Path(f"{database}.{job_key(job_name)}.lock")
        handle = open(path, "a+")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise StateLocked(f"job {job_name!r} is already running (another process holds {path}); "
                              "two runs of one job at once would corrupt its state") from None
        return handle

    def release(self, job_name: str) -> None:
        held = self._locks.pop(job_name, None)
        if held is None:
            return
        with contextlib.suppress(Exception):
            if hasattr(held, "fileno"):
                fcntl.flock(held.fileno(), fcntl.LOCK_UN)
                held.close()
                return
            if self._engine.dialect.name == "postgresql":
                held.execute(self._sa.text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_key(job_name)})
            else:
                held.execute(self._sa.text("SELECT RELEASE_LOCK(:k)"), {"k": f"seatunnel-py:{job_name}"[:64]})
            held.commit()
        with contextlib.suppress(Exception):
            held.invalidate()  # really close it (not back to the pool), so no lock can outlive the run

    def close(self) -> None:
        for job_name in list(self._locks):
            self.release(job_name)
        self._engine.dispose()
