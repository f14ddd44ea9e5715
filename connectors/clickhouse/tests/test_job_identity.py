"""Deduplication tokens belong to one job: two jobs inserting identical blocks never drop each other's rows.

Unnamed jobs all have ``job_name = "SeaTunnel_Job"``; the engine's ``job_key`` tells them
apart. Tokens carry the job key and the run id.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
from ch_helpers import make_sink
from seatunnel_py_clickhouse.sink import ClickhouseSink

from seatunnel_py.api import PluginContext
from seatunnel_py.jobs import run_job


def unnamed_job(clickhouse: Any, database: str) -> str:
    """An unnamed BATCH job inserting the same 5 rows (ids 1..5) into ``database.t``."""
    return f"""
        env {{ job.mode = "BATCH" }}
        source {{
          FakeSource {{
            row.num = 5
            auto.increment.enabled = true
            schema = {{ fields {{ id = bigint }} }}
          }}
        }}
        sink {{ Clickhouse {{
            {clickhouse.hocon()}
            database = "{database}"
            table = "t"
            bulk_size = 2
        }} }}
    """


def test_two_unnamed_jobs_inserting_identical_blocks_keep_both(
        clickhouse: Any, database: str, write_job: Callable[..., Path]) -> None:
    """Same rows, same blocks, same checkpoint ids, same table (which deduplicates): both jobs' rows stay."""
    first = write_job(unnamed_job(clickhouse, database), name="first.conf")
    second = write_job(unnamed_job(clickhouse, database), name="second.conf")
    assert run_job(first).last_checkpoint_id == run_job(second).last_checkpoint_id == 1
    client = clickhouse.client()
    assert "non_replicated_deduplication_window = 10000" in client.command(f"SHOW CREATE TABLE {database}.t")
    assert client.query(f"SELECT id, count() FROM {database}.t GROUP BY id ORDER BY id").result_rows == \
        [(i, 2) for i in range(1, 6)]


def _token(sink: ClickhouseSink, options: dict[str, Any]) -> str:
    schema = pa.schema([("id", pa.int64())])
    writer = sink.create_writer(0, schema)
    writer.write(pa.RecordBatch.from_pydict({"id": pa.array([1], pa.int64())}))
    info = writer.prepare_commit(1)
    writer.close()
    return str(info["token"])


def test_tokens_derive_from_the_job_key_not_the_display_name(clickhouse: Any, database: str) -> None:
    """Two unnamed jobs share ``job_name``; even if their run ids were equal, their tokens must differ."""
    options = clickhouse.options(database=database, table="t")
    clickhouse.client().command(f"CREATE TABLE {database}.t (id Int64) ENGINE = MergeTree ORDER BY id "
                                "SETTINGS non_replicated_deduplication_window = 100")
    opts = ClickhouseSink.options_model.model_validate(options)
    tokens = [_token(ClickhouseSink(opts, PluginContext(job_key=key, run_id="r1")), options)
              for key in ("first@0a1b2c3d", "second@4e5f6a7b")]
    assert tokens[0] != tokens[1]
    assert tokens[0].startswith("first@0a1b2c3d:r1:0:0:")
    assert _token(make_sink(options), options).startswith("job:")  # the helpers' sinks run as job "job"
