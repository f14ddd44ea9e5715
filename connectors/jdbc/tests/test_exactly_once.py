"""Exactly-once sink: two-phase commit protocol, and a job killed with SIGKILL then restarted."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from typing import Any

import pyarrow as pa
import pytest
from jdbc_helpers import exactly_once_sink
from seatunnel_py_jdbc.commit import CHECKPOINT_TABLE, sink_key, xid_prefix


def _ids(db: Any, table: str) -> list[int]:
    return [int(r[0]) for r in db.rows(f"SELECT id FROM {table} ORDER BY id")]


def _prepared(db: Any, job_name: str) -> list[str]:
    """Prepared transactions of the job's only sink (label ``sink.Jdbc``)."""
    prefix = xid_prefix(sink_key(job_name, "sink.Jdbc"))
    if db.name == "postgresql":
        rows = db.rows(f"SELECT gid FROM pg_prepared_xacts WHERE gid LIKE '{prefix}%'")
        return [str(r[0]) for r in rows]
    rows = db.rows("XA RECOVER")
    xids = [r[3].decode() if isinstance(r[3], bytes) else str(r[3]) for r in rows]
    return [x for x in xids if x.startswith(prefix)]


def test_prepared_checkpoints_commit_once_and_later_ones_roll_back(db: Any, table: str) -> None:
    job_name = f"eo_{table}"
    schema = pa.schema([pa.field("id", pa.int64())])

    def rows(*ids: int) -> pa.RecordBatch:
        return pa.record_batch([pa.array(ids, pa.int64())], schema=schema)

    try:
        sink = exactly_once_sink(db, table, job_name, None)
        committer = sink.create_committer()
        assert committer is not None
        sink.prepare(schema)
        writer = sink.create_writer(0, schema)
        writer.write(rows(1, 2))
        info1 = writer.prepare_commit(1)
        committer.commit([info1])  # checkpoint 1 persisted and committed
        writer.write(rows(3, 4))
        info2 = writer.prepare_commit(2)  # checkpoint 2 persisted, process dies before commit
        writer.write(rows(5))
        info3 = writer.prepare_commit(3)  # checkpoint 3 prepared but never persisted
        assert info2 and info3
        writer.close()
        sink.finish(True)
        assert _ids(db, table) == [1, 2]  # prepared rows are invisible
        assert sorted(_prepared(db, job_name)) == sorted([info2["xid"], info3["xid"]])

        # restart from checkpoint 2: the engine re-commits its infos, then prepares the sink
        restarted = exactly_once_sink(db, table, job_name, 2)
        again = restarted.create_committer()
        assert again is not None
        again.commit([info2])
        again.commit([info2])  # idempotent
        restarted.prepare(schema)  # rolls back checkpoint 3's transaction
        restarted.finish(True)
        assert _ids(db, table) == [1, 2, 3, 4]
        assert _prepared(db, job_name) == []
        ckpts = db.rows(f"SELECT checkpoint_id FROM {CHECKPOINT_TABLE} "
                        f"WHERE job_name = '{job_name}/sink.Jdbc' ORDER BY 1")
        assert [int(r[0]) for r in ckpts] == [1, 2]
    finally:
        for xid in _prepared(db, job_name):
            db.exec(f"ROLLBACK PREPARED '{xid}'" if db.name == "postgresql" else f"XA ROLLBACK '{xid}'")
        db.exec(f"DROP TABLE IF EXISTS {table}", f"DELETE FROM {CHECKPOINT_TABLE} WHERE job_name LIKE '{job_name}/%'")


@pytest.mark.slow
def test_job_killed_between_checkpoints_writes_every_row_once(db: Any, table: str, job: Any) -> None:
    job_name = f"kill_{table}"
    total = 3000
    path = job(f"""
        env {{ job.mode = BATCH, job.name = "{job_name}", checkpoint.interval = 300,
               read_limit.rows_per_second = 1500 }}
        source {{
          FakeSource {{ row.num = {total}, batch.size = 50, auto.increment.enabled = true,
                        schema = {{ fields {{ id = bigint, name = string }} }} }}
        }}
        sink {{
          Jdbc {{ url = "{db.url}", user = seatunnel, password = seatunnel, generate_sink_sql = true,
                  table = "{table}", is_exactly_once = true }}
        }}
        """)
    command = [sys.executable, "-m", "seatunnel_py.cli", "run", str(path)]
    try:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env=dict(os.environ))
        deadline = time.time() + 60
        committed = 0
        while time.time() < deadline and process.poll() is None:
            try:
                committed = int(db.rows(f"SELECT count(*) FROM {table}")[0][0])
            except Exception:  # the job has not created the table yet
                committed = 0
            if committed >= 300:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the job ended before it could be killed"
        assert committed >= 300, "no checkpoint was committed within 60 s"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        visible = _ids(db, table)
        assert 0 < len(visible) < total
        assert visible == list(range(1, len(visible) + 1))  # whole checkpoints, nothing twice

        result = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ), timeout=120,
                                check=False)
        assert result.returncode == 0, result.stderr
        assert re.search(r"Resumed From Checkpoint\s*:\s*[1-9]", result.stdout), result.stdout
        assert _ids(db, table) == list(range(1, total + 1))
        assert _prepared(db, job_name) == []
    finally:
        for xid in _prepared(db, job_name):
            db.exec(f"ROLLBACK PREPARED '{xid}'" if db.name == "postgresql" else f"XA ROLLBACK '{xid}'")
        db.exec(f"DROP TABLE IF EXISTS {table}")
        db.exec(f"DELETE FROM {CHECKPOINT_TABLE} WHERE job_name LIKE '{job_name}/%'")
