"""Benchmark runner: every scenario beside its baseline, in one run, printed as a table.

Each measurement is a fresh process, so peak memory (max RSS) is that run's alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class Measurement:
    """One measured process."""

    label: str
    rows: int
    seconds: float
    cpu_seconds: float
    peak_mb: float
    out_bytes: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def measure(label: str, args: list[str]) -> Measurement:
    """Run one process and read its wall time, CPU time and max RSS."""
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label} failed:\n{err}")
    data = json.loads(out.strip().splitlines()[-1])
    return Measurement(
        label,
        data["rows"],
        data["seconds"],
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        data.get("bytes", 0),
    )


def fake_to_parquet(rows: int, tmp: Path) -> list[Measurement]:
    """The core scenario at one size: baseline, engine at parallelism 1 and 2."""
    script = str(HERE / "fake_to_parquet.py")
    runs = []
    for label, extra in (
        ("baseline: pyarrow script", ["baseline"]),
        ("seatunnel-py, parallelism 1", ["engine"]),
        ("seatunnel-py, parallelism 2", ["engine"]),
    ):
        out = tmp / label.replace(" ", "_").replace(",", "").replace(":", "")
        parallelism = ["2"] if label.endswith("2") else ["1"]
        runs.append(measure(label, [script, extra[0], str(rows), str(out), *parallelism]))
        shutil.rmtree(out, ignore_errors=True)
    return runs


def checkpoint_cost(rows: int, tmp: Path) -> list[Measurement]:
    """The core scenario at parallelism 1 without periodic checkpoints (the baseline) and with one a second."""
    script = str(HERE / "fake_to_parquet.py")
    runs = []
    for label, extra in (
        ("engine, final checkpoint only", []),
        ("engine, checkpoint every 1 s", ["1000"]),
        ("engine, checkpoint every 0.2 s", ["200"]),
    ):
        out = tmp / label.replace(" ", "_").replace(",", "").replace(".", "")
        runs.append(measure(label, [script, "engine", str(rows), str(out), "1", *extra]))
        shutil.rmtree(out, ignore_errors=True)
    return runs


SCENARIOS = {"fake_to_parquet": fake_to_parquet, "checkpoint_cost": checkpoint_cost}


def main() -> None:
    """Parse arguments, run, print (with ``--repeat N``, also the median of each measurement)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="1000000,10000000", help="comma-separated row counts")
    parser.add_argument("--scenario", default=",".join(SCENARIOS), help="comma-separated scenarios")
    parser.add_argument("--repeat", type=int, default=1, help="run each scenario N times; print medians too")
    args = parser.parse_args()
    header = (
        f"{'scenario':<16} {'rows':>10}  {'run':<32} {'rows/s':>11} {'MB/s out':>9} "
        f"{'CPU s':>7} {'peak MB':>8} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for name in args.scenario.split(","):
        for rows in (int(r) for r in args.rows.split(",")):
            rounds: list[list[Measurement]] = []
            for _ in range(args.repeat):
                with tempfile.TemporaryDirectory(prefix="stpy-bench-") as tmp:
                    runs = SCENARIOS[name](rows, Path(tmp))
                rounds.append(runs)
                base = runs[0].rows_per_second
                for run in runs:
                    mbs = run.out_bytes / run.seconds / 1e6 if run.seconds else 0.0
                    ratio = run.rows_per_second / base if base else 0.0
                    print(
                        f"{name:<16} {rows:>10,}  {run.label:<32} {run.rows_per_second:>11,.0f} {mbs:>9.1f} "
                        f"{run.cpu_seconds:>7.1f} {run.peak_mb:>8.0f} {ratio:>5.2f}x",
                        flush=True,
                    )
            if args.repeat > 1:
                for position, label in enumerate(r.label for r in rounds[0]):
                    speeds = [r[position].rows_per_second for r in rounds]
                    ratios = [r[position].rows_per_second / r[0].rows_per_second for r in rounds]
                    cpu = [r[position].cpu_seconds for r in rounds]
                    print(f"{name:<16} {rows:>10,}  median: {label:<24} {statistics.median(speeds):>11,.0f} "
                          f"{'':>9} {statistics.median(cpu):>7.1f} {'':>8} {statistics.median(ratios):>5.2f}x")


if __name__ == "__main__":
    main()
