"""Guarantees where plugins, signals and the engine meet (issue 11).

Each fault is placed through the plugins themselves (a scripted reader that hangs, a
sink that blocks, a state store hook that sends signals right after a save), never by
sleeping until something probably happened.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from seatunnel_py.api import PluginContext
from seatunnel_py.config.binding import bind_job
from seatunnel_py.config.loader import load_text
from seatunnel_py.engine.plan import build_plan
from seatunnel_py.engine.runner import JobFailed, JobResult, JobRunner
from seatunnel_py.engine.state import Checkpoint
from seatunnel_py.jobs import plan_job, run_job
from seatunnel_py.registry import Registry

from .scripted import HookedStore, RecordingSink, ScriptedSource

BOUND = 30.0
"""Seconds after which a test calls a run hung (every run here ends in a few seconds)."""


def visible_ids() -> list[int]:
    return sorted(i for b in RecordingSink.visible for i in b.column("id").to_pylist())


@pytest.fixture(autouse=True)
def _release_blocked_readers() -> Iterator[None]:
    yield
    ScriptedSource.release.set()


def start(text: str, reg: Registry) -> tuple[JobRunner, threading.Thread, list[JobResult | BaseException]]:
    """Run a job in a thread (so that a hang fails the test instead of the suite)."""
    runner = JobRunner(build_plan(bind_job(load_text(text, "job.conf"), reg)))
    outcome: list[JobResult | BaseException] = []

    def target() -> None:
        try:
            outcome.append(runner.run())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return runner, thread, outcome


def ended(thread: threading.Thread, outcome: list[JobResult | BaseException]) -> JobResult | BaseException:
    thread.join(BOUND)
    assert not thread.is_alive(), f"the run did not end within {BOUND} s"
    return outcome[0]


# --- 1. one job identity ------------------------------------------------------------
def test_unnamed_jobs_get_distinct_keys_that_plugins_see(write_job: Callable[..., Path], reg: Registry,
                                                         tmp_path: Path) -> None:
    text = "source { Scripted {} }\nsink { Recording {} }"
    first = plan_job(write_job(text, name="a/job.conf"), registry=reg)
    second = plan_job(write_job(text, name="b/job.conf"), registry=reg)
    contexts: list[PluginContext] = [first.sinks[0].plugin.context, second.sinks[0].plugin.context]
    assert contexts[0].job_name == contexts[1].job_name == "SeaTunnel_Job"  # SeaTunnel's display name
    assert contexts[0].job_key != contexts[1].job_key
    assert contexts[0].job_key.startswith("job@")
    named = plan_job(write_job('env { job.name = "nightly" }\n' + text, name="c/job.conf"), registry=reg)
    assert named.sources[0].plugin.context.job_key == "nightly"


# --- 2. signals never abort what a saved checkpoint holds ---------------------------
def _two_signals_then_wait(handled: dict[str, threading.Event]) -> None:
    """SIGTERM, and once its handler ran, SIGTERM again (two pending signals would make one)."""
    os.kill(os.getpid(), signal.SIGTERM)
    assert handled["request_stop"].wait(BOUND), "the first signal did not reach the runner"
    os.kill(os.getpid(), signal.SIGTERM)
    assert handled["stop_now"].wait(BOUND), "the second signal did not reach the runner"


@pytest.mark.parametrize("where", ["save", "commit"])
def test_a_second_signal_inside_the_save_or_commit_aborts_nothing_saved(
        where: str, write_job: Callable[..., Path], reg: Registry, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Both signals land right after checkpoint 1 is saved (or while it commits): the next run
    commits what it holds again, so every row is visible exactly once."""
    handled = {name: threading.Event() for name in ("request_stop", "stop_now")}
    for name, event in handled.items():
        def noted(self: JobRunner, real: Callable[[JobRunner], None] = getattr(JobRunner, name),
                  event: threading.Event = event) -> None:
            real(self)
            event.set()
        monkeypatch.setattr(JobRunner, name, noted)
    store = HookedStore(tmp_path / "state")
    path = write_job("""
        env { job.name = signalled, checkpoint.interval = 20 }
        source { Scripted { script = [[2, "WAIT", "WAIT", 2, "WAIT", "WAIT", 2]] } }
        sink { Recording {} }
        """)
    fired: list[int] = []
    if where == "save":
        def on_save(checkpoint: Checkpoint) -> None:
            if not fired and checkpoint.pending:
                fired.append(checkpoint.checkpoint_id)
                _two_signals_then_wait(handled)
        RecordingSink.on_save = on_save
    else:
        from . import scripted
        real_commit = scripted._RecordingCommitter.commit

        def commit(self: scripted._RecordingCommitter, infos: list[dict[str, object]]) -> None:
            if not fired:
                fired.append(1)
                _two_signals_then_wait(handled)
            real_commit(self, infos)
        monkeypatch.setattr(scripted._RecordingCommitter, "commit", commit)

    with pytest.raises(KeyboardInterrupt):
        run_job(path, registry=reg, state_store=store, handle_signals=True)
    assert fired
    RecordingSink.on_save = None
    monkeypatch.undo()
    result = run_job(path, registry=reg, state_store=HookedStore(tmp_path / "state"))
    assert result.restored_from is not None
    assert visible_ids() == list(range(6))


def test_finish_is_called_once_and_told_the_last_saved_checkpoint(
        write_job: Callable[..., Path], reg: Registry, tmp_path: Path) -> None:
    path = write_job("""
        env { job.name = finishing }
        source { Scripted { script = [[2, 2]] } }
        sink { Recording { fail_on_finish = true } }
        """)
    with pytest.raises(JobFailed, match=r"sink\.Recording failed: RuntimeError: finish refused"):
        run_job(path, registry=reg, state_store=str(tmp_path / "state"))
    assert RecordingSink.finish_calls == [(True, 1)]  # no second finish(False) after it raised


# --- 3. a stuck plugin cannot hang the job ------------------------------------------
def test_a_stop_request_ends_a_job_whose_reader_hangs_naming_it(reg: Registry,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="seatunnel_py.engine.failures")
    runner, thread, outcome = start("""
        env { checkpoint.timeout = 2000, shutdown.timeout = 500 }
        source { Scripted { script = [[1, 1, "BLOCK", 1]] } }
        sink { Recording {} }
        """, reg)
    assert ScriptedSource.blocked.wait(BOUND)
    runner.request_stop()
    failure = ended(thread, outcome)
    assert isinstance(failure, JobFailed)
    message = str(failure)
    assert "source.Scripted" in message and "SplitReader.read" in message, message
    assert "env.shutdown.timeout" in message
    assert visible_ids() == [0, 1]  # the final checkpoint committed what was read before the hang
    stacks = [r.getMessage() for r in caplog.records if "did not stop" in r.getMessage()]
    assert stacks and "ScriptedSource.release.wait()" in stacks[0]  # the stack -v shows


def test_a_checkpoint_timeout_ends_a_job_whose_writer_hangs_naming_it(reg: Registry) -> None:
    _, thread, outcome = start("""
        env { checkpoint.interval = 50, checkpoint.timeout = 1000, shutdown.timeout = 500 }
        source { Scripted { script = [[1, 1, 1, "WAIT", 1]] } }
        sink { Recording { block_on_write = 2 } }
        """, reg)
    failure = ended(thread, outcome)
    assert isinstance(failure, JobFailed)
    message = str(failure)
    assert message.startswith("checkpoint failed: checkpoint"), message
    assert "sink.Recording in SinkWriter.write" in message, message


# --- 4. blocking reads off the barrier path -----------------------------------------
def test_a_reader_blocked_in_read_neither_delays_checkpoints_nor_other_splits(reg: Registry) -> None:
    runner, thread, outcome = start("""
        env { job.mode = STREAMING, checkpoint.interval = 50, checkpoint.timeout = 1000, shutdown.timeout = 500 }
        source { Scripted { script = [["BLOCK"], [1, "WAIT", 1, "WAIT", 1]] } }
        sink { Recording {} }
        """, reg)
    deadline = time.monotonic() + BOUND
    while visible_ids() != [1_000_000, 1_000_001, 1_000_002] and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.02)
    assert visible_ids() == [1_000_000, 1_000_001, 1_000_002]  # committed by checkpoints while s0 hangs
    runner.request_stop()
    failure = ended(thread, outcome)
    assert isinstance(failure, JobFailed) and "SplitReader.read" in str(failure)


# --- 7. parallelism may change between runs -----------------------------------------
def test_writer_states_of_a_larger_parallelism_are_released_not_dropped(
        write_job: Callable[..., Path], reg: Registry, tmp_path: Path) -> None:
    text = """
        env {{ job.name = rescaled, parallelism = {p}, checkpoint.interval = 20 }}
        source {{ Scripted {{ script = [[1, "WAIT", 1], [1, "WAIT", 1], ["WAIT", "WAIT", "WAIT", "WAIT", "ABORT", 1]] }} }}
        sink {{ Recording {{}} }}
        """
    state = str(tmp_path / "state")
    with pytest.raises(JobFailed):
        run_job(write_job(text.format(p=3)), registry=reg, state_store=state)
    run_job(write_job(text.format(p=1)), registry=reg, state_store=state)
    # writer 0 resumes from its own state; those of writers 1 and 2 went to the sink, not to nowhere
    assert RecordingSink.events[-1] == "finish:True"
    created = [e for e in RecordingSink.events if e.startswith("create_writer:")]
    assert created[-1].startswith("create_writer:0:{") and "'writer': 0" in created[-1]
    assert sorted(RecordingSink.released_states) == [1, 2]
    assert all(s["writer"] == i for i, s in RecordingSink.released_states.items())
    assert visible_ids() == [0, 1, 1_000_000, 1_000_001, 2_000_000]


def test_writers_are_numbered_by_source_and_task_not_by_start_order(reg: Registry) -> None:
    plan = build_plan(bind_job(load_text("""
        env { parallelism = 2 }
        source {
          Scripted { plugin_output = a }
          Scripted { plugin_output = b, parallelism = 3 }
        }
        sink { Recording { plugin_input = [a, b] } }
        """, "job.conf"), reg))
    runner = JobRunner(plan)
    sink = plan.sinks[0]
    indexes = [runner.writers.index(sink, source, task) for source in plan.sources
               for task in range(plan.parallelism_of(source))]
    assert indexes == [0, 1, 2, 3, 4]


# --- 9. the contract is checked at run time, blamed on the plugin -------------------
def test_a_state_that_is_not_json_names_the_source(reg: Registry) -> None:
    _, thread, outcome = start("""
        source { Scripted { set_in_state = true, script = [[1, 1]] } }
        sink { Recording {} }
        """, reg)
    failure = ended(thread, outcome)
    assert isinstance(failure, JobFailed)
    message = str(failure)
    assert message.startswith("source.Scripted failed:"), message
    assert "SplitReader.snapshot()" in message and "cannot be saved as JSON" in message
    assert "state store" not in message


def test_a_commit_info_that_is_not_json_names_the_sink(reg: Registry) -> None:
    _, thread, outcome = start("""
        source { Scripted { script = [[1]] } }
        sink { Recording { info_not_json = true } }
        """, reg)
    failure = ended(thread, outcome)
    assert isinstance(failure, JobFailed)
    assert str(failure).startswith("sink.Recording failed:")
    assert "prepare_commit() returned cannot be saved as JSON" in str(failure)


def test_a_batch_of_another_schema_than_declared_names_the_source(reg: Registry) -> None:
    _, thread, outcome = start("""
        source { Scripted { id_type = int32, script = [[2]] } }
        sink { Recording {} }
        """, reg)
    failure = ended(thread, outcome)
    assert isinstance(failure, JobFailed)
    assert str(failure) == ("source.Scripted failed: a batch does not match the declared output schema: "
                            "column 'id' is int32 (declared int64)")
    assert visible_ids() == []


def test_an_idle_reader_that_returns_at_once_does_not_spin(reg: Registry) -> None:
    """FakeSource in STREAMING yields ``None`` forever once its rows are out: its thread must
    not call ``next()`` in a busy loop (it would take a core for nothing)."""
    runner, thread, outcome = start("""
        env { job.mode = STREAMING }
        source { FakeSource { row.num = 1, schema = { fields { id = bigint } } } }
        sink { Recording {} }
        """, reg)
    deadline = time.monotonic() + BOUND
    while RecordingSink.consumed < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    cpu_before = time.process_time()
    time.sleep(1.0)  # measures idle CPU over a second; nothing is lined up by it
    cpu = time.process_time() - cpu_before
    runner.request_stop()
    result = ended(thread, outcome)
    assert isinstance(result, JobResult) and result.stopped
    assert cpu < 0.3, f"the idle job used {cpu:.2f} s of CPU in one second"


def test_sigterm_ends_the_cli_whose_reader_hangs_with_exit_1_naming_it(write_job: Callable[..., Path],
                                                                       tmp_path: Path) -> None:
    """The reported case, end to end: a real process, a real SIGTERM once the reader hangs."""
    path = write_job("""
        env { checkpoint.timeout = 2000, shutdown.timeout = 500 }
        source { Scripted { script = [[1, 1, "BLOCK", 1]] } }
        sink { Recording {} }
        """)
    script = Path(__file__).with_name("cli_with_scripted.py")
    env = {**os.environ, "SEATUNNEL_PY_STATE_STORE": str(tmp_path / "state")}
    proc = subprocess.Popen([sys.executable, str(script), "run", "--no-progress", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "BLOCKED"
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=BOUND)
    finally:
        proc.kill()
    assert proc.returncode == 1, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, stderr
    assert "source.Scripted in SplitReader.read" in errors[0] and "env.shutdown.timeout" in errors[0]


def test_rows_a_plugin_rejects_count_as_failed(write_job: Callable[..., Path], reg: Registry) -> None:
    path = write_job("""
        source { Scripted { reject_per_batch = 2, script = [[1, 1, 1]] } }
        sink { Recording {} }
        """)
    result = run_job(path, registry=reg)
    assert result.metrics.failed_rows == 6 and result.metrics.written_rows == 3
