"""Running the Clickhouse sink and source in-process, as the engine does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
from seatunnel_py_clickhouse.sink import ClickhouseSink
from seatunnel_py_clickhouse.source import ClickhouseSource

from seatunnel_py.api import PluginContext, split_row_kinds
from seatunnel_py.testing import run_cli

ROOT = Path(__file__).resolve().parents[3]
__all__ = ["ROOT", "run_cli"]


def make_sink(options: dict[str, Any], run_id: str = "r1", restored: int | None = None) -> ClickhouseSink:
    opts = ClickhouseSink.options_model.model_validate(options)
    return ClickhouseSink(opts, PluginContext(job_name="job", job_key="job", run_id=run_id,
                                               restored_checkpoint_id=restored))


def write_batches(options: dict[str, Any], batches: list[pa.RecordBatch], schema: pa.Schema | None = None) -> None:
    """prepare, one writer, every batch, one checkpoint, commit: a BATCH job of one task."""
    sink = make_sink(options)
    schema = schema or split_row_kinds(batches[0])[0].schema
    sink.prepare(schema)
    committer = sink.create_committer()
    writer = sink.create_writer(0, schema)
    for batch in batches:
        writer.write(batch)
    info = writer.prepare_commit(1)
    writer.close()
    committer.commit([info] if info else [])


def make_source(options: dict[str, Any]) -> ClickhouseSource:
    return ClickhouseSource(ClickhouseSource.options_model.model_validate(options), PluginContext(job_name="job"))


def read_all(source: ClickhouseSource) -> pa.Table:
    schema = source.output_schema()
    batches: list[pa.RecordBatch] = []
    for split in source.splits():
        reader = source.create_reader(split)
        batches.extend(b for b in reader.read() if b is not None)
        reader.close()
    return pa.Table.from_batches(batches, schema=schema)


