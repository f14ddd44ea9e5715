"""Commit infos come back from a state file anyone can edit: the committer checks them before acting.

A commit info names a prepared transaction. One that is not this sink's (another job's
or another sink's prefix, a legacy id the job does not own, anything not in the format
the sink generates) fails the run with one line and nothing is committed or rolled back
— not even the infos before it that were right.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from jdbc_helpers import exactly_once_sink
from seatunnel_py_jdbc.commit import CHECKPOINT_TABLE, legacy_prefix
from seatunnel_py_jdbc.sink import JdbcSink

from seatunnel_py.api import CommitInfo, ConnectorError

SCHEMA = pa.schema([pa.field("id", pa.int64())])
REFUSED = "refusing a commit info from the saved state"


def _prepared(db: Any) -> set[str]:
    if db.name == "postgresql":
        return {str(r[0]) for r in db.rows("SELECT gid FROM pg_prepared_xacts WHERE database = current_database()")}
    return {r[3].decode() if isinstance(r[3], bytes) else str(r[3]) for r in db.rows("XA RECOVER")}


def _prepare_one(sink: JdbcSink, value: int) -> CommitInfo:
    sink.prepare(SCHEMA)
    writer = sink.create_writer(0, SCHEMA)
    writer.write(pa.record_batch([pa.array([value], pa.int64())], schema=SCHEMA))
    info = writer.prepare_commit(1)
    writer.close()
    sink.finish(True)
    assert info is not None
    return info


@pytest.fixture
def two_sinks(db: Any, table: str) -> Any:
    """Sink ``mine`` and a prepared transaction of each of two sinks (``mine`` and ``other``)."""
    mine = exactly_once_sink(db, f"{table}_a", f"mine_{table}")
    other = exactly_once_sink(db, f"{table}_b", f"other_{table}")
    own_info, other_info = _prepare_one(mine, 1), _prepare_one(other, 2)
    yield mine, own_info, other_info
    prepared = _prepared(db)
    for info in (own_info, other_info):
        if info["xid"] in prepared:
            xid = info["xid"]
            db.exec(f"ROLLBACK PREPARED '{xid}'" if db.name == "postgresql" else f"XA ROLLBACK '{xid}'")
    db.exec(f"DROP TABLE IF EXISTS {table}_a", f"DROP TABLE IF EXISTS {table}_b",
            f"DELETE FROM {CHECKPOINT_TABLE} WHERE job_name LIKE '%{table}%'")


FORGED: dict[str, Any] = {
    "another sink's transaction": None,  # filled in by the test: the other sink's real xid
    "not the format": {"xid": "st2-0123456789ab-0-1-abcdef12' OR 'x' = 'x"},
    "a legacy id of an unnamed job": {"xid": legacy_prefix("SeaTunnel_Job") + "0-1-abcdef12"},
    "not a mapping": ["xid", "st2-0123456789ab-0-1-abcdef12"],
    "xid not text": {"xid": 12},
    "task index not the xid's": "task",
}


@pytest.mark.parametrize("case", list(FORGED))
@pytest.mark.parametrize("action", ["commit", "abort"])
def test_a_foreign_commit_info_is_refused_and_nothing_is_touched(db: Any, two_sinks: Any, case: str,
                                                                 action: str) -> None:
    mine, own_info, other_info = two_sinks
    forged = FORGED[case]
    if case == "another sink's transaction":
        forged = dict(other_info)
    elif case == "task index not the xid's":
        forged = {**own_info, "task_index": 5}
    committer = mine.create_committer()
    before = _prepared(db)
    with pytest.raises(ConnectorError) as failure:
        getattr(committer, action)([own_info, forged])  # the right info first: it must not be acted on either
    message = str(failure.value)
    assert message.startswith(f"Jdbc: {REFUSED}") and "\n" not in message
    assert _prepared(db) == before


def test_the_sinks_own_infos_are_still_committed(db: Any, two_sinks: Any) -> None:
    # a guard (it passed before): the checks must not refuse what the sink itself prepared
    mine, own_info, _ = two_sinks
    committer = mine.create_committer()
    committer.commit([own_info, None, {}])  # writers with nothing to commit give no info
    assert own_info["xid"] not in _prepared(db)


@pytest.mark.slow
def test_an_edited_state_file_fails_the_run_in_one_line(db: Any, table: str, two_sinks: Any, job: Any,
                                                        run_cli: Any, tmp_path: Path) -> None:
    _, _, other_info = two_sinks
    name = f"edited_{table}"
    path = job(f"""
        env {{ job.mode = BATCH, job.name = "{name}" }}
        source {{ FakeSource {{ row.num = 2, auto.increment.enabled = true, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Jdbc {{ url = "{db.url}", user = seatunnel, password = seatunnel, generate_sink_sql = true,
                        table = "{table}_c", is_exactly_once = true }} }}
        """)
    try:
        first = run_cli("run", path)
        assert first.returncode == 0, first.stderr
        [state] = (tmp_path / "state-store").glob("*/checkpoint.json")
        saved = json.loads(state.read_text())
        saved["committed"] = False
        saved["pending"] = {key: [dict(other_info)] for key in saved["pending"] or {"sink[0]": []}}
        state.write_text(json.dumps(saved))
        before = _prepared(db)

        second = run_cli("run", path)
        assert second.returncode == 1, second.stderr
        lines = [ln for ln in second.stderr.splitlines() if REFUSED in ln]
        assert len(lines) == 1 and other_info["xid"] in lines[0], second.stderr
        assert "Traceback" not in second.stderr
        assert _prepared(db) == before  # the other sink's transaction is still prepared
    finally:
        db.exec(f"DROP TABLE IF EXISTS {table}_c")
