"""Exactly-once after the job's state was lost or moved: starting over works, a clash says what to do.

Checkpoint ids come from the job's state. When the state is gone (a new container without
the volume, a moved state store), they start at 1 again while ``seatunnel_sink_checkpoint``
still holds the rows of earlier runs of the same sink: each later run used to fail on the
table's primary key, ``--ignore-state`` included, with the bare driver message.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from jdbc_helpers import exactly_once_sink
from seatunnel_py_jdbc.commit import CHECKPOINT_TABLE

from seatunnel_py.api import ConnectorError
from seatunnel_py.jobs import run_job

SCHEMA = pa.schema([pa.field("id", pa.int64())])


def _checkpoint_rows(db: Any, name: str) -> list[int]:
    rows = db.rows(f"SELECT checkpoint_id FROM {CHECKPOINT_TABLE} WHERE job_name = '{name}/sink.Jdbc' ORDER BY 1")
    return [int(r[0]) for r in rows]


def test_a_job_whose_state_is_gone_starts_over(db: Any, table: str, job: Any, tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    name = f"lost_{table}"
    path = job(f"""
        env {{ job.mode = BATCH, job.name = "{name}" }}
        source {{ FakeSource {{ row.num = 5, auto.increment.enabled = true, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Jdbc {{ url = "{db.url}", user = seatunnel, password = seatunnel, generate_sink_sql = true,
                        table = "{table}", is_exactly_once = true }} }}
        """)
    try:
        run_job(path, state_store=str(tmp_path / "first"))
        with caplog.at_level(logging.INFO, logger="seatunnel_py_jdbc"):
            run_job(path, state_store=str(tmp_path / "moved"))  # the state is gone: checkpoint 1 again
        run_job(path, state_store=str(tmp_path / "third"), ignore_state=True)
        assert db.rows(f"SELECT count(*) FROM {table}")[0][0] == 15  # each run started over and wrote its rows
        assert _checkpoint_rows(db, name) == [1]  # only this run's
        assert any("fresh start" in r.getMessage() and CHECKPOINT_TABLE in r.getMessage() for r in caplog.records)
    finally:
        db.exec(f"DROP TABLE IF EXISTS {table}", f"DELETE FROM {CHECKPOINT_TABLE} WHERE job_name LIKE '{name}/%'")


def test_a_checkpoint_already_recorded_says_what_happened_and_what_to_do(db: Any, table: str) -> None:
    name = f"old_{table}"
    try:
        sink = exactly_once_sink(db, table, name, None)
        committer = sink.create_committer()
        assert committer is not None
        sink.prepare(SCHEMA)
        writer = sink.create_writer(0, SCHEMA)
        for checkpoint in (1, 2):
            writer.write(pa.record_batch([pa.array([checkpoint], pa.int64())], schema=SCHEMA))
            committer.commit([writer.prepare_commit(checkpoint)])
        writer.close()
        sink.finish(True)

        # the state is put back from an older copy: it knows checkpoint 1, the table already holds 2
        older = exactly_once_sink(db, table, name, 1)
        older.prepare(SCHEMA)
        writer = older.create_writer(0, SCHEMA)
        writer.write(pa.record_batch([pa.array([3], pa.int64())], schema=SCHEMA))
        with pytest.raises(ConnectorError) as failure:
            writer.prepare_commit(2)
        writer.abort()
        writer.close()
        older.finish(False)
        message = str(failure.value)
        assert "\n" not in message
        assert f"checkpoint 2 of sink {name}/sink.Jdbc" in message and "already recorded" in message
        assert "--ignore-state" in message and "latest state" in message
        assert _checkpoint_rows(db, name) == [1, 2]
        assert [r[0] for r in db.rows(f"SELECT id FROM {table} ORDER BY id")] == [1, 2]
    finally:
        db.exec(f"DROP TABLE IF EXISTS {table}", f"DELETE FROM {CHECKPOINT_TABLE} WHERE job_name LIKE '{name}/%'")
