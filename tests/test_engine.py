"""The engine in-process: parallel tasks, wiring, back-pressure, failures, rate limits."""

from __future__ import annotations

import threading
import time

import pyarrow as pa
import pytest

from seatunnel_py.config.binding import bind_job
from seatunnel_py.config.loader import load_text
from seatunnel_py.engine.plan import build_plan
from seatunnel_py.engine.runner import JobFailed, JobResult, JobRunner
from seatunnel_py.registry import PluginKind, Registry

from .scripted import RecordingSink, ScriptedSource


def run(text: str, registry: Registry) -> JobResult:
    job = bind_job(load_text(text, "job.conf"), registry)
    return JobRunner(build_plan(job)).run()


def ids() -> list[int]:
    return sorted(i for b in RecordingSink.batches for i in b.column("id").to_pylist())


def test_every_split_is_read_once_by_parallel_tasks(reg: Registry) -> None:
    result = run(
        """
        env { parallelism = 3 }
        source { Scripted { script = [[2, 3], [4], [1, "WAIT", 1], [5]] } }
        sink { Recording {} }
        """,
        reg,
    )
    expected = [*range(0, 5), *range(1_000_000, 1_000_004), *range(2_000_000, 2_000_002), *range(3_000_000, 3_000_005)]
    assert ids() == expected
    assert result.metrics.read_rows == result.metrics.written_rows == 16
    prepared = sorted(e for e in RecordingSink.events if e.startswith("prepare_commit"))
    assert prepared == ["prepare_commit:0", "prepare_commit:1", "prepare_commit:2"]
    assert RecordingSink.events[-3:] == ["before_commit:1:True", "commit", "finish:True"]
    assert sum(info["rows"] for info in RecordingSink.committed) == 16


def test_fan_out_and_several_sources_into_one_sink(reg: Registry) -> None:
    result = run(
        """
        source {
          Scripted { plugin_output = "a", script = [[2]] }
          Scripted { plugin_output = "b", script = [[3]] }
        }
        sink {
          Recording { plugin_input = ["a", "b"] }
          Recording { plugin_input = "a" }
        }
        """,
        reg,
    )
    assert result.metrics.read_rows == 5
    assert result.per_sink_rows == {"sink[0].Recording": 5, "sink[1].Recording": 2}


def test_a_plugin_failure_stops_the_job_and_aborts_without_commit(reg: Registry) -> None:
    with pytest.raises(JobFailed) as info:
        run(
            """
            env { parallelism = 2 }
            source { Scripted { script = [[1, 1, 1, "FAIL"], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]] } }
            sink { Recording {} }
            """,
            reg,
        )
    assert str(info.value) == "source.Scripted failed: scripted failure in s0"
    assert "commit" not in RecordingSink.events
    assert RecordingSink.committed == []
    assert any(e.startswith("committer_abort") for e in RecordingSink.events)
    assert RecordingSink.events[-1] == "finish:False"


def test_a_commit_failure_fails_the_job_naming_the_sink(reg: Registry) -> None:
    with pytest.raises(JobFailed, match=r"^sink.Recording failed: RuntimeError: commit refused$"):
        run("source { Scripted {} }\nsink { Recording { fail_on_commit = true } }", reg)


def test_bounded_queue_gives_back_pressure(reg: Registry) -> None:
    """A slow sink holds the reader back: it never runs more than the queue (4) plus the
    batch in each thread's hands ahead of what the sink has consumed."""
    job = bind_job(load_text(
        "source { Scripted { script = [[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]] } }\nsink { Recording { delay_ms = 15 } }",
        "job.conf"), reg)
    worst = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal worst
        while not done.is_set():
            worst = max(worst, ScriptedSource.produced - RecordingSink.consumed)
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        JobRunner(build_plan(job)).run()
    finally:
        done.set()
        watcher.join()
    assert ScriptedSource.produced == RecordingSink.consumed == 16
    assert worst <= 4 + 2, f"the reader ran {worst} batches ahead of the sink"


def test_read_limit_rows_per_second_paces_reading(reg: Registry) -> None:
    started = time.monotonic()
    result = run(
        """
        env { read_limit.rows_per_second = 100 }
        source { Scripted { script = [[50]] } }
        sink { Recording {} }
        """,
        reg,
    )
    elapsed = time.monotonic() - started
    assert result.metrics.written_rows == 50
    assert elapsed >= 0.45, "50 rows at 100 rows/s cannot take less than half a second"
    assert len(RecordingSink.batches) >= 5, "a large batch is sliced so the pace is smooth"


def test_row_kinds_travel_with_the_rows(reg: Registry) -> None:
    run(
        """
        source { FakeSource {
          schema = { fields { id = int, name = string } }
          rows = [
            { kind = INSERT, fields = [1, "a"] }
            { kind = UPDATE_BEFORE, fields = [1, "a"] }
            { kind = UPDATE_AFTER, fields = [1, "b"] }
            { kind = DELETE, fields = [1, "b"] }
          ]
        } }
        sink { Recording {} }
        """,
        reg,
    )
    (batch,) = RecordingSink.batches
    assert batch.schema.names == ["id", "name", "__row_kind__"]
    assert batch.column("__row_kind__").to_pylist() == [0, 1, 2, 3]


def test_linear_chain_without_names(reg: Registry) -> None:
    result = run("source { Scripted { script = [[4]] } }\nsink { Recording {} }", reg)
    assert result.metrics.written_rows == 4


def test_table_names_tag_batches(reg: Registry) -> None:
    from seatunnel_py.api import table_id

    run(
        """
        source { FakeSource { table-names = ["db.t1", "db.t2"], row.num = 2, schema = { fields { a = int } } } }
        sink { Recording {} }
        """,
        reg,
    )
    assert sorted(table_id(b) for b in RecordingSink.batches) == ["db.t1", "db.t2"]


def test_empty_source_still_commits(reg: Registry) -> None:
    result = run("source { Scripted { script = [[]] } }\nsink { Recording {} }", reg)
    assert result.metrics.read_rows == 0
    assert RecordingSink.events[-2:] == ["commit", "finish:True"]


def test_batches_keep_their_schema(reg: Registry) -> None:
    run("source { Scripted { script = [[2]] } }\nsink { Recording {} }", reg)
    assert RecordingSink.batches[0].schema.equals(pa.schema([("id", pa.int64()), ("split", pa.string())]))


def test_read_limit_bytes_per_second_paces_reading(reg: Registry) -> None:
    started = time.monotonic()
    result = run(
        """
        env { read_limit.bytes_per_second = 40000 }
        source { Scripted { script = [[1000], [1000]] } }
        sink { Recording {} }
        """,
        reg,
    )
    elapsed = time.monotonic() - started
    total_bytes = result.metrics.read_bytes
    assert result.metrics.written_rows == 2000
    assert total_bytes > 20000
    assert elapsed >= 0.95 * total_bytes / 40000, "a batch is handed out only once its bytes are within the rate"


def test_a_source_that_cannot_reach_its_server_while_planning_is_a_run_time_failure(reg: Registry) -> None:
    from seatunnel_py.api import ConnectorError
    from seatunnel_py.config.issues import ConfigErrors

    class Unreachable(ScriptedSource):
        """Asks its server for the schema, which refuses."""

        name = "Unreachable"

        def output_schema(self) -> pa.Schema:
            raise ConnectorError("cannot connect to 127.0.0.1:1: connection refused")

    reg.add(PluginKind.SOURCE, Unreachable, "tests")
    job = bind_job(load_text("source { Unreachable {} }\nsink { Recording {} }", "job.conf"), reg)
    with pytest.raises(JobFailed, match=r"^source.Unreachable failed: cannot connect to 127.0.0.1:1"):
        build_plan(job)
    with pytest.raises(ConfigErrors):  # a job-file problem elsewhere still wins (exit 2)
        build_plan(bind_job(load_text("source { Unreachable {} }\nsink { Recording { plugin_input = nope } }",
                                      "job.conf"), reg))
