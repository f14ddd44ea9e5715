"""Type round trips on each real database: read every mapped type, write it back, read it again."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from seatunnel_py.api import ConnectorError

PG_URL = "jdbc:postgresql://127.0.0.1:5432/seatunnel"
MY_URL = "jdbc:mariadb://127.0.0.1:3306/seatunnel"
CONN = {"user": "seatunnel", "password": "seatunnel"}
UID = uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")

PG_COLUMNS = {
    "c_int2": ("int2", "-7", pa.int16(), -7),
    "c_int4": ("int4", "2147483647", pa.int32(), 2147483647),
    "c_int8": ("int8", "-9223372036854775808", pa.int64(), -9223372036854775808),
    "c_num": ("numeric(12, 3)", "123456789.125", pa.decimal128(12, 3), Decimal("123456789.125")),
    "c_num_free": ("numeric", "3.14159", pa.decimal128(38, 18), Decimal("3.141590000000000000")),
    "c_num_wide": ("numeric(50, 2)", "1234567890123456789012345678901234567890.25", pa.decimal256(50, 2),
                   Decimal("1234567890123456789012345678901234567890.25")),
    "c_float4": ("float4", "1.5", pa.float32(), 1.5),
    "c_float8": ("float8", "-2.25e100", pa.float64(), -2.25e100),
    "c_bool": ("bool", "true", pa.bool_(), True),
    "c_text": ("text", "'héllo, \"wörld\"\\'", pa.string(), 'héllo, "wörld"\\'),
    "c_varchar": ("varchar(20)", "'abc'", pa.string(), "abc"),
    "c_char": ("char(3)", "'xy'", pa.string(), "xy "),
    "c_bytea": ("bytea", "'\\x00ff10'", pa.binary(), b"\x00\xff\x10"),
    "c_date": ("date", "'2024-02-29'", pa.date32(), dt.date(2024, 2, 29)),
    "c_time": ("time", "'23:59:58.123456'", pa.time64("us"), dt.time(23, 59, 58, 123456)),
    "c_ts": ("timestamp", "'2024-01-02 03:04:05.678901'", pa.timestamp("us"), dt.datetime(2024, 1, 2, 3, 4, 5, 678901)),
    "c_tstz": ("timestamptz", "'2024-01-02 03:04:05+02'", pa.timestamp("us", tz="UTC"),
               dt.datetime(2024, 1, 2, 1, 4, 5, tzinfo=dt.timezone.utc)),
    "c_json": ("json", "'{\"a\": [1, 2]}'", pa.string(), '{"a": [1, 2]}'),
    "c_jsonb": ("jsonb", "'{\"b\": 2}'", pa.string(), '{"b": 2}'),
    "c_uuid": ("uuid", f"'{UID}'", pa.string(), str(UID)),
    "c_int_arr": ("int4[]", "'{1,NULL,3}'", pa.list_(pa.int32()), [1, None, 3]),
    "c_text_arr": ("text[]", "'{a,\"b c\"}'", pa.list_(pa.string()), ["a", "b c"]),
}

MY_COLUMNS = {
    "c_tiny": ("TINYINT", "-7", pa.int16(), -7),
    "c_bool": ("BOOLEAN", "TRUE", pa.bool_(), True),
    "c_small": ("SMALLINT", "-300", pa.int16(), -300),
    "c_int": ("INT", "2147483647", pa.int32(), 2147483647),
    "c_big": ("BIGINT", "-9223372036854775808", pa.int64(), -9223372036854775808),
    "c_ubig": ("BIGINT UNSIGNED", "18446744073709551615", pa.decimal128(20, 0), Decimal("18446744073709551615")),
    "c_dec": ("DECIMAL(12, 3)", "123456789.125", pa.decimal128(12, 3), Decimal("123456789.125")),
    "c_float": ("FLOAT", "1.5", pa.float32(), 1.5),
    "c_double": ("DOUBLE", "-2.25e100", pa.float64(), -2.25e100),
    "c_varchar": ("VARCHAR(40)", "'héllo, \\'q\\' \\\\'", pa.string(), "héllo, 'q' \\"),
    "c_text": ("TEXT", "'long text'", pa.string(), "long text"),
    "c_blob": ("BLOB", "X'00FF10'", pa.binary(), b"\x00\xff\x10"),
    "c_date": ("DATE", "'2024-02-29'", pa.date32(), dt.date(2024, 2, 29)),
    "c_time": ("TIME(6)", "'23:59:58.123456'", pa.time64("us"), dt.time(23, 59, 58, 123456)),
    "c_dt": ("DATETIME(6)", "'2024-01-02 03:04:05.678901'", pa.timestamp("us"), dt.datetime(2024, 1, 2, 3, 4, 5, 678901)),
    "c_ts": ("TIMESTAMP(6) NULL", "'2024-01-02 03:04:05.5'", pa.timestamp("us"), dt.datetime(2024, 1, 2, 3, 4, 5, 500000)),
    "c_json": ("JSON", "'{\"a\": 1}'", pa.string(), '{"a": 1}'),
    "c_uuid": ("UUID", f"'{UID}'", pa.string(), str(UID)),
}


def _create(db: Any, table: str, columns: dict[str, tuple[str, str, pa.DataType, Any]]) -> None:
    ddl = ", ".join(f"{name} {spec[0]}" for name, spec in columns.items())
    db.exec(f"CREATE TABLE {table} (id INT PRIMARY KEY, {ddl})",
            f"INSERT INTO {table} VALUES (1, {', '.join(spec[1] for spec in columns.values())})",
            f"INSERT INTO {table} (id) VALUES (2)")


def _check(got: pa.Table, columns: dict[str, tuple[str, str, pa.DataType, Any]]) -> None:
    got = got.sort_by("id")
    for name, (_, _, arrow_type, value) in columns.items():
        assert got.schema.field(name).type == arrow_type, name
        assert got.column(name).to_pylist() == [value, None], name


@pytest.mark.parametrize("url,columns,helper", [(PG_URL, PG_COLUMNS, "pg"), (MY_URL, MY_COLUMNS, "my")])
def test_every_mapped_type_reads_then_round_trips(url: str, columns: dict[str, Any], helper: str,
                                                  request: pytest.FixtureRequest, table: str,
                                                  read_source: Any, write_sink: Any) -> None:
    db = request.getfixturevalue(helper)
    _create(db, table, columns)
    try:
        first = read_source(url=url, table_path=table, **CONN)
        _check(first, columns)
        # write into a table created from the Arrow schema, read it again
        write_sink(first, url=url, table=f"{table}_copy", generate_sink_sql=True, schema_save_mode="RECREATE_SCHEMA",
                   primary_keys=["id"], **CONN)
        again = read_source(url=url, table_path=f"{table}_copy", **CONN)
        assert again.sort_by("id").equals(first.sort_by("id"))
        # write into an empty table with the original column types (json, uuid, char … take a cast)
        db.exec(f"DELETE FROM {table}")
        write_sink(first, url=url, table=table, generate_sink_sql=True, **CONN)
        _check(read_source(url=url, table_path=table, **CONN), columns)
    finally:
        db.exec(f"DROP TABLE IF EXISTS {table}", f"DROP TABLE IF EXISTS {table}_copy")


def test_sqlite_round_trip(tmp_path: Any, read_source: Any, write_sink: Any) -> None:
    url = f"jdbc:sqlite:{tmp_path / 'db.sqlite'}"
    data = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": ["a", None, "c'q"],
                     "score": [1.5, None, -2.0], "raw": pa.array([b"\x00\x01", None, b"x"], pa.binary())})
    write_sink(data, url=url, table="t", generate_sink_sql=True, primary_keys=["id"])
    assert read_source(url=url, table_path="t").sort_by("id").equals(data)


def test_unsupported_type_is_named(pg: Any, table: str, read_source: Any) -> None:
    pg.exec(f"CREATE TABLE {table} (id int, span interval)")
    try:
        with pytest.raises(ConnectorError, match=r"column 'span' has PostgreSQL type interval.*cast it"):
            read_source(url=PG_URL, table_path=table, **CONN)
    finally:
        pg.exec(f"DROP TABLE {table}")
