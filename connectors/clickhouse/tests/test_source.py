"""Clickhouse source: sql and table_path, filter_query, partition_list, splits read in parallel."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ch_helpers import make_source, read_all, run_cli

from seatunnel_py.api import ConnectorError
from seatunnel_py.jobs import run_job

ROWS = 10_000


@pytest.fixture
def events(clickhouse, database) -> str:
    """A table of ROWS rows in 4 monthly partitions."""
    client = clickhouse.client()
    client.command(f"CREATE TABLE {database}.events (id UInt64, day Date, kind String) ENGINE = MergeTree "
                   "PARTITION BY toYYYYMM(day) ORDER BY id")
    client.command(f"INSERT INTO {database}.events SELECT number, toDate('2024-01-01') + (number % 120), "
                   f"['a', 'b', 'c'][number % 3 + 1] FROM numbers({ROWS})")
    return f"{database}.events"


def read_parallel(source) -> list[pa.Table]:
    schema = source.output_schema()

    def read(split):
        reader = source.create_reader(split)
        try:
            return pa.Table.from_batches([b for b in reader.read() if b is not None], schema=schema)
        finally:
            reader.close()

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(read, source.splits()))


def test_partitions_and_key_ranges_cover_every_row_once(clickhouse, events):
    source = make_source(clickhouse.options(table_path=events, **{"split.size": 1000}, batch_size=500))
    splits = source.splits()
    assert len({s.payload["query"] for s in splits}) == len(splits)
    assert len({s.split_id.split("/")[0] for s in splits}) == 4  # partitions
    assert len(splits) > 4  # partitions of more than split.size rows are cut by key hash
    tables = read_parallel(source)
    assert all(t.num_rows for t in tables)
    ids = pa.concat_tables(tables).column("id").to_pylist()
    assert sorted(ids) == list(range(ROWS))
    assert all(b.num_rows <= 500 for t in tables for b in t.to_batches())


def test_filter_query_and_partition_list(clickhouse, events):
    source = make_source(clickhouse.options(table_path=events, filter_query="kind = 'a' and id < 5000",
                                            partition_list=["202401", "202403"]))
    table = read_all(source)
    expected = clickhouse.client().command(
        f"SELECT count() FROM {events} WHERE kind = 'a' AND id < 5000 AND toYYYYMM(day) IN (202401, 202403)")
    assert table.num_rows == int(expected) > 0
    assert set(table.column("kind").to_pylist()) == {"a"}
    assert len(source.splits()) == 2


def test_sql_schema_and_rows(clickhouse, events):
    source = make_source(clickhouse.options(sql=f"SELECT id, kind, id * 2 AS twice FROM {events} WHERE id < 10"))
    assert source.output_schema() == pa.schema([pa.field("id", pa.uint64(), False), pa.field("kind", pa.string(), False),
                                                pa.field("twice", pa.uint64(), False)])
    table = read_all(source).sort_by("id")
    assert table.column("twice").to_pylist() == [2 * i for i in range(10)]


def test_finished_split_is_not_read_again(clickhouse, events):
    source = make_source(clickhouse.options(sql=f"SELECT id FROM {events}"))
    split = source.splits()[0]
    reader = source.create_reader(split, {"finished": True})
    assert list(reader.read()) == []
    assert reader.snapshot() == {"finished": True}


def test_missing_table_is_one_line(clickhouse, database):
    source = make_source(clickhouse.options(table_path=f"{database}.nope"))
    with pytest.raises(ConnectorError, match=r"^Clickhouse: cannot read the schema: Code: 60\..*UNKNOWN_TABLE"):
        source.output_schema()


def test_job_clickhouse_to_clickhouse_parallel(clickhouse, events, database, write_job):
    job = write_job(f"""
        env {{ job.mode = "BATCH", parallelism = 3 }}
        source {{ Clickhouse {{
            {clickhouse.hocon()}
            table_path = "{events}"
            split.size = 2000
        }} }}
        sink {{ Clickhouse {{
            {clickhouse.hocon()}
            database = "{database}"
            table = "copy"
            primary_key = "id"
            bulk_size = 1500
        }} }}
    """)
    run_job(job)
    client = clickhouse.client()
    assert client.query(f"SELECT count(), uniqExact(id) FROM {database}.copy").result_rows == [(ROWS, ROWS)]


@pytest.mark.slow
def test_job_clickhouse_to_parquet(clickhouse, events, write_job, tmp_path):
    job = write_job(f"""
        source {{ Clickhouse {{
            {clickhouse.hocon()}
            sql = "SELECT id, kind FROM {events} WHERE id % 2 = 0"
        }} }}
        sink {{ LocalFile {{ path = "out", file_format_type = "parquet" }} }}
    """)
    result = run_cli("run", job)
    assert result.returncode == 0, result.stderr
    table = pq.read_table(tmp_path / "out")
    assert table.num_rows == ROWS // 2
