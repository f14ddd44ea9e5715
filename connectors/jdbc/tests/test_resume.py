"""Resuming a split honestly: by a stable order where one is known, else by reading it whole again.

A split resumes from the state of the last checkpoint. Counting the rows handed out and
skipping as many on restart is only right when the query returns its rows in the same
order every time, which nothing guarantees without ORDER BY (a PostgreSQL UPDATE moves a
row to the end of the heap, a synchronized scan starts in the middle of a table). And
rows sharing one value of the order column must not pile up in memory.
"""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa
import pytest
from seatunnel_py_jdbc.source import JdbcSource, OrderedCut

from seatunnel_py.api import ConnectorError, PluginContext

CONN = {"user": "seatunnel", "password": "seatunnel"}


def _source(db: Any, **options: Any) -> JdbcSource:
    opts = JdbcSource.options_model.model_validate({"url": db.url, **CONN, **options})
    return JdbcSource(opts, PluginContext(job_name="resume", job_key="resume", parallelism=1))


def _read(source: JdbcSource, state: Any = None, limit: int | None = None) -> tuple[list[pa.RecordBatch], Any]:
    """The batches of the source's only split (``limit`` of them at most) and the state after them."""
    [split] = source.splits()
    reader = source.create_reader(split, state)
    batches: list[pa.RecordBatch] = []
    for batch in reader.read():
        if batch is not None:
            batches.append(batch)
        if limit is not None and len(batches) == limit:
            break
    snapshot = reader.snapshot()
    reader.close()
    source.close()
    return batches, snapshot


def _ids(batches: list[pa.RecordBatch], column: str = "id") -> list[Any]:
    return [v for b in batches for v in b.column(column).to_pylist()]


def _shuffle(db: Any, table: str) -> None:
    """Change the physical order of the rows: PostgreSQL writes an updated row anew at the heap's end."""
    db.exec(f"UPDATE {table} SET name = name WHERE id <= 150")


def test_query_without_order_is_read_whole_again_not_skipped(db: Any, table: str,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    db.exec(f"CREATE TABLE {table} (id INT, name VARCHAR(20))")
    db.exec(f"INSERT INTO {table} VALUES " + ", ".join(f"({i}, 'n{i}')" for i in range(1, 501)))
    try:
        query = f"SELECT id, name FROM {table}"
        first, state = _read(_source(db, query=query, fetch_size=100), limit=2)
        assert len(_ids(first)) == 200
        _shuffle(db, table)
        with caplog.at_level(logging.WARNING, logger="seatunnel_py_jdbc"):
            rest, final = _read(_source(db, query=query, fetch_size=100), state)
        # skipping 200 rows of the new order would lose some and repeat others: the query is read whole
        assert sorted(_ids(rest)) == list(range(1, 501))
        assert any("read whole again" in r.getMessage() for r in caplog.records)
        assert final["finished"] is True
    finally:
        db.exec(f"DROP TABLE {table}")


@pytest.mark.parametrize("key", ["code", "pair"])
def test_table_with_a_non_integer_primary_key_resumes_in_key_order(db: Any, table: str, key: str) -> None:
    pk = "code" if key == "code" else "grp, code"
    db.exec(f"CREATE TABLE {table} (id INT, grp INT, code VARCHAR(10), name VARCHAR(20), PRIMARY KEY ({pk}))")
    db.exec(f"INSERT INTO {table} VALUES " +
            ", ".join(f"({i}, {i % 3}, 'c{i:04d}', 'n{i}')" for i in range(1, 501)))
    try:
        first, state = _read(_source(db, table_path=table, fetch_size=100), limit=2)
        assert len(_ids(first)) == 200
        _shuffle(db, table)
        db.exec(f"INSERT INTO {table} VALUES (501, 2, 'c0501', 'new')")  # sorts after the resume point
        rest, _ = _read(_source(db, table_path=table, fetch_size=100), state)
        assert sorted(_ids(first) + _ids(rest)) == list(range(1, 502))
    finally:
        db.exec(f"DROP TABLE {table}")


def test_rows_sharing_a_cursor_value_are_not_held_back_when_the_primary_key_breaks_ties(db: Any,
                                                                                       table: str) -> None:
    # 3000 rows with one updated_at (a bulk update), then 10 later ones
    db.exec(f"CREATE TABLE {table} (id INT PRIMARY KEY, ts INT, name VARCHAR(20))")
    db.exec(f"INSERT INTO {table} VALUES " +
            ", ".join(f"({i}, {1 if i <= 3000 else i}, 'n{i}')" for i in range(1, 3011)))
    try:
        opts = {"table_path": table, "incremental_column": "ts", "fetch_size": 500}
        first, state = _read(_source(db, **opts), limit=3)
        assert max(b.num_rows for b in first) <= 500  # handed out as read, not held back
        rest, final = _read(_source(db, **opts), state)
        assert max(b.num_rows for b in rest) <= 500
        assert sorted(_ids(first) + _ids(rest)) == list(range(1, 3011))
        assert final["after"] == 3010
        db.exec(f"INSERT INTO {table} VALUES (3011, 3010, 'same ts'), (3012, 3011, 'later')")
        again, _ = _read(_source(db, **opts), final)  # a cron run: only the new rows
        assert sorted(_ids(again)) == [3011, 3012]
    finally:
        db.exec(f"DROP TABLE {table}")


def test_key_ranges_on_a_nullable_partition_column_resume_inside_the_null_group(pg: Any, table: str) -> None:
    pg.exec(f"CREATE TABLE {table} (id INT PRIMARY KEY, k INT, name TEXT)",
            f"INSERT INTO {table} SELECT i, CASE WHEN i <= 300 THEN NULL ELSE i END, 'n' || i "
            "FROM generate_series(1, 600) AS i")
    try:
        opts = {"table_path": table, "partition_column": "k", "partition_num": 1, "fetch_size": 100}
        first, state = _read(_source(pg, **opts), limit=2)
        assert _ids(first, "k") == [None] * 200 and state["after"] is None
        rest, _ = _read(_source(pg, **opts), state)
        assert sorted(_ids(first) + _ids(rest)) == list(range(1, 601))
    finally:
        pg.exec(f"DROP TABLE {table}")


def _one_value(batches: int, rows: int) -> list[pa.RecordBatch]:
    return [pa.record_batch({"v": pa.array([7] * rows, pa.int64()), "x": pa.array(range(rows), pa.int64())})
            for _ in range(batches)]


def test_ordered_cut_copies_each_row_at_most_once() -> None:
    """200 batches of one value: the old cut concatenated the held rows again at every batch (quadratic)."""
    pool = pa.default_memory_pool()
    batches = _one_value(200, 1000)
    given = sum(b.nbytes for b in batches)
    cut = OrderedCut("v")
    before = pool.total_bytes_allocated()
    out = [o for b in batches for o in cut.push(b)]
    rest = cut.flush()
    allocated = pool.total_bytes_allocated() - before
    assert out == [] and rest is not None and rest.num_rows == 200_000
    assert allocated <= 2 * given, f"{allocated / given:.1f}x the input allocated"


def test_ordered_cut_holds_a_bounded_number_of_rows() -> None:
    cut = OrderedCut("v", max_held_rows=10_000)
    with pytest.raises(ConnectorError, match=r"more than 10,000 rows share the value 7 of column 'v'"):
        for batch in _one_value(50, 1000):
            cut.push(batch)
    assert cut.held_rows <= 11_000


def test_sqlite_composite_key_resumes_with_a_spelt_out_comparison(tmp_path: Any) -> None:
    import sqlite3

    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (grp TEXT, n INTEGER, name TEXT, PRIMARY KEY (grp, n))")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [(g, n, f"{g}{n}") for g in "abc" for n in range(100)])
    url = f"jdbc:sqlite:{path}"
    opts = JdbcSource.options_model.model_validate({"url": url, "table_path": "t", "fetch_size": 70})

    def source() -> JdbcSource:
        return JdbcSource(opts, PluginContext(job_name="resume", job_key="resume"))

    first, state = _read(source(), limit=2)
    assert state == {"after": "b", "after_ties": [39]}
    rest, _ = _read(source(), state)
    assert sorted(_ids(first, "name") + _ids(rest, "name")) == sorted(f"{g}{n}" for g in "abc" for n in range(100))


def test_rows_come_in_the_split_order_whatever_the_storage_order(db: Any, table: str) -> None:
    """MariaDB ignores ORDER BY inside a derived table: the order must be on the statement it runs."""
    db.exec(f"CREATE TABLE {table} (id INT PRIMARY KEY, ts INT, amount DECIMAL(10, 2))")
    db.exec(f"INSERT INTO {table} VALUES " + ", ".join(f"({i}, {1000 - i}, {i}.5)" for i in range(1, 501)))
    try:
        opts = {"table_path": table, "incremental_column": "ts", "fetch_size": 100}
        first, state = _read(_source(db, **opts), limit=2)
        assert _ids(first, "ts") == list(range(500, 700))
        rest, _ = _read(_source(db, **opts), state)
        assert sorted(_ids(first) + _ids(rest)) == list(range(1, 501))
    finally:
        db.exec(f"DROP TABLE {table}")
