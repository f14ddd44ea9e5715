"""The LocalFile sink names its staging folders after the job's key, and cleans up only its own dead runs.

Two unnamed jobs are both called ``SeaTunnel_Job``; their keys (``<file stem>@<hash>``)
differ. These tests run real jobs through ``run_job`` and place faults by making the
committer raise or wait at a precise point.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from seatunnel_py_files import commit as commit_module
from seatunnel_py_files.commit import STAGING_DIR
from seatunnel_py_files.sink import LocalFileSink, staging_name

from seatunnel_py.api import CommitInfo, PluginContext
from seatunnel_py.engine.failures import JobFailed
from seatunnel_py.jobs import run_job
from seatunnel_py.testing import committed_values

WAIT = 60.0
"""Upper bound of every wait on another thread (never reached when the test passes)."""


def job_text(source: Path, out: Path) -> str:
    """An unnamed BATCH job copying the parquet file ``source`` into ``out``."""
    return f"""
        env {{ job.mode = "BATCH" }}
        source {{ LocalFile {{ path = "{source}", file_format_type = "parquet" }} }}
        sink {{ LocalFile {{ path = "{out}", file_format_type = "parquet" }} }}
    """


def parquet(path: Path, ids: list[int]) -> Path:
    """A parquet file of one ``id`` column."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"id": pa.array(ids, pa.int64())}), path)
    return path


def staged_files(out: Path) -> list[Path]:
    return [p for p in (out / STAGING_DIR).rglob("*") if p.is_file()] if (out / STAGING_DIR).is_dir() else []


def test_a_dead_run_of_another_unnamed_job_keeps_its_staged_files(
        write_job: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Job A dies after its checkpoint is saved, before the commit; unnamed job B writes into the same
    folder; A's next run must still find its staged files to commit (B used to delete them)."""
    out = tmp_path / "out"
    job_a = write_job(job_text(parquet(tmp_path / "a.parquet", [1, 2, 3]), out), name="a.conf")
    job_b = write_job(job_text(parquet(tmp_path / "b.parquet", [10, 20]), out), name="b.conf")
    real_commit = commit_module.LocalFileCommitter.commit

    def crash(self: commit_module.LocalFileCommitter, infos: list[CommitInfo]) -> None:
        raise RuntimeError("killed between the checkpoint save and the commit")

    monkeypatch.setattr(commit_module.LocalFileCommitter, "commit", crash)
    with pytest.raises(JobFailed, match="killed between"):
        run_job(job_a)
    assert staged_files(out), "the saved checkpoint's files wait in A's staging folder"
    monkeypatch.setattr(commit_module.LocalFileCommitter, "commit", real_commit)

    run_job(job_b)
    assert sorted(committed_values(out, "id")) == [10, 20]
    result = run_job(job_a)  # resumes A's checkpoint: re-commits its staged files
    assert result.restored_from is not None
    assert sorted(committed_values(out, "id")) == [1, 2, 3, 10, 20]
    assert staged_files(out) == []


def test_a_running_run_of_the_same_job_keeps_its_staging_folder(
        write_job: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run 1 of a job holds prepared files (checkpoint saved, commit not yet done) while run 2 of the
    same job file, with another state store, starts and cleans up dead runs: run 1's folder is alive."""
    out = tmp_path / "out"
    job = write_job(job_text(parquet(tmp_path / "in.parquet", [1, 2]), out))
    real_commit = commit_module.LocalFileCommitter.commit
    reached, release = threading.Event(), threading.Event()
    first = threading.Lock()
    held = [False]

    def commit(self: commit_module.LocalFileCommitter, infos: list[CommitInfo]) -> None:
        with first:
            hold, held[0] = not held[0], True
        if hold:  # run 1's first commit waits until run 2 has finished
            reached.set()
            assert release.wait(WAIT)
        real_commit(self, infos)

    monkeypatch.setattr(commit_module.LocalFileCommitter, "commit", commit)
    errors: list[BaseException] = []

    def run_first() -> None:
        try:
            run_job(job, state_store=str(tmp_path / "store-1"))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    thread = threading.Thread(target=run_first)
    thread.start()
    try:
        assert reached.wait(WAIT), "run 1 never reached its commit"
        run_job(job, state_store=str(tmp_path / "store-2"))
    finally:
        release.set()
        thread.join(WAIT)
    assert not thread.is_alive()
    assert errors == []
    assert sorted(committed_values(out, "id")) == [1, 1, 2, 2]  # two jobs' states: each run read the file
    assert staged_files(out) == []


def test_dead_runs_of_the_same_job_are_cleaned_up(tmp_path: Path) -> None:
    """What the clean-up is for: folders of this job's runs that died are removed at the next start."""
    def sink(run_id: str, job_key: str = "orders@1234abcd") -> LocalFileSink:
        options = LocalFileSink.options_model.model_validate({"path": "out"})
        return LocalFileSink(options, PluginContext(job_key=job_key, run_id=run_id, work_dir=tmp_path))

    base = tmp_path / "out" / STAGING_DIR
    dead = base / staging_name("orders@1234abcd", "dead1")
    (dead / "0-x").mkdir(parents=True)
    (dead / "0-x" / "part-0.parquet").write_text("x")
    (base / f"{staging_name('orders@1234abcd', 'dead2')}.lock").write_text("pid 1")  # killed before its folder
    other = base / staging_name("orders@1234abcd.v2", "r9")  # another job whose key extends this one's
    (other / "0-y").mkdir(parents=True)
    legacy_other = base / "SeaTunnel_Job.r8"  # an older version's folder of some unnamed job: not ours
    legacy_other.mkdir()
    schema = pa.schema([("id", pa.int64())])
    running = sink("live")
    running.prepare(schema)
    live = running.staging_root
    live.mkdir(parents=True, exist_ok=True)
    fresh = sink("new")
    fresh.prepare(schema)
    remaining = sorted(p.name for p in base.iterdir())
    assert not dead.exists()
    assert live.is_dir() and other.is_dir() and legacy_other.is_dir()
    assert remaining == sorted([live.name, f"{live.name}.lock", other.name, legacy_other.name,
                                f"{fresh.staging_root.name}.lock"])
    for done in (running, fresh):
        done.finish(True)
    assert sorted(p.name for p in base.iterdir()) == sorted([other.name, legacy_other.name])


def test_staging_names_are_distinct_and_safe() -> None:
    names = {staging_name(key, "r1") for key in
             ("job", "job.v2", "a b", "a_b", "a/b", "a%2Fb", "SeaTunnel_Job", "x" * 400, "x" * 401, "é")}
    assert len(names) == 10
    for name in names:
        assert "/" not in name and "\0" not in name and len(name.encode()) <= 200
        key, dot, run = name.rpartition(".")
        assert dot and run == "r1" and key


def test_file_names_carry_the_job_key(tmp_path: Path) -> None:
    options: dict[str, Any] = {"path": "out", "file_format_type": "csv"}
    context = PluginContext(job_key="orders@1234abcd", run_id="r1", work_dir=tmp_path)
    sink = LocalFileSink(LocalFileSink.options_model.model_validate(options), context)
    batch = pa.RecordBatch.from_pydict({"id": pa.array([1], pa.int64())})
    sink.prepare(batch.schema)
    writer = sink.create_writer(0, batch.schema)
    writer.write(batch)
    info = writer.prepare_commit(1)
    assert info is not None
    sink.create_committer().commit([info])
    sink.finish(True)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["T_orders_1234abcd_r1_0_1_0.csv"]


def test_the_staging_base_removed_by_another_job_while_locking(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Another job's run finishes and removes the empty staging base right after this run created it."""
    from seatunnel_py_files import staging

    lock = tmp_path / "out" / STAGING_DIR / "job.r1.lock"
    real_open = open
    calls: list[Path] = []

    def open_after_rmdir(path: Any, *args: Any, **kwargs: Any) -> Any:
        if not calls:
            Path(path).parent.rmdir()  # the other run's finish(): the base is empty
        calls.append(Path(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(staging, "open", open_after_rmdir, raising=False)
    staging.acquire_run_lock(lock)
    try:
        assert lock.is_file() and len(calls) == 2
    finally:
        staging.release_run_lock(lock)
    assert not lock.exists()
