"""The MySQL/MariaDB sink's session: strict whatever sql_mode the user set, properties merged, odd table names.

A session in a non-strict ``sql_mode`` (``properties = { sql_mode = "" }``, or an
``init_command`` that sets one) turns a value that does not fit into something else with a
mere warning: 300 into a TINYINT is stored as 127, text is cut to the column's length,
NULL in a NOT NULL column becomes ''. The sink forces strict mode on its own sessions so
such a value fails the run instead, naming the table and the column.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from seatunnel_py.api import DataError

CONN = {"user": "seatunnel", "password": "seatunnel"}

BAD_VALUES = {  # column → (a value that does not fit it, the server's words for it)
    "small": (pa.array([300], pa.int64()), "Out of range value"),
    "code": (pa.array(["abcdef"]), "Data too long"),
    "label": (pa.array([None], pa.string()), "cannot be null"),
}
NON_STRICT = {  # two ways a user makes the session non-strict
    "sql_mode": {"sql_mode": ""},
    "init_command": {"init_command": "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'"},
}


def _rows(column: str) -> pa.RecordBatch:
    """A good row, then one whose ``column`` does not fit (one statement of two rows: a single-row
    INSERT of a NULL fails even in a non-strict session, a multi-row one stores '')."""
    good: dict[str, pa.Array] = {"id": pa.array([1, 2], pa.int64()), "small": pa.array([1, 2], pa.int64()),
                                 "code": pa.array(["abc", "def"]), "label": pa.array(["x", "y"])}
    good[column] = pa.concat_arrays([good[column].slice(0, 1), BAD_VALUES[column][0].cast(good[column].type)])
    return pa.record_batch(good)


@pytest.mark.parametrize("how", list(NON_STRICT))
@pytest.mark.parametrize("column", list(BAD_VALUES))
def test_a_value_that_does_not_fit_fails_even_in_a_non_strict_session(my: Any, table: str, write_sink: Any,
                                                                      column: str, how: str) -> None:
    my.exec(f"CREATE TABLE {table} (id BIGINT PRIMARY KEY, small TINYINT, code VARCHAR(3), "
            "label VARCHAR(10) NOT NULL)")
    try:
        with pytest.raises(DataError) as failure:
            write_sink([_rows(column)], url=my.url, **CONN, properties=NON_STRICT[how], generate_sink_sql=True,
                       table=table, schema_save_mode="IGNORE")
        message = str(failure.value)
        assert table in message and f"'{column}'" in message and BAD_VALUES[column][1] in message
        assert "\n" not in message
        assert my.rows(f"SELECT count(*) FROM {table}")[0][0] == 0
    finally:
        my.exec(f"DROP TABLE IF EXISTS {table}")


@pytest.mark.slow
def test_the_cli_exits_1_naming_table_and_column_and_commits_nothing(my: Any, table: str, job: Any,
                                                                     run_cli: Any) -> None:
    my.exec(f"CREATE TABLE {table} (id BIGINT PRIMARY KEY, small TINYINT)")
    path = job(f"""
        env {{ job.mode = BATCH }}
        source {{
          FakeSource {{
            schema = {{ fields {{ id = bigint, small = int }} }}
            rows = [ {{ kind = INSERT, fields = [1, 5] }}, {{ kind = INSERT, fields = [2, 300] }} ]
          }}
        }}
        sink {{
          Jdbc {{ url = "{my.url}", user = seatunnel, password = seatunnel, properties = {{ sql_mode = "" }},
                  generate_sink_sql = true, table = "{table}", is_exactly_once = true }}
        }}
        """)
    try:
        result = run_cli("run", path)
        assert result.returncode == 1, result.stderr
        lines = [ln for ln in result.stderr.splitlines() if "Out of range value" in ln]
        assert len(lines) == 1 and table in lines[0] and "'small'" in lines[0], result.stderr
        assert "Traceback" not in result.stderr
        assert my.rows(f"SELECT count(*) FROM {table}")[0][0] == 0
    finally:
        my.exec(f"DROP TABLE IF EXISTS {table}")


def test_init_command_and_driver_keywords_merge_with_the_connectors(my: Any, table: str, write_sink: Any) -> None:
    my.exec(f"CREATE TABLE {table} (id BIGINT, probe VARCHAR(20), tz VARCHAR(20), mode VARCHAR(500))")
    properties = {"init_command": "SET @seatunnel_probe = 'from init', time_zone = '+05:00'",
                  "charset": "utf8mb4", "autocommit": "true", "local_infile": "false"}
    try:
        write_sink([pa.record_batch({"id": pa.array([1], pa.int64())})], url=my.url, **CONN, properties=properties,
                   query=f"INSERT INTO {table} (id, probe, tz, mode) "
                         "VALUES (?, @seatunnel_probe, @@session.time_zone, @@session.sql_mode)")
        [(probe, tz, mode)] = my.rows(f"SELECT probe, tz, mode FROM {table}")
        assert probe == "from init"  # the user's init_command ran on the writer's session
        assert tz == "+00:00"  # then the connector's settings: timestamps are written in UTC
        assert "STRICT_ALL_TABLES" in mode.split(",")
    finally:
        my.exec(f"DROP TABLE IF EXISTS {table}")


def test_connect_arguments_keep_the_connectors_settings_and_type_the_properties() -> None:
    import inspect

    import pymysql
    from seatunnel_py_jdbc.mysql_session import connect_arguments
    from seatunnel_py_jdbc.urls import parse_url

    accepted = inspect.signature(pymysql.connections.Connection.__init__).parameters
    target = parse_url("jdbc:mysql://db.example:3307/shop").with_credentials(
        "me", "pw", {"user": "other", "db": "other", "charset": "latin1", "read_timeout": "30", "useSSL": "false",
                     "init_command": "SET @a = 1"})
    arguments = connect_arguments(target, accepted)
    assert (arguments["host"], arguments["port"], arguments["user"], arguments["database"]) == \
        ("db.example", 3307, "me", "shop")  # the url and options win
    assert arguments["charset"] == "utf8mb4" and arguments["autocommit"] is True
    assert arguments["read_timeout"] == 30 and arguments["init_command"] == "SET @a = 1"
    assert "useSSL" not in arguments
    assert arguments["local_infile"] is False  # the connector loads no files: a server may not ask for one


def test_no_backslash_escapes_cannot_turn_data_into_sql(my: Any, table: str, write_sink: Any) -> None:
    # with NO_BACKSLASH_ESCAPES a backslash no longer escapes a quote: the sink's own literals must still hold
    my.exec(f"CREATE TABLE {table} (id BIGINT, name VARCHAR(100))")
    names = ["back\\slash", "x'), (666, 0x696e6a) -- "]
    try:
        write_sink([pa.record_batch({"id": pa.array([1, 2], pa.int64()), "name": names})], url=my.url, **CONN,
                   properties={"sql_mode": "NO_BACKSLASH_ESCAPES"}, generate_sink_sql=True, table=table,
                   schema_save_mode="IGNORE")
        assert [tuple(r) for r in my.rows(f"SELECT id, name FROM {table} ORDER BY id")] == \
            [(1, names[0]), (2, names[1])]  # not (666, 'inj')
    finally:
        my.exec(f"DROP TABLE IF EXISTS {table}")


# failed on MariaDB with a backtick ("already exists" on the second run); the other cases guard
@pytest.mark.parametrize("quote", ["`", '"'])
def test_a_table_name_with_a_quote_character_is_found_again(db: Any, table: str, write_sink: Any,
                                                            quote: str) -> None:
    name = f"{table}{quote}odd"
    ref = f"`{name.replace('`', '``')}`" if db.name == "mysql" else f'"{name.replace(chr(34), chr(34) * 2)}"'
    batch = pa.record_batch({"id": pa.array([1], pa.int64())})
    try:
        for _ in range(2):  # the second run must find the table the first one created
            write_sink([batch], url=db.url, **CONN, generate_sink_sql=True, table=name)
        assert [r[0] for r in db.rows(f"SELECT id FROM {ref}")] == [1, 1]
    finally:
        db.exec(f"DROP TABLE IF EXISTS {ref}")
