"""Benchmark: what the Sql transform adds to the core pipeline (FakeSource → LocalFile parquet).

For each batch size (10k, 100k, 1M rows by default) two jobs run in separate processes,
side by side in the same run:

* baseline: FakeSource → LocalFile parquet (the core benchmark without a transform);
* sql: FakeSource → Sql (a typical projection + filter + a few functions) → LocalFile parquet.

Usage: ``.venv/bin/python bench/sql_bench.py --rows 2000000 [--batch-sizes 10000,100000,1000000]``.
Prints rows/s (rows read per second of job time), CPU seconds of the process, peak memory
(max RSS), and the ratios of the Sql job's wall time and CPU time to the baseline's; the
goal is <= 1.15 at 100k-row batches. On a shared machine the CPU ratio is the steadier one.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fake_to_parquet import FIELDS  # noqa: E402 - the core benchmark's columns
from run import Measurement, measure  # noqa: E402

QUERY = (
    "SELECT id, UPPER(name) AS name, age, ROUND(score, 2) AS score, price, "
    "FORMATDATETIME(created, 'yyyy-MM-dd') AS day, CONCAT(city, '-', id) AS city_key, "
    "CASE WHEN active THEN 'Y' ELSE 'N' END AS active "
    "FROM fake WHERE age >= 20 AND city IS NOT NULL"
)
"""Projection (7 of 8 columns, 1 new), filter (keeps about 80% of rows), five functions."""


def job_text(mode: str, rows: int, batch: int, out: Path) -> str:
    """The job one measured process runs."""
    transform = ""
    if mode == "sql":
        transform = f'transform {{\n  Sql {{ plugin_input = "fake", plugin_output = "out", query = "{QUERY}" }}\n}}'
    sink_input = "out" if mode == "sql" else "fake"
    return f"""
env {{ job.mode = "BATCH", parallelism = 1 }}
source {{
  FakeSource {{
    plugin_output = "fake"
    row.num = {rows}
    batch.size = {batch}
    int.min = 0
    int.max = 99
    schema = {{ fields {{ {FIELDS} }} }}
  }}
}}
{transform}
sink {{
  LocalFile {{ plugin_input = "{sink_input}", path = "{out}", file_format_type = "parquet" }}
}}
"""


def child(mode: str, rows: int, batch: int, out: Path) -> None:
    """One measured process: run the job, print rows read, seconds, bytes written as JSON."""
    from seatunnel_py import run_job

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.conf"
        path.write_text(job_text(mode, rows, batch, out))
        started = time.perf_counter()
        result = run_job(path, state_store=str(Path(tmp) / "state"))
        seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in out.rglob("*.parquet"))
    print(json.dumps({"rows": result.metrics.read_rows, "written": result.metrics.written_rows,
                      "seconds": seconds, "bytes": size}))


def main() -> None:
    """Run every batch size: baseline then Sql, each in a fresh process; print the table."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows generated per job")
    parser.add_argument("--batch-sizes", default="10000,100000,1000000", help="comma-separated batch sizes")
    parser.add_argument("--repeat", type=int, default=1, help="measure each pair this many times (best time kept)")
    args = parser.parse_args()
    header = (f"{'batch':>9} {'run':<22} {'rows':>10} {'seconds':>8} {'rows/s':>11} {'CPU s':>7} "
              f"{'peak MB':>8} {'time ratio':>11} {'CPU ratio':>10}")
    print(f"Sql query: {QUERY}")
    print(header)
    print("-" * len(header))
    for batch in (int(b) for b in args.batch_sizes.split(",")):
        best: dict[str, Measurement] = {}
        for _ in range(args.repeat):
            for mode in ("baseline", "sql"):
                with tempfile.TemporaryDirectory(prefix="stpy-sql-bench-") as tmp:
                    out = Path(tmp) / "out"
                    run = measure(mode, [__file__, "--child", mode, str(args.rows), str(batch), str(out)])
                    shutil.rmtree(out, ignore_errors=True)
                if mode not in best or run.seconds < best[mode].seconds:
                    best[mode] = run
        base, base_cpu = best["baseline"].seconds, best["baseline"].cpu_seconds
        for mode in ("baseline", "sql"):
            run = best[mode]
            label = "FakeSource → LocalFile" if mode == "baseline" else "+ Sql"
            ratio = run.seconds / base if base else 0.0
            cpu_ratio = run.cpu_seconds / base_cpu if base_cpu else 0.0
            print(f"{batch:>9,} {label:<22} {run.rows:>10,} {run.seconds:>8.2f} {run.rows_per_second:>11,.0f} "
                  f"{run.cpu_seconds:>7.2f} {run.peak_mb:>8.0f} {ratio:>10.2f}x {cpu_ratio:>9.2f}x", flush=True)


if __name__ == "__main__":
    main()
