"""Exactly-once sinks of different jobs, and of one job, never share a transaction or a checkpoint row.

The engine names an unnamed job ``SeaTunnel_Job`` (``context.job_name``) but keys its
state by file (``context.job_key``); a job may also have several Jdbc sinks
(``context.label``). Checkpoint rows, transaction ids and the roll-back of leftovers at
start-up must follow ``job_key`` and the sink's place, or two jobs collide on the
checkpoint table and one rolls back the other's prepared transaction.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from jdbc_helpers import CONN, exactly_once_sink
from seatunnel_py_jdbc.commit import CHECKPOINT_TABLE, record_checkpoint
from seatunnel_py_jdbc.database import open_database
from seatunnel_py_jdbc.sink import JdbcSink

from seatunnel_py import testing
from seatunnel_py.api import CommitInfo

SCHEMA = pa.schema([pa.field("id", pa.int64())])
UNNAMED = "SeaTunnel_Job"


def legacy_prefix(job_name: str) -> str:
    """The transaction id prefix of the previous version: a hash of ``job_name`` alone."""
    return "st-" + hashlib.sha1(job_name.encode()).hexdigest()[:12] + "-"


def _rows(*ids: int) -> pa.RecordBatch:
    return pa.record_batch([pa.array(ids, pa.int64())], schema=SCHEMA)


def _sink(db: Any, table: str, job_key: str, label: str = "sink.Jdbc", job_name: str = UNNAMED,
          restored: int | None = None) -> JdbcSink:
    return exactly_once_sink(db, table, job_key, restored, label=label, job_name=job_name)


def _ids(db: Any, table: str) -> list[int]:
    return [int(r[0]) for r in db.rows(f"SELECT id FROM {table} ORDER BY id")]


def _all_prepared(db: Any) -> list[str]:
    if db.name == "postgresql":
        return [str(r[0]) for r in db.rows("SELECT gid FROM pg_prepared_xacts WHERE database = current_database()")]
    return [r[3].decode() if isinstance(r[3], bytes) else str(r[3]) for r in db.rows("XA RECOVER")]


def _rollback(db: Any, xid: str) -> None:
    db.exec(f"ROLLBACK PREPARED '{xid}'" if db.name == "postgresql" else f"XA ROLLBACK '{xid}'")


@pytest.fixture
def cleanup(db: Any, table: str) -> Iterator[list[CommitInfo | None]]:
    """Infos the test prepared: whatever is still prepared is rolled back; tables and rows dropped."""
    infos: list[CommitInfo | None] = []
    # a failing test may leave a transaction open in a lost connection: fail the clean-up, never hang
    db.exec("SET lock_timeout = '10s'" if db.name == "postgresql" else "SET SESSION innodb_lock_wait_timeout = 10")
    yield infos
    prepared = set(_all_prepared(db))
    for info in infos:
        if info and info["xid"] in prepared:
            _rollback(db, str(info["xid"]))
    for suffix in ("", "_a", "_b"):
        db.exec(f"DROP TABLE IF EXISTS {table}{suffix}")
    db.exec(f"DELETE FROM {CHECKPOINT_TABLE} WHERE job_name LIKE '%{table}%'")


def test_a_restarted_job_rolls_back_only_its_own_leftovers(db: Any, table: str, cleanup: list[Any]) -> None:
    # two unnamed jobs: the same job_name (SeaTunnel_Job), different job keys
    a = _sink(db, f"{table}_a", job_key=f"a_{table}@11111111")
    b = _sink(db, f"{table}_b", job_key=f"b_{table}@22222222")
    a.prepare(SCHEMA)
    b.prepare(SCHEMA)
    wa, wb = a.create_writer(0, SCHEMA), b.create_writer(0, SCHEMA)
    wa.write(_rows(1, 2))
    info_a = wa.prepare_commit(1)  # A's checkpoint 1 is persisted; A commits it in a moment
    wb.write(_rows(7))
    info_b = wb.prepare_commit(5)  # B crashes before persisting checkpoint 5: a leftover
    cleanup.extend([info_a, info_b])
    wb.close()
    b.finish(False)

    restarted = _sink(db, f"{table}_b", job_key=f"b_{table}@22222222", restored=4)
    restarted.prepare(SCHEMA)  # rolls back B's leftover, must leave A's transaction alone
    restarted.finish(True)
    prepared = _all_prepared(db)
    assert info_b and info_b["xid"] not in prepared
    assert info_a and info_a["xid"] in prepared

    committer = a.create_committer()
    assert committer is not None
    committer.commit([info_a])
    wa.close()
    a.finish(True)
    assert _ids(db, f"{table}_a") == [1, 2]
    assert _ids(db, f"{table}_b") == []


def test_two_unnamed_jobs_commit_the_same_checkpoint_id(db: Any, table: str, cleanup: list[Any]) -> None:
    sinks = [_sink(db, f"{table}_a", job_key=f"a_{table}@11111111"),
             _sink(db, f"{table}_b", job_key=f"b_{table}@22222222")]
    for n, sink in enumerate(sinks):
        sink.prepare(SCHEMA)
        writer = sink.create_writer(0, SCHEMA)
        writer.write(_rows(10 * n + 1, 10 * n + 2))
        info = writer.prepare_commit(1)  # both jobs are at their first checkpoint
        cleanup.append(info)
        committer = sink.create_committer()
        assert committer is not None
        committer.commit([info])
        writer.close()
        sink.finish(True)
    assert _ids(db, f"{table}_a") == [1, 2]
    assert _ids(db, f"{table}_b") == [11, 12]
    keys = db.rows(f"SELECT job_name FROM {CHECKPOINT_TABLE} WHERE job_name LIKE '%{table}%' ORDER BY 1")
    assert [r[0] for r in keys] == [f"a_{table}@11111111/sink.Jdbc", f"b_{table}@22222222/sink.Jdbc"]


def test_two_sinks_of_one_job_keep_apart(db: Any, table: str, cleanup: list[Any]) -> None:
    key = f"two_{table}@33333333"
    x = _sink(db, f"{table}_a", job_key=key, label="sink[0].Jdbc")
    y = _sink(db, f"{table}_b", job_key=key, label="sink[1].Jdbc")
    x.prepare(SCHEMA)
    y.prepare(SCHEMA)
    wx, wy = x.create_writer(0, SCHEMA), y.create_writer(0, SCHEMA)
    cx, cy = x.create_committer(), y.create_committer()
    assert cx is not None and cy is not None
    wx.write(_rows(1))
    wy.write(_rows(1))
    x1 = wx.prepare_commit(1)
    cleanup.append(x1)
    cx.commit([x1])  # committed first: with one shared key, y's row would now be a duplicate
    y1 = wy.prepare_commit(1)
    cleanup.append(y1)
    cy.commit([y1])

    wx.write(_rows(2))
    x2 = wx.prepare_commit(2)  # persisted, not yet committed
    wy.write(_rows(2))
    y2 = wy.prepare_commit(2)  # sink y "crashes" with this leftover
    cleanup.extend([x2, y2])
    wy.close()
    y.finish(False)
    again = _sink(db, f"{table}_b", job_key=key, label="sink[1].Jdbc", restored=1)
    again.prepare(SCHEMA)  # y's leftover only
    again.finish(True)
    cx.commit([x2])
    wx.close()
    x.finish(True)
    assert _ids(db, f"{table}_a") == [1, 2]
    assert _ids(db, f"{table}_b") == [1]


def _legacy_transaction(db: Any, table: str, row_key: str, xid: str, checkpoint_id: int, ids: list[int]) -> None:
    """A transaction prepared the way the previous version did: ``st-<hash of job_name>-…``, row keyed by job_name."""
    target = JdbcSink.options_model.model_validate({"url": db.url, **CONN}).target()
    conn = open_database(target)
    try:
        conn.begin_xa(xid)
        conn.append(table, _rows(*ids))
        record_checkpoint(conn, row_key, 0, checkpoint_id, xid)
        conn.prepare_xa(xid)
    finally:
        conn.close()


def test_named_job_upgrades_from_checkpoints_of_the_previous_version(db: Any, table: str,
                                                                     cleanup: list[Any]) -> None:
    name = f"up_{table}"
    db.exec(f"CREATE TABLE {table} (id BIGINT)")
    persisted = legacy_prefix(name) + "0-1-0000aaaa"  # checkpoint 1: persisted before the crash
    leftover = legacy_prefix(name) + "0-2-0000aaaa"  # checkpoint 2: prepared, never persisted
    _legacy_transaction(db, table, name, persisted, 1, [1, 2])
    _legacy_transaction(db, table, name, leftover, 2, [3])
    cleanup.extend([{"xid": persisted}, {"xid": leftover}])

    sink = _sink(db, table, job_key=name, job_name=name, restored=1)
    committer = sink.create_committer()
    assert committer is not None
    committer.commit([{"xid": persisted, "checkpoint_id": 1, "task_index": 0}])  # the engine re-commits
    sink.prepare(SCHEMA)  # a named job's old-format leftovers are its own: rolled back
    writer = sink.create_writer(0, SCHEMA)
    writer.write(_rows(3))
    info = writer.prepare_commit(2)  # checkpoint 2 again, under the new row key: no clash with old rows
    cleanup.append(info)
    committer.commit([info])
    committer.commit([{"xid": persisted}])  # still idempotent for an old-format id
    writer.close()
    sink.finish(True)
    assert _ids(db, table) == [1, 2, 3]
    assert leftover not in _all_prepared(db)


def test_unnamed_job_leaves_old_format_transactions_alone(db: Any, table: str, cleanup: list[Any],
                                                          caplog: pytest.LogCaptureFixture) -> None:
    db.exec(f"CREATE TABLE {table} (id BIGINT)")
    other = legacy_prefix(UNNAMED) + f"0-1-{table[-8:]}"  # some unnamed job of the previous version
    _legacy_transaction(db, table, UNNAMED + table, other, 1, [1])
    cleanup.append({"xid": other})
    sink = _sink(db, table, job_key=f"mine_{table}@44444444")
    with caplog.at_level(logging.WARNING, logger="seatunnel_py_jdbc"):
        sink.prepare(SCHEMA)
    sink.finish(True)
    assert other in _all_prepared(db)  # whose it is cannot be told: never rolled back
    assert any(other in r.getMessage() and "ROLLBACK" in r.getMessage() for r in caplog.records)


def _eo_job(db: Any, tables: list[str], rows: int) -> str:
    sinks = "\n".join(
        f'Jdbc {{ url = "{db.url}", user = seatunnel, password = seatunnel, generate_sink_sql = true, '
        f'table = "{t}", is_exactly_once = true }}' for t in tables)
    return f"""
        env {{ job.mode = BATCH, checkpoint.interval = 200, checkpoint.timeout = 20000,
               read_limit.rows_per_second = 2000 }}
        source {{
          FakeSource {{ row.num = {rows}, batch.size = 100, auto.increment.enabled = true,
                        schema = {{ fields {{ id = bigint, name = string }} }} }}
        }}
        sink {{
        {sinks}
        }}
        """


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        return -1, "timed out (deadlock?)\n" + err
    return proc.returncode, err


@pytest.mark.slow
def test_two_unnamed_jobs_run_at_once(db: Any, table: str, cleanup: list[Any], tmp_path: Path) -> None:
    total = 1500
    paths = []
    for side in ("a", "b"):  # two job files without job.name, in two folders
        folder = tmp_path / side
        folder.mkdir()
        path = folder / f"{table}_{side}.conf"  # the job key holds the file stem
        path.write_text(_eo_job(db, [f"{table}_{side}"], total), encoding="utf-8")
        paths.append(path)
    procs = [testing.start_job(p) for p in paths]
    results = [_finish(p) for p in procs]
    for code, err in results:
        assert code == 0, err
    for side in ("a", "b"):
        assert _ids(db, f"{table}_{side}") == list(range(1, total + 1))
    keys = db.rows(f"SELECT DISTINCT job_name FROM {CHECKPOINT_TABLE} WHERE job_name LIKE '{table}%' ORDER BY 1")
    assert [str(k[0]).split("@")[0] for k in keys] == [f"{table}_a", f"{table}_b"]


@pytest.mark.slow
def test_one_job_with_two_exactly_once_sinks(db: Any, table: str, cleanup: list[Any], job: Any) -> None:
    total = 1000
    path = job(_eo_job(db, [f"{table}_a", f"{table}_b"], total), name=f"{table}.conf")
    code, err = _finish(testing.start_job(path))
    assert code == 0, err
    assert _ids(db, f"{table}_a") == list(range(1, total + 1))
    assert _ids(db, f"{table}_b") == list(range(1, total + 1))
