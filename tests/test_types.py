"""SeaTunnel type names and schema declarations mapped to Arrow."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pytest

from seatunnel_py.types import (
    SchemaError,
    TypeParseError,
    column_from_values,
    parse_schema,
    parse_type,
    seatunnel_type_name,
)

CASES = [
    ("string", pa.string()),
    ("boolean", pa.bool_()),
    ("tinyint", pa.int8()),
    ("byte", pa.int8()),
    ("smallint", pa.int16()),
    ("short", pa.int16()),
    ("int", pa.int32()),
    ("bigint", pa.int64()),
    ("long", pa.int64()),
    ("float", pa.float32()),
    ("double", pa.float64()),
    ("null", pa.null()),
    ("bytes", pa.binary()),
    ("date", pa.date32()),
    ("time", pa.time64("us")),
    ("timestamp", pa.timestamp("us")),
    ("timestamp_tz", pa.timestamp("us", tz="UTC")),
    ("decimal(10, 2)", pa.decimal128(10, 2)),
    ("DECIMAL(38,18)", pa.decimal128(38, 18)),
    ("decimal(50, 5)", pa.decimal256(50, 5)),
    ("array<int>", pa.list_(pa.int32())),
    ("map<string, bigint>", pa.map_(pa.string(), pa.int64())),
    ("map<decimal(10,2), array<string>>", pa.map_(pa.decimal128(10, 2), pa.list_(pa.string()))),
    (
        "map<string, {c_int = int, c_s = string}>",
        pa.map_(pa.string(), pa.struct([("c_int", pa.int32()), ("c_s", pa.string())])),
    ),
    ("{a = int, b = {c = date}}", pa.struct([("a", pa.int32()), ("b", pa.struct([("c", pa.date32())]))])),
    ('{"a": "int"}', pa.struct([("a", pa.int32())])),
]


@pytest.mark.parametrize(("name", "expected"), CASES)
def test_every_type_name_maps_to_arrow(name: str, expected: pa.DataType) -> None:
    assert parse_type(name) == expected


def test_nested_object_is_a_row_and_names_round_trip() -> None:
    row = parse_type({"x": "int", "y": {"z": "array<double>"}})
    assert row == pa.struct([("x", pa.int32()), ("y", pa.struct([("z", pa.list_(pa.float64()))]))])
    assert seatunnel_type_name(row) == "ROW<x<INT>, y<ROW<z<ARRAY<DOUBLE>>>>>"
    assert seatunnel_type_name(pa.timestamp("us", tz="UTC")) == "TIMESTAMP_TZ"
    assert seatunnel_type_name(pa.decimal128(10, 2)) == "DECIMAL(10, 2)"


@pytest.mark.parametrize("bad", ["strng", "decimal(10)", "map<int>", "array<nope>", "{a int}"])
def test_bad_type_names_are_explained(bad: str) -> None:
    with pytest.raises(TypeParseError):
        parse_type(bad)


def test_columns_form_with_nullability_and_primary_key() -> None:
    table = parse_schema(
        {
            "table": "db.users",
            "columns": [
                {"name": "id", "type": "bigint", "nullable": False, "comment": "key"},
                {"name": "name", "type": "string"},
            ],
            "primaryKey": {"name": "pk", "columnNames": ["id"]},
        }
    )
    assert table.table == "db.users"
    assert table.primary_key == ["id"]
    assert table.schema.field("id").nullable is False
    assert table.schema.field("id").metadata == {b"comment": b"key"}
    assert table.schema.metadata == {b"seatunnel.primary_key": b"id"}


def test_schema_errors_point_at_the_key() -> None:
    with pytest.raises(SchemaError) as info:
        parse_schema({"columns": [{"name": "a", "type": "int"}, {"name": "b", "type": "nope"}]})
    assert info.value.path == ("columns", 1, "type")
    with pytest.raises(SchemaError) as info:
        parse_schema({"primaryKey": {"columnNames": ["zz"]}, "fields": {"a": "int"}})
    assert info.value.path == ("primaryKey", "columnNames")


def test_job_file_values_convert_to_arrow() -> None:
    assert column_from_values(["2012-12-21", None], pa.date32()).to_pylist() == [dt.date(2012, 12, 21), None]
    assert column_from_values(["2012-12-21T12:34:56"], pa.timestamp("us")).to_pylist() == [
        dt.datetime(2012, 12, 21, 12, 34, 56)
    ]
    assert column_from_values(["12:34:56"], pa.time64("us")).to_pylist() == [dt.time(12, 34, 56)]
    assert column_from_values(["aGVsbG8="], pa.binary()).to_pylist() == [b"hello"]
    assert column_from_values(["1.25"], pa.decimal128(5, 2)).to_pylist() == [decimal.Decimal("1.25")]
    assert column_from_values([{"k": 1}], pa.map_(pa.string(), pa.int32())).to_pylist() == [[("k", 1)]]
    assert column_from_values([[1, "x"]], pa.struct([("a", pa.int32()), ("b", pa.string())])).to_pylist() == [
        {"a": 1, "b": "x"}
    ]
    assert column_from_values(["TRUE", False], pa.bool_()).to_pylist() == [True, False]
