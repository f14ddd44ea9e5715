"""FakeSource: SeaTunnel's split and row semantics, every type, reproducible data."""

from __future__ import annotations

import pyarrow as pa

from seatunnel_py.api import PluginContext
from seatunnel_py.builtins.fake.options import FakeSourceOptions
from seatunnel_py.builtins.fake.source import FakeSource

ALL_TYPES = {
    "c_string": "string",
    "c_boolean": "boolean",
    "c_tinyint": "tinyint",
    "c_smallint": "smallint",
    "c_int": "int",
    "c_bigint": "bigint",
    "c_float": "float",
    "c_double": "double",
    "c_decimal": "decimal(30, 8)",
    "c_bytes": "bytes",
    "c_date": "date",
    "c_time": "time",
    "c_timestamp": "timestamp",
    "c_timestamp_tz": "timestamp_tz",
    "c_null": "null",
    "c_array": "array<int>",
    "c_map": "map<string, string>",
    "c_row": {"c_int": "int", "c_map": "map<string, int>"},
}


def make(options: dict, parallelism: int = 1) -> FakeSource:
    return FakeSource(FakeSourceOptions.model_validate(options), PluginContext(parallelism=parallelism))


def read_all(source: FakeSource) -> list[pa.RecordBatch]:
    out = []
    for split in source.splits():
        out.extend(b for b in source.create_reader(split).read() if b is not None)
    return out


def test_every_type_is_generated_and_valid() -> None:
    source = make({"schema": {"fields": ALL_TYPES}, "row.num": 50})
    batches = read_all(source)
    table = pa.Table.from_batches(batches)
    assert table.num_rows == 50
    assert table.schema.equals(source.output_schema())
    table.validate(full=True)
    assert table.column("c_null").null_count == 50
    assert all(len(v) == 5 for v in table.column("c_string").to_pylist())
    assert all(len(v) == 5 for v in table.column("c_array").to_pylist())


def test_row_num_is_per_reader_split_into_split_num_splits() -> None:
    source = make({"schema": {"fields": {"a": "int"}}, "row.num": 10, "split.num": 3}, parallelism=2)
    splits = source.splits()
    assert [s.payload["rows"] for s in splits] == [4, 4, 2, 4, 4, 2]
    assert sum(b.num_rows for b in read_all(source)) == 20


def test_explicit_rows_are_emitted_by_every_split() -> None:
    rows = [{"kind": "INSERT", "fields": [1, "A"]}, {"kind": "UPDATE_AFTER", "fields": [1, "B"]}]
    source = make({"schema": {"fields": {"id": "int", "name": "string"}}, "rows": rows, "split.num": 2})
    batches = read_all(source)
    assert [b.num_rows for b in batches] == [2, 2]
    assert batches[0].to_pydict() == {"id": [1, 1], "name": ["A", "B"], "__row_kind__": [0, 2]}


def test_data_is_reproducible_and_the_seed_changes_it() -> None:
    options = {"schema": {"fields": {"a": "bigint", "s": "string"}}, "row.num": 100}
    first = pa.Table.from_batches(read_all(make(options)))
    second = pa.Table.from_batches(read_all(make(options)))
    other = pa.Table.from_batches(read_all(make({**options, "seed": 7})))
    assert first.equals(second)
    assert not first.equals(other)


def test_a_reader_resumes_after_its_snapshot() -> None:
    source = make({"schema": {"fields": {"a": "bigint"}}, "row.num": 100, "batch.size": 30})
    (split,) = source.splits()
    reader = source.create_reader(split)
    batches = reader.read()
    first = next(batches)
    state = reader.snapshot()
    assert state == {"rows_done": 30}
    rest = [b for b in source.create_reader(split, state).read() if b is not None]
    full = [b for b in source.create_reader(split).read() if b is not None]
    assert pa.Table.from_batches([first, *rest]).equals(pa.Table.from_batches(full))


def test_ranges_templates_and_auto_increment() -> None:
    source = make(
        {
            "schema": {"fields": {"id": "bigint", "age": "int", "name": "string", "d": "date"}},
            "row.num": 200,
            "int.min": 18,
            "int.max": 20,
            "string.fake.mode": "template",
            "string.template": ["x", "y"],
            "auto.increment.enabled": True,
            "auto.increment.start": 100,
            "date.year.template": [2024],
            "date.month.template": [2],
            "date.day.template": [29],
        }
    )
    table = pa.Table.from_batches(read_all(source))
    assert table.column("id").to_pylist() == list(range(100, 300))
    assert set(table.column("age").to_pylist()) == {18, 19, 20}
    assert set(table.column("name").to_pylist()) == {"x", "y"}
    assert {str(d) for d in table.column("d").to_pylist()} == {"2024-02-29"}
