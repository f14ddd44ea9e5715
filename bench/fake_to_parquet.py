"""Scenario: FakeSource → Copy → LocalFile parquet, against a plain pyarrow script.

Run by ``bench/run.py`` as
``python fake_to_parquet.py {engine|baseline} ROWS OUT [PARALLELISM [CHECKPOINT_INTERVAL_MS]]``;
prints one JSON line with the rows written and the wall-clock seconds.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

BATCH = 65536
FIELDS = """
        id = bigint
        name = string
        age = int
        score = double
        price = "decimal(10, 2)"
        created = timestamp
        active = boolean
        city = string
"""


def job_text(rows: int, out: Path, parallelism: int, interval_ms: int | None = None) -> str:
    """The job the engine runs (with periodic checkpoints when ``interval_ms`` is given)."""
    checkpoints = f", checkpoint.interval = {interval_ms}" if interval_ms else ""
    return f"""
env {{ job.mode = "BATCH", parallelism = {parallelism}{checkpoints} }}
source {{
  FakeSource {{
    row.num = {rows // parallelism}
    split.num = {max(1, rows // parallelism // 1_000_000)}
    batch.size = {BATCH}
    schema = {{ fields {{ {FIELDS} }} }}
  }}
}}
transform {{
  Copy {{ fields = {{ name_copy = name }} }}
}}
sink {{
  LocalFile {{ path = "{out}", file_format_type = "parquet" }}
}}
"""


def run_engine(rows: int, out: Path, parallelism: int, interval_ms: int | None = None) -> int:
    """Run the job through ``run_job`` (what the CLI does, minus printing), state in a temporary folder."""
    from seatunnel_py import run_job

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.conf"
        path.write_text(job_text(rows, out, parallelism, interval_ms))
        result = run_job(path, state_store=str(Path(tmp) / "state"))
        if interval_ms:
            print(f"checkpoints: {result.checkpoints}", file=sys.stderr)
    return result.metrics.written_rows


def run_baseline(rows: int, out: Path) -> int:
    """Generate the same columns with the same generator and write them with ParquetWriter."""
    import numpy as np
    import pyarrow.parquet as pq

    from seatunnel_py.builtins.fake.generator import ColumnGenerator
    from seatunnel_py.builtins.fake.options import FakeSourceOptions
    from seatunnel_py.types import parse_schema

    fields = dict(line.strip().split(" = ") for line in FIELDS.strip().splitlines())
    fields = {k: v.strip('"') for k, v in fields.items()}
    options = FakeSourceOptions.model_validate({"schema": {"fields": fields}, "batch.size": BATCH})
    schema = parse_schema({"fields": fields}).schema
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    writer = None
    number = 0
    while written < rows:
        n = min(BATCH, rows - written)
        batch = ColumnGenerator(options, np.random.default_rng([1, number])).batch(schema, n, written)
        batch = batch.append_column("name_copy", batch.column("name"))
        if writer is None:
            writer = pq.ParquetWriter(out / "baseline.parquet", batch.schema)
        writer.write_batch(batch)
        written += n
        number += 1
    if writer is not None:
        writer.close()
    return written


def main() -> None:
    """Entry point of one measured process."""
    mode, rows, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    parallelism = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    interval_ms = int(sys.argv[5]) if len(sys.argv) > 5 else None
    started = time.perf_counter()
    written = run_engine(rows, out, parallelism, interval_ms) if mode == "engine" else run_baseline(rows, out)
    seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in out.rglob("*.parquet"))
    print(json.dumps({"rows": written, "seconds": seconds, "bytes": size}))


if __name__ == "__main__":
    main()
