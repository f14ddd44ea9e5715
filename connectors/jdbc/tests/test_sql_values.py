"""Values that reach SQL never become SQL: the job name in the checkpoint row, cursor values of the source.

The job name (``run -n``) went into the checkpoint table's INSERT with its quotes doubled
and nothing else: MySQL/MariaDB read ``\\'`` as an escaped quote, so a crafted name ended
the string and ran a subquery of its own (PostgreSQL does the same when
``standard_conforming_strings`` is off). Values are now bound parameters where the
statement allows one, and literals quoted for the dialect where it does not.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from seatunnel_py_jdbc.commit import CHECKPOINT_TABLE
from seatunnel_py_jdbc.source import JdbcSource

from seatunnel_py.api import PluginContext
from seatunnel_py.jobs import run_job

CONN = {"user": "seatunnel", "password": "seatunnel"}
# PostgreSQL reads backslash escapes in plain literals only with standard_conforming_strings off
BACKSLASH_ESCAPES = {"postgresql": {"options": "-c standard_conforming_strings=off"}, "mysql": {}}
SUBQUERY = {"postgresql": "(select string_agg(usename, chr(44)) from pg_user)",
            "mysql": "(select group_concat(user) from mysql.user)"}


def _properties(db: Any) -> str:
    props = BACKSLASH_ESCAPES[db.name]
    return "{ " + ", ".join(f'{k} = "{v}"' for k, v in props.items()) + " }"


def test_a_crafted_job_name_is_stored_literally(db: Any, table: str, job: Any) -> None:
    name = f"z{table}\\', 7, 9, {SUBQUERY[db.name]}) -- "
    path = job(f"""
        env {{ job.mode = BATCH }}
        source {{ FakeSource {{ row.num = 3, auto.increment.enabled = true, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Jdbc {{ url = "{db.url}", user = seatunnel, password = seatunnel, properties = {_properties(db)},
                        generate_sink_sql = true, table = "{table}", is_exactly_once = true }} }}
        """)
    try:
        run_job(path, job_name=name)  # as `seatunnel-py run -n NAME`
        rows = [tuple(r) for r in db.rows(f"SELECT job_name, task_index, checkpoint_id, xid FROM {CHECKPOINT_TABLE} "
                                          f"WHERE job_name LIKE 'z{table}%'")]
        assert [r[0] for r in rows] == [name + "/sink.Jdbc"]  # the name as given, nothing else
        assert rows[0][1] == 0 and rows[0][3].startswith("st2-")
        assert [r[0] for r in db.rows(f"SELECT id FROM {table} ORDER BY id")] == [1, 2, 3]
    finally:
        db.exec(f"DROP TABLE IF EXISTS {table}", f"DELETE FROM {CHECKPOINT_TABLE} WHERE job_name LIKE 'z{table}%'")


# the first two failed on both servers; "x'y" (a plain quote, doubled as before) guards
@pytest.mark.parametrize("start", ["x\\' OR 1=1 -- ", "x\\", "x'y"])
def test_a_cursor_value_is_a_literal_whatever_it_holds(db: Any, table: str, start: str) -> None:
    db.exec(f"CREATE TABLE {table} (id INT PRIMARY KEY, code VARCHAR(20))")
    db.exec(f"INSERT INTO {table} VALUES (1, 'a'), (2, 'b'), (3, 'y'), (4, 'z')")
    try:
        options = JdbcSource.options_model.model_validate(
            {"url": db.url, **CONN, "properties": BACKSLASH_ESCAPES[db.name], "table_path": table,
             "incremental_column": "code", "incremental_start": start})
        source = JdbcSource(options, PluginContext(job_name="cursor", job_key="cursor"))
        [split] = source.splits()
        reader = source.create_reader(split, None)
        batches = [b for b in reader.read() if b is not None]
        reader.close()
        source.close()
        codes = pa.Table.from_batches(batches).column("code").to_pylist() if batches else []
        assert codes == ["y", "z"]  # only the values greater than the start, as text
    finally:
        db.exec(f"DROP TABLE IF EXISTS {table}")
