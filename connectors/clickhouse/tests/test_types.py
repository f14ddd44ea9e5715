"""Every mapped Arrow type: the DDL the sink creates and the values read back by the source."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

import pyarrow as pa
import pytest
from ch_helpers import make_source, read_all, write_batches
from seatunnel_py_clickhouse.typemap import checked_target, fit_to_columns

from seatunnel_py.api import DataError

UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")
TS = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.timezone.utc)


def typed_batch() -> pa.RecordBatch:
    """One row of values and one of nulls (where a type can be null)."""
    return pa.RecordBatch.from_pydict({
        "id": pa.array([1, 2], pa.int64(), mask=None),
        "b": pa.array([True, None], pa.bool_()),
        "i8": pa.array([-8, None], pa.int8()), "i16": pa.array([-16, None], pa.int16()),
        "i32": pa.array([-32, None], pa.int32()),
        "u8": pa.array([8, None], pa.uint8()), "u16": pa.array([16, None], pa.uint16()),
        "u32": pa.array([32, None], pa.uint32()), "u64": pa.array([2**63 + 1, None], pa.uint64()),
        "f32": pa.array([1.5, None], pa.float32()), "f64": pa.array([-2.25, None], pa.float64()),
        "dec": pa.array([Decimal("12345678.90"), None], pa.decimal128(10, 2)),
        "dec38": pa.array([Decimal("1234567890123456789012345678.1234567890"), None], pa.decimal128(38, 10)),
        "s": pa.array(["héllo", None], pa.string()),
        "bin": pa.array([b"\x00ab", None], pa.binary()),
        "lc": pa.array(["x", None], pa.string()).dictionary_encode(),
        "fs": pa.array([b"abcd", None], pa.binary(4)),
        "u": pa.ExtensionArray.from_storage(pa.uuid(), pa.array([UUID.bytes, None], pa.binary(16))),
        "d": pa.array([dt.date(1900, 1, 2), None], pa.date32()),
        "ts": pa.array([TS, None], pa.timestamp("us", tz="UTC")),
        "ts_ms_paris": pa.array([TS, None], pa.timestamp("ms", tz="Europe/Paris")),
        "ts_ns": pa.array([TS, None], pa.timestamp("ns", tz="UTC")),
        "t": pa.array([dt.time(1, 2, 3, 4), None], pa.time64("us")),
        "arr": pa.array([[1, 2, 3], []], pa.list_(pa.int32())),
        "arr_null": pa.array([["a", None], None], pa.list_(pa.string())),
        "m": pa.array([[("k", 1)], []], pa.map_(pa.string(), pa.int64())),
        "tup": pa.array([{"a": 1, "b": "x"}, None], pa.struct([("a", pa.int32()), ("b", pa.string())])),
    })


EXPECTED_DDL = {
    "id": "Int64", "b": "Nullable(Bool)", "i8": "Nullable(Int8)", "i16": "Nullable(Int16)",
    "i32": "Nullable(Int32)", "u8": "Nullable(UInt8)", "u16": "Nullable(UInt16)", "u32": "Nullable(UInt32)",
    "u64": "Nullable(UInt64)", "f32": "Nullable(Float32)", "f64": "Nullable(Float64)",
    "dec": "Nullable(Decimal(10, 2))", "dec38": "Nullable(Decimal(38, 10))", "s": "Nullable(String)",
    "bin": "Nullable(String)", "lc": "LowCardinality(Nullable(String))", "fs": "Nullable(FixedString(4))",
    "u": "Nullable(UUID)", "d": "Nullable(Date32)", "ts": "Nullable(DateTime64(6, 'UTC'))",
    "ts_ms_paris": "Nullable(DateTime64(3, 'Europe/Paris'))", "ts_ns": "Nullable(DateTime64(9, 'UTC'))",
    "t": "Nullable(Int64)", "arr": "Array(Nullable(Int32))", "arr_null": "Array(Nullable(String))",
    "m": "Map(String, Nullable(Int64))", "tup": "Tuple(a Nullable(Int32), b Nullable(String))",
}


@pytest.fixture
def typed_table(clickhouse, database):
    batch = typed_batch()
    schema = batch.schema.set(0, pa.field("id", pa.int64(), nullable=False))
    batch = pa.RecordBatch.from_arrays(batch.columns, schema=schema)
    write_batches(clickhouse.options(database=database, table="typed", primary_key="id"), [batch])
    return database


def test_created_column_types(clickhouse, typed_table):
    rows = clickhouse.client().query(
        f"SELECT name, type FROM system.columns WHERE database = '{typed_table}' AND table = 'typed' "
        "ORDER BY position").result_rows
    assert dict(rows) == EXPECTED_DDL


def test_values_round_trip(clickhouse, typed_table):
    table = read_all(make_source(clickhouse.options(table_path=f"{typed_table}.typed"))).sort_by("id")
    got = table.to_pylist()
    first, second = got
    assert first["id"] == 1 and first["b"] is True
    assert (first["i8"], first["i16"], first["i32"]) == (-8, -16, -32)
    assert (first["u8"], first["u16"], first["u32"], first["u64"]) == (8, 16, 32, 2**63 + 1)
    assert (first["f32"], first["f64"]) == (1.5, -2.25)
    assert first["dec"] == Decimal("12345678.90")
    assert first["dec38"] == Decimal("1234567890123456789012345678.1234567890")
    assert first["s"] == "héllo"
    assert first["bin"] == "\x00ab"  # String is read back as Arrow string
    assert first["lc"] == "x"
    assert first["fs"] == b"abcd"
    assert first["u"] in (UUID, UUID.bytes, str(UUID))
    assert first["d"] == dt.date(1900, 1, 2)
    assert first["ts"] == TS
    assert first["ts_ms_paris"] == TS.replace(microsecond=123000)
    assert first["ts_ns"] == TS
    assert first["t"] == 3723000004
    assert first["arr"] == [1, 2, 3] and first["arr_null"] == ["a", None]
    assert first["m"] == [("k", 1)]
    assert first["tup"] == {"a": 1, "b": "x"}
    assert second["arr"] == [] and second["arr_null"] == [] and second["m"] == []
    nullable = [k for k, v in EXPECTED_DDL.items() if v.startswith(("Nullable", "LowCardinality(Nullable"))]
    assert {k: second[k] for k in nullable} == dict.fromkeys(nullable)
    assert table.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("ts_ms_paris").type == pa.timestamp("ms", tz="Europe/Paris")
    assert table.schema.field("dec").type == pa.decimal128(10, 2)


@pytest.mark.parametrize(("ch_type", "value", "source_type", "message"), [
    ("UInt8", -5, pa.int32(), "-5 not in range: 0 to 255"),
    ("Nullable(Int16)", 70_000, pa.int64(), "70000 not in range"),
    ("Decimal(6, 2)", Decimal("12345.678"), pa.decimal128(10, 3), "column 'c'"),
    ("LowCardinality(Nullable(UInt32))", -1, pa.int64(), "not in range: 0 to 4294967295"),
])
def test_values_are_range_checked_against_the_table_columns(ch_type: str, value: object,
                                                             source_type: pa.DataType, message: str) -> None:
    target = checked_target(ch_type)
    assert target is not None
    batch = pa.RecordBatch.from_pydict({"c": pa.array([value], source_type)})
    with pytest.raises(DataError, match=re.escape(message)):
        fit_to_columns(batch, {"c": target}, "db.t")


def test_values_that_fit_are_cast_to_the_column_types() -> None:
    batch = pa.RecordBatch.from_pydict({"c": pa.array([1, None], pa.int64()), "s": ["a", "b"]})
    fitted = fit_to_columns(batch, {"c": pa.int8()}, "db.t")
    assert fitted.schema.field("c").type == pa.int8() and fitted.column("c").to_pylist() == [1, None]
    assert checked_target("String") is None and checked_target("Decimal64(4)") == pa.decimal128(18, 4)
