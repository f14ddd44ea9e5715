"""Parallel key-range splits, resume inside a split, incremental cron runs (real servers)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from seatunnel_py_jdbc.source import JdbcSource, OrderedCut

from seatunnel_py.api import PluginContext, table_id
from seatunnel_py.jobs import run_job

CONN = {"user": "seatunnel", "password": "seatunnel"}


def _fill(db: Any, table: str, rows: int) -> None:
    """ids 1..rows; k = 2*id with every 10th k NULL (gaps and NULL keys); g groups of 7 equal values."""
    db.exec(f"CREATE TABLE {table} (id INT PRIMARY KEY, k BIGINT, g INT, name VARCHAR(20))")
    values = ", ".join(f"({i}, {'NULL' if i % 10 == 0 else 2 * i}, {i // 7}, 'n{i}')" for i in range(1, rows + 1))
    db.exec(f"INSERT INTO {table} VALUES {values}")


def _source(db: Any, **options: Any) -> JdbcSource:
    opts = JdbcSource.options_model.model_validate({"url": db.url, **CONN, **options})
    return JdbcSource(opts, PluginContext(job_name="reads", parallelism=2))


def _read(source: JdbcSource, split: Any, state: Any = None, limit: int | None = None) -> tuple[list[int], Any]:
    reader = source.create_reader(split, state)
    ids: list[int] = []
    for i, batch in enumerate(reader.read(), start=1):
        if batch is not None:
            ids.extend(batch.column("id").to_pylist())
        if limit is not None and i == limit:
            break
    snapshot = reader.snapshot()
    reader.close()
    source.close()
    return ids, snapshot


def test_parallel_splits_cover_every_row_once(db: Any, table: str) -> None:
    _fill(db, table, 3000)
    try:
        source = _source(db, table_path=table, partition_column="k", partition_num=7)
        splits = source.splits()
        assert len(splits) == 7
        ids = [i for split in splits for i in _read(source, split)[0]]
        assert sorted(ids) == list(range(1, 3001))
        # no partition_column: the integer primary key splits by split.size
        source = _source(db, table_path=table, **{"split.size": 500})
        splits = source.splits()
        assert len(splits) == 6
        assert sorted(i for split in splits for i in _read(source, split)[0]) == list(range(1, 3001))
    finally:
        db.exec(f"DROP TABLE {table}")


def test_reader_resumes_inside_a_split_without_gap_or_duplicate(db: Any, table: str) -> None:
    _fill(db, table, 2000)
    try:
        # ordered on g (7 rows per value), batches of 100 rows: equal values straddle fetches; a query has
        # no primary key to break the ties, so the reader hands out whole values (test_resume: with one)
        source = _source(db, query=f"SELECT * FROM {table}", incremental_column="g", fetch_size=100)
        [split] = source.splits()
        first, state = _read(source, split, limit=3)
        assert 0 < len(first) < 2000
        assert set(state) == {"after"}
        rest, final = _read(source, split, state)
        assert sorted(first + rest) == list(range(1, 2001))
        assert final == {"after": 2000 // 7}
        assert _read(source, split, final)[0] == []
    finally:
        db.exec(f"DROP TABLE {table}")


def test_ordered_cut_never_splits_a_value() -> None:
    cut = OrderedCut("v")
    pushes = [[None, 1], [2, 2], [2, 3], [3, 3], [4, 5]]
    out = [[b.column("v").to_pylist() for b in cut.push(pa.record_batch({"v": pa.array(v, pa.int64())}))]
           for v in pushes]
    rest = cut.flush()
    assert out == [[[None]], [[1]], [[2, 2, 2]], [], [[3, 3, 3], [4]]]
    assert rest is not None and rest.column("v").to_pylist() == [5]


@pytest.mark.slow
def test_incremental_cron_runs_read_only_new_rows(db: Any, table: str, job: Any) -> None:
    db.exec(f"CREATE TABLE {table} (id INT PRIMARY KEY, ts TIMESTAMP NULL, name VARCHAR(20))")
    insert = f"INSERT INTO {table} VALUES "
    db.exec(insert + "(1, '2024-01-01 00:00:00', 'a'), (2, '2024-01-01 00:00:01', 'b'), "
            "(3, '2024-01-01 00:00:01', 'c')")
    path = job(f"""
        env {{ job.mode = BATCH, job.name = "incr_{table}" }}
        source {{
          Jdbc {{ url = "{db.url}", user = seatunnel, password = seatunnel, table_path = "{table}",
                  incremental_column = ts, plugin_output = rows }}
        }}
        sink {{
          Jdbc {{ url = "{db.url}", user = seatunnel, password = seatunnel, generate_sink_sql = true,
                  table = "{table}_dst", plugin_input = rows }}
        }}
        """)
    try:
        assert run_job(path).metrics.read_rows == 3
        # a new row at a later time, and one more at the same later time
        db.exec(insert + "(4, '2024-01-01 00:00:02', 'd'), (5, '2024-01-01 00:00:02', 'e')")
        assert run_job(path).metrics.read_rows == 2
        assert run_job(path).metrics.read_rows == 0
        db.exec(insert + "(6, '2024-01-02 00:00:00', 'f')")
        assert run_job(path).metrics.read_rows == 1
        rows = db.rows(f"SELECT id FROM {table}_dst ORDER BY id")
        assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6]
    finally:
        db.exec(f"DROP TABLE IF EXISTS {table}", f"DROP TABLE IF EXISTS {table}_dst")


def test_table_list_reads_every_table_with_its_table_id(pg: Any, table: str) -> None:
    for suffix, ids in (("a", "1, 2, 3"), ("b", "10, 20")):
        pg.exec(f"CREATE TABLE {table}_{suffix} (id INT PRIMARY KEY, name TEXT)",
                f"INSERT INTO {table}_{suffix} SELECT i, 'n' || i FROM unnest(ARRAY[{ids}]) AS i")
    try:
        source = _source(pg, table_list=[{"table_path": f"public.{table}_a", "where_condition": "where id > 1"},
                                         {"table_path": f"public.{table}_b"}])
        seen: dict[str, list[int]] = {}
        for split in source.splits():
            reader = source.create_reader(split)
            for batch in reader.read():
                if batch is not None:
                    seen.setdefault(table_id(batch), []).extend(batch.column("id").to_pylist())
            reader.close()
        source.close()
        assert {k: sorted(v) for k, v in seen.items()} == {f"public.{table}_a": [2, 3], f"public.{table}_b": [10, 20]}
    finally:
        pg.exec(f"DROP TABLE {table}_a", f"DROP TABLE {table}_b")
