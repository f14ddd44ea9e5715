"""The checkpoint protocol in-process: order of calls, restore, abort markers, timeouts, state."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from seatunnel_py.api import Split
from seatunnel_py.api.capabilities import Capability
from seatunnel_py.config.binding import bind_job
from seatunnel_py.config.issues import ConfigErrors
from seatunnel_py.config.loader import load_text
from seatunnel_py.engine import runner as runner_module
from seatunnel_py.engine.plan import build_plan
from seatunnel_py.engine.runner import JobFailed, JobResult, JobRunner
from seatunnel_py.engine.state import Checkpoint, StateError, StateLocked, open_store
from seatunnel_py.engine.state.local import LocalStateStore
from seatunnel_py.jobs import run_job
from seatunnel_py.registry import PluginKind, Registry

from .scripted import RecordingSink, ScriptedSource


@pytest.fixture
def job(write_job: Callable[..., Path], reg: Registry, tmp_path: Path) -> Callable[..., JobResult]:
    """Write a job and run it in-process against a state directory of the test."""

    def run(text: str, **kwargs: object) -> JobResult:
        path = write_job(text)
        kwargs.setdefault("state_store", str(tmp_path / "state"))
        return run_job(path, registry=reg, **kwargs)  # type: ignore[arg-type]

    return run


def visible_ids() -> list[int]:
    return sorted(i for b in RecordingSink.visible for i in b.column("id").to_pylist())


SLOW_SCRIPT = '[[2, "WAIT", "WAIT", "WAIT", 2, "WAIT", "WAIT", "WAIT", 2, "WAIT", "WAIT", "WAIT", 2]]'


def test_periodic_checkpoints_save_before_commit(job: Callable[..., JobResult], tmp_path: Path) -> None:
    saved: list[int] = []
    store = LocalStateStore(tmp_path / "state")
    real_save = store.save

    def save(checkpoint: Checkpoint) -> int | None:
        marker = "committed" if checkpoint.committed else "saved"
        if not checkpoint.committed:
            saved.append(checkpoint.checkpoint_id)
        RecordingSink.events.append(f"{marker}:{checkpoint.checkpoint_id}")
        return real_save(checkpoint)

    store.save = save  # type: ignore[method-assign]
    result = job(f"""
        env {{ job.name = periodic, checkpoint.interval = 60 }}
        source {{ Scripted {{ script = {SLOW_SCRIPT} }} }}
        sink {{ Recording {{}} }}
        """, state_store=store)
    assert result.checkpoints == len(saved) >= 2
    assert saved == list(range(1, len(saved) + 1))
    events = [e for e in RecordingSink.events if e.startswith(("saved", "commit", "before_commit"))]
    for checkpoint_id in saved:  # every commit comes after its save, every save after before_commit
        before = events.index(f"before_commit:{checkpoint_id}:{checkpoint_id == saved[-1]}")
        assert events[before + 1] == f"saved:{checkpoint_id}"
        if events[before + 2] == "commit":  # a checkpoint with output is marked committed after its commit
            assert events[before + 3] == f"committed:{checkpoint_id}"
    assert visible_ids() == list(range(8))
    final = store.load("periodic")
    assert final is not None and final.finished and final.checkpoint_id == saved[-1] and final.committed
    assert final.splits == {"source[0]": {"s0": {"step": 13, "next_id": 8}}}
    assert ScriptedSource.notified[-1] == (saved[-1], {"s0": {"step": 13, "next_id": 8}})


@pytest.mark.parametrize("transform", ["", "transform { Copy { fields { id2 = id } } }"],
                         ids=["reader-writer", "reader-transformer-writer"])
def test_abort_marker_then_resume_is_exactly_once(job: Callable[..., JobResult], tmp_path: Path,
                                                  transform: str) -> None:
    text = f"""
        env {{ job.name = aborting, checkpoint.interval = 40, parallelism = 2 }}
        source {{ Scripted {{ script = [[3, "WAIT", "WAIT", "WAIT", 3, "WAIT", "WAIT", "WAIT", "ABORT", 3],
                                      [2, "WAIT", "WAIT", "WAIT", "WAIT", 2, "WAIT", 2]] }} }}
        {transform}
        sink {{ Recording {{}} }}
        """
    with pytest.raises(JobFailed, match="scripted abort in s0"):
        job(text)
    saved = open_store(str(tmp_path / "state")).load("aborting")
    assert saved is not None and not saved.finished
    assert any(e.startswith("committer_abort") for e in RecordingSink.events)
    first_run = visible_ids()
    result = job(text)
    assert result.restored_from == saved.checkpoint_id
    assert result.last_checkpoint_id is not None and result.last_checkpoint_id > saved.checkpoint_id
    assert visible_ids() == [*range(9), *range(1_000_000, 1_000_006)]  # every row once, over both runs
    assert set(first_run) <= set(visible_ids())
    restored_writers = [e for e in RecordingSink.events if e.startswith("create_writer") and "None" not in e]
    assert restored_writers, "writers of the second run get the states of the saved checkpoint"


def test_transforms_run_in_their_own_thread_and_barriers_keep_their_place(
        job: Callable[..., JobResult], monkeypatch: pytest.MonkeyPatch) -> None:
    from seatunnel_py.builtins.transforms.copy import CopyTransform

    from .scripted import _RecordingWriter

    threads: dict[str, set[str]] = {"transform": set(), "write": set()}
    real_apply, real_write = CopyTransform.apply, _RecordingWriter.write

    def apply(self: CopyTransform, batch: pa.RecordBatch) -> pa.RecordBatch | None:
        threads["transform"].add(threading.current_thread().name)
        return real_apply(self, batch)

    def write(self: _RecordingWriter, batch: pa.RecordBatch) -> None:
        threads["write"].add(threading.current_thread().name)
        real_write(self, batch)

    monkeypatch.setattr(CopyTransform, "apply", apply)
    monkeypatch.setattr(_RecordingWriter, "write", write)
    result = job(f"""
        env {{ job.name = three_stages, checkpoint.interval = 60 }}
        source {{ Scripted {{ script = {SLOW_SCRIPT} }} }}
        transform {{ Copy {{ fields {{ id2 = id }} }} }}
        sink {{ Recording {{}} }}
        """)
    assert threads == {"transform": {"source.Scripted-transform-0"}, "write": {"source.Scripted-proc-0"}}
    assert result.checkpoints >= 2 and visible_ids() == list(range(8))
    # each checkpoint holds exactly the rows read before its barrier: the reader's position
    # saved with checkpoint k (next_id) equals the rows written up to checkpoint k
    assert len(ScriptedSource.notified) == result.checkpoints
    for checkpoint_id, states in ScriptedSource.notified:
        keys = [info["key"] for info in RecordingSink.committed if info["checkpoint"] <= checkpoint_id]
        written = [i for key in keys for b in RecordingSink.staged[key] for i in b.column("id2").to_pylist()]
        assert written == list(range(states["s0"]["next_id"])), checkpoint_id


def test_pending_commits_of_the_saved_checkpoint_are_committed_again(
        job: Callable[..., JobResult], tmp_path: Path) -> None:
    store = LocalStateStore(tmp_path / "state")
    RecordingSink.staged["old-run:0:7"] = []
    store.save(Checkpoint(job_name="recommit", checkpoint_id=7, plugins={"source[0]": "Scripted", "sink[0]": "Recording"},
                          splits={"source[0]": {"s0": {"step": 1, "next_id": 5}}},
                          pending={"sink[0]": [{"writer": 0, "rows": 0, "key": "old-run:0:7", "checkpoint": 7}]}))
    result = job("""
        env { job.name = recommit }
        source { Scripted { script = [[5, 1]] } }
        sink { Recording {} }
        """)
    assert RecordingSink.committed[0]["key"] == "old-run:0:7"  # re-committed before anything else
    assert result.restored_from == 7 and result.last_checkpoint_id == 8
    assert visible_ids() == [5]  # the split resumed after its first step


def test_checkpoint_timeout_fails_the_job(job: Callable[..., JobResult]) -> None:
    with pytest.raises(JobFailed, match=r"checkpoint 1 expired before completing.*checkpoint.timeout"):
        job("""
            env { checkpoint.interval = 10, checkpoint.timeout = 100 }
            source { Scripted { script = [[1, 1, 1, 1, 1, 1]] } }
            sink { Recording { delay_ms = 400 } }
            """)


def test_a_failed_commit_leaves_the_checkpoint_for_the_next_run(job: Callable[..., JobResult], tmp_path: Path) -> None:
    text = """
        env { job.name = commitfail }
        source { Scripted { script = [[4]] } }
        sink { Recording { fail_on_commit = %s } }
        """
    with pytest.raises(JobFailed, match="commit refused"):
        job(text % "true")
    saved = open_store(str(tmp_path / "state")).load("commitfail")
    assert saved is not None and saved.pending["sink[0]"][0]["rows"] == 4
    job(text % "false")
    assert visible_ids() == [0, 1, 2, 3]  # committed by the next run, read once


def test_batch_rerun_reads_only_what_is_new(job: Callable[..., JobResult]) -> None:
    text = """
        env { job.name = cron }
        source { Scripted { script = [[2, 2]] } }
        sink { Recording {} }
        """
    first = job(text)
    second = job(text)
    assert first.metrics.read_rows == 4 and second.metrics.read_rows == 0
    assert second.restored_from == first.last_checkpoint_id
    third = job(text, ignore_state=True)
    assert third.metrics.read_rows == 4
    assert third.restored_from is None and third.last_checkpoint_id == (second.last_checkpoint_id or 0) + 1


def test_changed_source_is_explained(job: Callable[..., JobResult], tmp_path: Path) -> None:
    job("""
        env { job.name = changing }
        source { Scripted { script = [[1]] } }
        sink { Recording {} }
        """)
    with pytest.raises(StateError, match=r"source\[0\] was Scripted and is now FakeSource.*--ignore-state"):
        job("""
            env { job.name = changing }
            source { FakeSource { row.num = 1, schema = { fields { id = bigint } } } }
            sink { Recording {} }
            """)


def test_corrupt_and_foreign_state_fail_clearly(job: Callable[..., JobResult], tmp_path: Path) -> None:
    folder = tmp_path / "state" / "broken"
    folder.mkdir(parents=True)
    text = """
        env { job.name = broken }
        source { Scripted { script = [[1]] } }
        sink { Recording {} }
        """
    (folder / "checkpoint.json").write_text('{"format_version": 1, "job_na')
    with pytest.raises(StateError, match=r"saved state at .*checkpoint.json is corrupt \(not valid JSON"):
        job(text)
    (folder / "checkpoint.json").write_text(json.dumps({"format_version": 99}))
    with pytest.raises(StateError, match="has format version 99, this seatunnel-py reads version 1"):
        job(text)
    (folder / "checkpoint.json").write_text(json.dumps({"format_version": 1, "job_name": "broken"}))
    with pytest.raises(StateError, match="is corrupt \\(missing or malformed field"):
        job(text)
    assert RecordingSink.events == []  # nothing ran


def test_second_run_of_a_job_is_refused_while_the_first_holds_the_lock(
        job: Callable[..., JobResult], tmp_path: Path) -> None:
    holder = LocalStateStore(tmp_path / "state")
    with holder.locked("busy"), pytest.raises(StateLocked, match="job 'busy' is already running"):
        job("""
            env { job.name = busy }
            source { Scripted { script = [[1]] } }
            sink { Recording {} }
            """)
    job("""
        env { job.name = busy }
        source { Scripted { script = [[1]] } }
        sink { Recording {} }
        """)  # released: runs
    assert visible_ids() == [0]


def test_streaming_interleaves_splits_and_picks_up_new_ones(reg: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner_module, "DISCOVERY_SECONDS", 0.05)
    ScriptedSource.discoverable = [Split("s5", {"steps": [7]})]
    job = bind_job(load_text("""
        env { job.mode = STREAMING, checkpoint.interval = 50 }
        source { Scripted { script = [[1, 1, 1], [1, 1, 1]] } }
        sink { Recording {} }
        """, "job.conf"), reg)
    runner = JobRunner(build_plan(job))
    results: list[JobResult] = []
    thread = threading.Thread(target=lambda: results.append(runner.run()))
    thread.start()
    deadline = time.monotonic() + 20
    while len(visible_ids()) < 13 and time.monotonic() < deadline:
        time.sleep(0.02)
    runner.request_stop()
    thread.join(20)
    assert results and results[0].stopped and results[0].checkpoints >= 2
    assert visible_ids() == [0, 1, 2, 1_000_000, 1_000_001, 1_000_002, *range(5_000_000, 5_000_007)]
    # one task read both splits (and the discovered one), each in a thread of its own
    assert {b.column("split")[0].as_py() for b in RecordingSink.batches} == {"s0", "s1", "s5"}


def test_planner_refuses_streaming_sources_that_cannot_run_or_resume(reg: Registry, tmp_path: Path) -> None:
    class OneShot(ScriptedSource):
        """Unbounded but without resumable state."""

        name = "OneShot"
        capabilities = ScriptedSource.capabilities - {Capability.RESUMABLE}

    reg.add(PluginKind.SOURCE, OneShot, "tests")
    text = f"""
        env {{ job.mode = STREAMING }}
        source {{
          OneShot {{ plugin_output = a }}
          LocalFile {{ path = "{tmp_path}", file_format_type = text, plugin_output = b }}
        }}
        sink {{ Recording {{ plugin_input = [a, b] }} }}
        """
    with pytest.raises(ConfigErrors) as caught:
        build_plan(bind_job(load_text(text, "job.conf"), reg))
    messages = [issue.render() for issue in caught.value.issues]
    assert any("source.OneShot: this source cannot resume from a checkpoint" in m for m in messages)
    assert any("source.LocalFile: this source cannot read continuously" in m for m in messages)
