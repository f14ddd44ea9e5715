"""The LocalFile source's state does not grow with its history: finished files are folded.

Cron runs of one job read only new files; a run restores the folded entry; the saved
checkpoint stays small however many files were read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from seatunnel_py_files import listing as listing_module
from seatunnel_py_files.finished import KEY, FinishedFiles
from seatunnel_py_files.source import LocalFileSource

from seatunnel_py.api import ConnectorError, PluginContext, State
from seatunnel_py.engine.failures import JobFailed
from seatunnel_py.engine.state import open_store
from seatunnel_py.jobs import run_job
from seatunnel_py.testing import committed_values

JOB = "cron-files"


def cron_job(write_job: Callable[..., Path], extra_env: str = "") -> Path:
    """A named BATCH job copying the csv files of ``in/`` into parquet files in ``out/``."""
    return write_job(f"""
        env {{ job.mode = "BATCH", job.name = "{JOB}" {extra_env} }}
        source {{ LocalFile {{ path = "in", file_format_type = "csv", schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ LocalFile {{ path = "out", file_format_type = "parquet" }} }}
    """)


def csv(path: Path, ids: range | list[int], mtime: float | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{i}\n" for i in ids))
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def saved_source_state(store: Path) -> dict[str, Any]:
    checkpoint = open_store(str(store)).load(JOB)
    assert checkpoint is not None
    return checkpoint.splits["source[0]"]


def source(base: Path, **options: Any) -> LocalFileSource:
    opts = {"path": "in", "file_format_type": "csv", "schema": {"fields": {"id": "bigint"}}, **options}
    return LocalFileSource(LocalFileSource.options_model.model_validate(opts), PluginContext(work_dir=base))


def done(rows: int = 1) -> State:
    return {"rows_done": rows, "done": True}


# --- real cron runs ---------------------------------------------------------------------

def test_cron_runs_fold_finished_files_and_read_only_new_ones(
        write_job: Callable[..., Path], tmp_path: Path, isolated_state_store: Path) -> None:
    job = cron_job(write_job)
    csv(tmp_path / "in" / "a.csv", range(0, 3))
    csv(tmp_path / "in" / "day=2" / "b.csv", range(3, 5))
    run_job(job)
    state = saved_source_state(isolated_state_store)
    assert list(state) == [KEY]  # no entry per file
    assert state[KEY]["files"] == 2
    csv(tmp_path / "in" / "c.csv", range(5, 7))
    run_job(job)
    assert sorted(committed_values(tmp_path / "out", "id")) == list(range(7))
    # a file that arrives with an mtime older than every file read (cp -p, rsync -t, tar x) is still new
    csv(tmp_path / "in" / "0-late.csv", [7], mtime=1_000_000_000)
    run_job(job)
    run_job(job)  # nothing new
    assert sorted(committed_values(tmp_path / "out", "id")) == list(range(8))
    assert saved_source_state(isolated_state_store)[KEY]["files"] == 4


def test_the_saved_checkpoint_stays_small_after_many_files(
        write_job: Callable[..., Path], tmp_path: Path, isolated_state_store: Path) -> None:
    job = cron_job(write_job)
    names = [f"day={d:02d}/export-{d:02d}-{n:04d}.csv" for d in range(3) for n in range(100)]
    for run, day in enumerate(range(3)):
        for name in names[day * 100:(day + 1) * 100]:
            csv(tmp_path / "in" / name, [run])
        run_job(job)
    assert len(committed_values(tmp_path / "out", "id")) == 300
    size = (isolated_state_store / JOB / "checkpoint.json").stat().st_size
    state = saved_source_state(isolated_state_store)
    assert list(state) == [KEY] and state[KEY]["files"] == 300
    assert size < 2_000, size  # one entry per file took about 45 bytes each (13.5 kB here)


def test_deleted_files_are_forgotten_and_a_new_file_of_that_name_is_read(
        write_job: Callable[..., Path], tmp_path: Path, isolated_state_store: Path) -> None:
    job = cron_job(write_job)
    csv(tmp_path / "in" / "a.csv", [1])
    csv(tmp_path / "in" / "b.csv", [2])
    run_job(job)
    (tmp_path / "in" / "a.csv").unlink()  # retention deletes read files
    run_job(job)
    assert saved_source_state(isolated_state_store)[KEY]["files"] == 1
    csv(tmp_path / "in" / "a.csv", [3])  # a new file under an old name is new data
    run_job(job)
    assert sorted(committed_values(tmp_path / "out", "id")) == [1, 2, 3]


def test_a_failed_run_resumes_from_the_folded_state(
        write_job: Callable[..., Path], tmp_path: Path, isolated_state_store: Path) -> None:
    """Run 2 restores the folded entry, reads one new file, fails on the next; run 3 reads the rest once."""
    job = cron_job(write_job, ", checkpoint.interval = 50")
    csv(tmp_path / "in" / "a.csv", range(0, 5))
    run_job(job)
    csv(tmp_path / "in" / "b.csv", range(5, 10))
    (tmp_path / "in" / "c.csv").write_text("10\nnot a number\n")
    with pytest.raises(JobFailed):
        run_job(job)
    (tmp_path / "in" / "c.csv").write_text("10\n11\n")
    result = run_job(job)
    assert result.restored_from is not None
    assert sorted(committed_values(tmp_path / "out", "id")) == list(range(12))
    assert list(saved_source_state(isolated_state_store)) == [KEY]


# --- compact_states / restore_states ----------------------------------------------------

def test_restore_with_folded_state_lists_only_unfinished_files(tmp_path: Path) -> None:
    for name, ids in (("a.csv", [1]), ("b.csv", [2]), ("c.csv", [3, 4, 5])):
        csv(tmp_path / "in" / name, ids)
    first = source(tmp_path)
    first.splits()
    folded = first.compact_states({"a.csv": done(), "b.csv": done(), "c.csv": {"rows_done": 1, "done": False}})
    assert sorted(folded) == [KEY, "c.csv"]
    assert folded["c.csv"] == {"rows_done": 1, "done": False}
    json.dumps(folded)
    csv(tmp_path / "in" / "d.csv", [6])
    second = source(tmp_path)
    second.restore_states(json.loads(json.dumps(folded)))  # as saved and loaded
    splits = second.splits()
    assert [s.split_id for s in splits] == ["c.csv", "d.csv"]
    reader = second.create_reader(splits[0], folded["c.csv"])
    assert [v for b in reader.read() if b is not None for v in b.column("id").to_pylist()] == [4, 5]
    again = second.compact_states({**folded, "c.csv": reader.snapshot(), "d.csv": done()})
    assert list(again) == [KEY]
    assert sorted(FinishedFiles.from_state(again[KEY]).paths()) == ["a.csv", "b.csv", "c.csv", "d.csv"]


def test_states_of_older_versions_are_folded(tmp_path: Path) -> None:
    """A checkpoint written before folding has one ``done`` entry per file: those files are not listed."""
    for name in ("a.csv", "b.csv"):
        csv(tmp_path / "in" / name, [1])
    restored = source(tmp_path)
    old = {"a.csv": done(), "b.csv": {"rows_done": 0, "done": False}}
    restored.restore_states(old)
    assert [s.split_id for s in restored.splits()] == ["b.csv"]
    assert sorted(restored.compact_states(old)) == [KEY, "b.csv"]


def test_a_checkpoint_without_new_files_reuses_the_encoded_entry(tmp_path: Path) -> None:
    csv(tmp_path / "in" / "a.csv", [1])
    src = source(tmp_path)
    src.splits()
    first = src.compact_states({"a.csv": done()})
    second = src.compact_states(first)
    assert second[KEY] is first[KEY]


def test_many_checkpoints_keep_few_segments_and_a_small_entry(tmp_path: Path) -> None:
    """A job that finished 20,000 files over 40 checkpoints: a handful of segments, a few bytes a file."""
    names = [f"2024-{m:02d}/data_{m:02d}_{i:05d}.csv.gz" for m in range(1, 11) for i in range(2000)]
    folded: dict[str, State] = {}
    src = source(tmp_path)  # never listed: nothing is pruned
    for start in range(0, len(names), 500):
        folded = src.compact_states({**folded, **{n: done(1000) for n in names[start:start + 500]}})
    entry = folded[KEY]
    assert entry["files"] == 20_000 and len(entry["segments"]) <= 6
    assert FinishedFiles.from_state(entry).paths() == frozenset(names)
    plain = len(json.dumps({n: done(1000) for n in names}))
    compact = len(json.dumps(folded))
    assert compact * 10 < plain, (compact, plain)


def test_an_unreadable_directory_forgets_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    csv(tmp_path / "in" / "a.csv", [1])
    csv(tmp_path / "in" / "sub" / "b.csv", [2])
    first = source(tmp_path)
    first.splits()
    folded = first.compact_states({"a.csv": done(), "sub/b.csv": done()})
    real_walk = os.walk

    def walk(top: Any, onerror: Any = None, **kwargs: Any) -> Iterator[Any]:
        for dirpath, dirnames, filenames in real_walk(top, onerror=onerror, **kwargs):
            if "sub" in dirnames:
                dirnames.remove("sub")
                onerror(PermissionError(13, "Permission denied", os.path.join(dirpath, "sub")))
            yield dirpath, dirnames, filenames

    monkeypatch.setattr(listing_module.os, "walk", walk)
    second = source(tmp_path)
    second.restore_states(folded)
    assert second.splits() == []
    kept = second.compact_states(folded)
    assert FinishedFiles.from_state(kept[KEY]).paths() == {"a.csv", "sub/b.csv"}


def test_an_unreadable_saved_entry_is_a_clear_error(tmp_path: Path) -> None:
    csv(tmp_path / "in" / "a.csv", [1])
    with pytest.raises(ConnectorError, match="version 99"):
        source(tmp_path).restore_states({KEY: {"version": 99, "segments": []}})
    with pytest.raises(ConnectorError, match="corrupt"):
        source(tmp_path).restore_states({KEY: {"version": 1, "segments": ["not base64!"]}})


def test_the_folded_key_is_never_a_split_id(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    for name in ("finished", "_finished", ".finished"):
        (tmp_path / "in" / name).write_text("1\n")
    ids = [s.split_id for s in source(tmp_path).splits()] + [s.split_id for s in
                                                            source(tmp_path, path="in/_finished").splits()]
    assert KEY not in ids and not any(i.startswith("/") for i in ids)
    assert pa.schema([("id", pa.int64())]) == source(tmp_path).output_schema()


def test_a_finished_file_outside_a_new_filter_is_not_forgotten(tmp_path: Path) -> None:
    """Forgetting follows the files present, not the files listed: narrowing and widening a filter re-reads nothing."""
    csv(tmp_path / "in" / "a.csv", [1])
    csv(tmp_path / "in" / "b.txt", [2])
    first = source(tmp_path)
    first.splits()
    folded = first.compact_states({"a.csv": done(), "b.txt": done()})
    narrow = source(tmp_path, filename_extension="csv")
    narrow.restore_states(folded)
    assert narrow.splits() == []
    folded = narrow.compact_states(folded)
    wide = source(tmp_path)
    wide.restore_states(folded)
    assert wide.splits() == []
