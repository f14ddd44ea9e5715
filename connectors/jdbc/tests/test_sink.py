"""Sink: save modes, the CDC changelog case, custom query, multi-table placeholders (real servers)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from seatunnel_py.api import ConnectorError, RowKind, attach_row_kinds, with_table_id
from seatunnel_py.jobs import run_job

CONN = {"user": "seatunnel", "password": "seatunnel"}


def _batch(ids: list[int], names: list[str]) -> pa.RecordBatch:
    return pa.record_batch({"id": pa.array(ids, pa.int64()), "name": names})


def _ids(db: Any, table: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.rows(f"SELECT id, name FROM {table} ORDER BY id")]


def test_save_modes(db: Any, table: str, write_sink: Any) -> None:
    opts = {"url": db.url, **CONN, "generate_sink_sql": True, "table": table}
    try:
        with pytest.raises(ConnectorError, match=f"sink table {table} does not exist"):
            write_sink([_batch([1], ["a"])], **opts, schema_save_mode="ERROR_WHEN_SCHEMA_NOT_EXIST")
        write_sink([_batch([1, 2], ["a", "b"])], **opts)  # CREATE_SCHEMA_WHEN_NOT_EXIST, APPEND_DATA
        write_sink([_batch([3], ["c"])], **opts)
        assert _ids(db, table) == [(1, "a"), (2, "b"), (3, "c")]
        with pytest.raises(ConnectorError, match="already has data"):
            write_sink([_batch([4], ["d"])], **opts, data_save_mode="ERROR_WHEN_DATA_EXISTS")
        write_sink([_batch([5], ["e"])], **opts, data_save_mode="DROP_DATA")
        assert _ids(db, table) == [(5, "e")]
        write_sink([_batch([6], ["f"])], **opts, data_save_mode="CUSTOM_PROCESSING",
                   custom_sql=f"DELETE FROM {table} WHERE id = 5")
        assert _ids(db, table) == [(6, "f")]
        db.exec(f"ALTER TABLE {table} ADD COLUMN extra INT")
        write_sink([_batch([7], ["g"])], **opts, schema_save_mode="RECREATE_SCHEMA")
        assert _ids(db, table) == [(7, "g")]
        assert len(db.rows(f"SELECT * FROM {table}")[0]) == 2  # recreated from the input schema
        write_sink([_batch([8], ["h"])], **opts, schema_save_mode="IGNORE")
        assert _ids(db, table) == [(7, "g"), (8, "h")]
    finally:
        db.exec(f"DROP TABLE IF EXISTS {table}")


def test_cdc_changelog_ends_with_rows_1_updated_and_3(db: Any, table: str, job: Any) -> None:
    path = job(f"""
        env {{ job.mode = BATCH }}
        source {{
          FakeSource {{
            schema = {{ fields {{ pk_id = bigint, name = string, score = int }} }}
            rows = [
              {{ kind = INSERT, fields = [1, "A", 100] }},
              {{ kind = INSERT, fields = [2, "B", 100] }},
              {{ kind = INSERT, fields = [3, "C", 100] }},
              {{ kind = UPDATE_BEFORE, fields = [1, "A", 100] }},
              {{ kind = UPDATE_AFTER, fields = [1, "A_1", 100] }},
              {{ kind = DELETE, fields = [2, "B", 100] }}
            ]
          }}
        }}
        sink {{
          Jdbc {{ url = "{db.url}", driver = "org.postgresql.Driver", user = seatunnel, password = seatunnel,
                  generate_sink_sql = true, table = "{table}", primary_keys = ["pk_id"] }}
        }}
        """)
    try:
        run_job(path)
        assert [tuple(r) for r in db.rows(f"SELECT pk_id, name, score FROM {table} ORDER BY pk_id")] == \
            [(1, "A_1", 100), (3, "C", 100)]
    finally:
        db.exec(f"DROP TABLE IF EXISTS {table}")


def test_changes_across_flushes_and_within_one(db: Any, table: str, write_sink: Any) -> None:
    kinds = pa.array([RowKind.INSERT, RowKind.INSERT, RowKind.UPDATE_AFTER, RowKind.DELETE, RowKind.INSERT], pa.int8())
    first = attach_row_kinds(_batch([1, 2, 1, 2, 2], ["a", "b", "a2", "b", "b2"]), kinds)
    second = attach_row_kinds(_batch([1, 3], ["a", "c"]), pa.array([RowKind.DELETE, RowKind.INSERT], pa.int8()))
    try:
        write_sink([first, second], url=db.url, **CONN, generate_sink_sql=True, table=table, primary_keys=["id"],
                   batch_size=5)
        assert _ids(db, table) == [(2, "b2"), (3, "c")]
    finally:
        db.exec(f"DROP TABLE IF EXISTS {table}")


def test_custom_insert_query(db: Any, table: str, write_sink: Any) -> None:
    db.exec(f"CREATE TABLE {table} (id BIGINT, name VARCHAR(20), note VARCHAR(20))")
    try:
        write_sink([_batch([1, 2], ["a", None])], url=db.url, **CONN,
                   query=f"INSERT INTO {table} (id, name, note) VALUES (?, ?, 'custom')")
        assert [tuple(r) for r in db.rows(f"SELECT id, name, note FROM {table} ORDER BY id")] == \
            [(1, "a", "custom"), (2, None, "custom")]
    finally:
        db.exec(f"DROP TABLE IF EXISTS {table}")


def test_table_placeholders_route_each_table(db: Any, table: str, write_sink: Any) -> None:
    a = with_table_id(_batch([1], ["a"]), f"src.{table}_a")
    b = with_table_id(_batch([2], ["b"]), f"src.{table}_b")
    try:
        write_sink([a, b], url=db.url, **CONN, generate_sink_sql=True, table="${table_name}_out")
        assert _ids(db, f"{table}_a_out") == [(1, "a")]
        assert _ids(db, f"{table}_b_out") == [(2, "b")]
    finally:
        db.exec(f"DROP TABLE IF EXISTS {table}_a_out", f"DROP TABLE IF EXISTS {table}_b_out")
