"""Benchmark: saving a LocalFile source's checkpoint after 100,000 finished files, folded or not.

Side by side in one run, through seatunnel-py's own state store (``LocalStateStore``:
write, fsync, rename, fsync of the folder) and ``Checkpoint.to_json``:

* baseline: the state as it was before folding, one ``{"rows_done": n, "done": true}``
  entry per file (what every checkpoint of a job that had read N files wrote);
* fold: the first checkpoint that folds all N entries (``LocalFileSource.compact_states``
  from the plain dict, e.g. after an upgrade), then its save;
* steady: a later checkpoint of a cron run: the folded entry plus ``--new`` files finished
  since the last checkpoint, compacted and saved (what every checkpoint now costs);
* idle: a checkpoint with nothing new (the folded entry is re-used as it is).

Also printed: the size of the saved file, the time to load it back (``store.load``, what the
next run pays before it starts), the time to decode the folded entry (``restore_states``) and
the once-per-run check against the listing (``keep_only``, nothing deleted).

Two naming schemes: ``hex`` (``day=2024-01-01/part-000001-1f3a9c2e.parquet``: 32 random bits a
name, which no compression removes) and ``seq`` (``export_0000001.csv``).

Usage: ``.venv/bin/python bench/state_bench.py [--files 100000] [--new 100] [--repeat 5] [--names hex,seq]``.
Times are medians of ``--repeat`` rounds; ratios are baseline / folded.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "connectors" / "files"))

from seatunnel_py_files.finished import KEY, FinishedFiles  # noqa: E402
from seatunnel_py_files.source import LocalFileSource  # noqa: E402

from seatunnel_py.api import PluginContext  # noqa: E402
from seatunnel_py.engine.state import Checkpoint, StateStore, open_store  # noqa: E402

SOURCE_KEY = "source[0]"


def names(count: int, scheme: str, seed: int = 7) -> list[str]:
    """``count`` relative paths of one naming scheme."""
    if scheme == "seq":
        return [f"export_{i:07d}.csv" for i in range(count)]
    rng = random.Random(seed)
    per_day = 3000
    return [f"day=2024-{1 + i // per_day // 28:02d}-{1 + i // per_day % 28:02d}/"
            f"part-{i:06d}-{rng.getrandbits(32):08x}.parquet" for i in range(count)]


def finished(paths: list[str]) -> dict[str, Any]:
    return {p: {"rows_done": 8192, "done": True} for p in paths}


def new_source(tmp: Path) -> LocalFileSource:
    """A LocalFile source as the engine holds it (never listed here: nothing to forget)."""
    options = LocalFileSource.options_model.model_validate(
        {"path": str(tmp / "in"), "file_format_type": "parquet"})
    return LocalFileSource(options, PluginContext(job_key="state-bench", work_dir=tmp))


def median_seconds(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@dataclass
class Row:
    case: str
    compact_s: float
    save_s: float
    size: int
    load_s: float

    @property
    def total_s(self) -> float:
        return self.compact_s + self.save_s


def save_and_load(store: StateStore, job: str, splits: dict[str, Any], repeat: int) -> tuple[float, int, float]:
    checkpoint = Checkpoint(job_name=job, checkpoint_id=1, plugins={SOURCE_KEY: "LocalFile"},
                            splits={SOURCE_KEY: splits}, finished=True)
    save_s = median_seconds(lambda: store.save(checkpoint), repeat)
    size = (Path(store.url) / job / "checkpoint.json").stat().st_size
    load_s = median_seconds(lambda: store.load(job), repeat)
    return save_s, size, load_s


def scheme_rows(scheme: str, files: int, new: int, repeat: int, tmp: Path) -> tuple[list[Row], dict[str, float]]:
    store = open_store(str(tmp / f"state-{scheme}"))
    paths = names(files + new, scheme)
    old, fresh = paths[:files], paths[files:]
    plain = finished(old)
    rows = [Row("baseline: one entry a file", 0.0, *save_and_load(store, "plain", plain, repeat))]

    folded: dict[str, Any] = {}

    def fold() -> None:
        nonlocal folded
        folded = new_source(tmp).compact_states(plain)

    fold_s = median_seconds(fold, repeat)
    rows.append(Row("fold: first checkpoint", fold_s, *save_and_load(store, "fold", folded, repeat)))

    steady: dict[str, Any] = {}

    def next_checkpoint() -> None:
        nonlocal steady
        source = new_source(tmp)
        source.restore_states(folded)  # the run's source knows the folded entry (decoded once a run)
        start = time.perf_counter()
        steady = source.compact_states({**folded, **finished(fresh)})
        timings.append(time.perf_counter() - start)

    timings: list[float] = []
    for _ in range(repeat):
        next_checkpoint()
    rows.append(Row(f"steady: +{new} new files", statistics.median(timings),
                    *save_and_load(store, "steady", steady, repeat)))

    source = new_source(tmp)
    source.restore_states(steady)
    idle_s = median_seconds(lambda: source.compact_states(steady), repeat)
    rows.append(Row("idle: nothing new", idle_s, *save_and_load(store, "idle", steady, repeat)))

    entry = steady[KEY]
    present = frozenset(paths)
    decode_s = median_seconds(lambda: FinishedFiles.from_state(entry), repeat)
    both_s = median_seconds(lambda: FinishedFiles.from_state(entry).keep_only(present), repeat)
    extra = {"decode_s": decode_s, "keep_only_s": both_s - decode_s, "segments": float(len(entry["segments"]))}
    return rows, extra


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000, help="finished files in the state")
    parser.add_argument("--new", type=int, default=100, help="files finished since the last checkpoint")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per measurement (median)")
    parser.add_argument("--names", default="hex,seq", help="naming schemes: hex, seq")
    args = parser.parse_args(argv)
    print(f"LocalFile source state after {args.files:,} finished files; medians of {args.repeat} rounds; "
          "save = Checkpoint.to_json + LocalStateStore.save (fsync)")
    with tempfile.TemporaryDirectory(prefix="state-bench-") as folder:
        for scheme in args.names.split(","):
            rows, extra = scheme_rows(scheme, args.files, args.new, args.repeat, Path(folder))
            print(f"\nnames: {scheme} (e.g. {names(1, scheme)[0]})")
            print(f"{'case':<28} {'compact ms':>11} {'save ms':>9} {'total ms':>9} {'bytes':>11} "
                  f"{'B/file':>7} {'load ms':>9}")
            for row in rows:
                print(f"{row.case:<28} {row.compact_s * 1000:>11.1f} {row.save_s * 1000:>9.1f} "
                      f"{row.total_s * 1000:>9.1f} {row.size:>11,} {row.size / args.files:>7.1f} "
                      f"{row.load_s * 1000:>9.1f}")
            base, steady = rows[0], rows[2]
            print(f"ratios baseline/steady: checkpoint time {base.total_s / steady.total_s:.1f}x, "
                  f"size {base.size / steady.size:.1f}x, load {base.load_s / steady.load_s:.1f}x; "
                  f"baseline/fold time {base.total_s / rows[1].total_s:.1f}x")
            print(f"folded entry: {int(extra['segments'])} segment(s); decoding it (restore) "
                  f"{extra['decode_s'] * 1000:.1f} ms; check against a listing (once a run) "
                  f"{max(extra['keep_only_s'], 0) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
