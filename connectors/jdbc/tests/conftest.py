"""Fixtures of the Jdbc tests: the real PostgreSQL and MariaDB started by integration/services.sh.

The servers must be running (``bash integration/services.sh start``); a test that cannot
reach them fails with that hint rather than skipping.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from seatunnel_py import testing

if importlib.util.find_spec("seatunnel_py_jdbc") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # jdbc_helpers

ROOT = Path(__file__).resolve().parents[3]
PG_URL = "jdbc:postgresql://127.0.0.1:5432/seatunnel"
MY_URL = "jdbc:mariadb://127.0.0.1:3306/seatunnel"
HINT = "start the test services first: bash integration/services.sh start"


class Pg:
    """A direct ADBC connection to the test PostgreSQL, for setting up and checking tables."""

    url = PG_URL
    name = "postgresql"

    def __init__(self) -> None:
        import adbc_driver_postgresql.dbapi as pg_dbapi
        try:
            self.conn = pg_dbapi.connect("postgresql://seatunnel:seatunnel@127.0.0.1:5432/seatunnel", autocommit=True)
        except Exception as exc:
            pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is not reachable ({HINT}): {exc}")
        self.cur = self.conn.cursor()

    def exec(self, *sqls: str) -> None:
        for sql in sqls:
            self.cur.execute(sql)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        self.cur.execute(sql)
        return list(self.cur.fetchall())

    def close(self) -> None:
        self.cur.close()
        self.conn.close()


class My:
    """A direct PyMySQL connection to the test MariaDB."""

    url = MY_URL
    name = "mysql"

    def __init__(self) -> None:
        import pymysql
        try:
            self.conn = pymysql.connect(host="127.0.0.1", port=3306, user="seatunnel", password="seatunnel",
                                        database="seatunnel", autocommit=True, init_command="SET time_zone='+00:00'")
        except Exception as exc:
            pytest.fail(f"MariaDB on 127.0.0.1:3306 is not reachable ({HINT}): {exc}")

    def exec(self, *sqls: str) -> None:
        with self.conn.cursor() as cur:
            for sql in sqls:
                cur.execute(sql)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def pg() -> Iterator[Pg]:
    """PostgreSQL helper."""
    db = Pg()
    yield db
    db.close()


@pytest.fixture
def my() -> Iterator[My]:
    """MariaDB helper."""
    db = My()
    yield db
    db.close()


@pytest.fixture(params=["pg", "my"])
def db(request: pytest.FixtureRequest) -> Iterator[Pg | My]:
    """Each real server in turn."""
    helper: Pg | My = Pg() if request.param == "pg" else My()
    yield helper
    helper.close()


@pytest.fixture
def table() -> str:
    """A fresh table name."""
    return "t_" + uuid.uuid4().hex[:10]


@pytest.fixture
def job(write_job: Callable[..., Path]) -> Callable[..., Path]:
    """Write a job file (dedented) into the test's folder (``write_job`` of seatunnel_py.testing)."""
    return write_job


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """The real CLI in a subprocess."""
    return testing.run_cli


def _context(job_name: str = "jdbc_test", restored: int | None = None, parallelism: int = 1) -> Any:
    from seatunnel_py.api import PluginContext
    return PluginContext(job_name=job_name, job_key=job_name, restored_checkpoint_id=restored,
                         parallelism=parallelism)


@pytest.fixture
def read_source() -> Callable[..., Any]:
    """Read every split of a Jdbc source built from options; returns (table, source)."""
    import pyarrow as pa
    from seatunnel_py_jdbc.source import JdbcSource

    def read(**options: Any) -> pa.Table:
        source = JdbcSource(JdbcSource.options_model.model_validate(options), _context())
        schema = source.output_schema()
        batches = []
        for split in source.splits():
            reader = source.create_reader(split)
            batches.extend(b.replace_schema_metadata(None) for b in reader.read() if b is not None)
            reader.close()
        source.close()
        return pa.Table.from_batches(batches, schema=schema) if batches else schema.empty_table()

    return read


@pytest.fixture
def write_sink() -> Callable[..., Any]:
    """Write a table (or batches) through a Jdbc sink built from options, one writer, one checkpoint."""
    import pyarrow as pa
    from seatunnel_py_jdbc.sink import JdbcSink

    def write(data: pa.Table | list[pa.RecordBatch], **options: Any) -> None:
        batches = data.to_batches() if isinstance(data, pa.Table) else data
        schema = batches[0].schema
        sink = JdbcSink(JdbcSink.options_model.model_validate(options), _context())
        sink.check_input(schema)
        committer = sink.create_committer()
        sink.prepare(schema)
        writer = sink.create_writer(0, schema)
        for batch in batches:
            writer.write(batch)
        info = writer.prepare_commit(1)
        writer.close()
        if committer is not None and info:
            committer.commit([info])
        sink.finish(True)

    return write
