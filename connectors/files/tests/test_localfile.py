"""LocalFile source and sink: formats, compression, partitions, naming, commit protocol."""

from __future__ import annotations

import errno
import gzip
import json
import os
from datetime import date, datetime
from decimal import Decimal
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.orc as porc
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError
from seatunnel_py_files import commit as commit_module
from seatunnel_py_files import formats, writers
from seatunnel_py_files.sink import STAGING_DIR, LocalFileSink
from seatunnel_py_files.source import LocalFileSource

from seatunnel_py.api import (
    ROW_KIND_COLUMN,
    Capability,
    CommitInfo,
    ConnectorError,
    DataError,
    OptionError,
    PluginContext,
    RowKind,
    attach_row_kinds,
)
from seatunnel_py.api.options import PluginOptions
from seatunnel_py.plugins import build_registry
from seatunnel_py.registry import PluginKind

SCHEMA = {"fields": {"id": "bigint", "name": "string", "score": "double", "ok": "boolean",
                     "day": "date", "ts": "timestamp", "amount": "decimal(10, 2)"}}


def sample() -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({
        "id": pa.array([1, 2, 3], pa.int64()),
        "name": ["a", "b,c \"q\"", None],
        "score": [1.5, None, -2.25],
        "ok": [True, False, None],
        "day": pa.array([date(2024, 1, 2), None, date(2024, 3, 4)]),
        "ts": pa.array([datetime(2024, 1, 2, 3, 4, 5), datetime(2024, 1, 2, 3, 4, 5, 123000), None],
                       pa.timestamp("us")),
        "amount": pa.array([Decimal("1.10"), None, Decimal("-3.00")], pa.decimal128(10, 2)),
    })


def context(tmp_path: Path, run_id: str = "r1") -> PluginContext:
    return PluginContext(job_name="job", job_key="job", work_dir=tmp_path, run_id=run_id)


def make_source(base: Path, /, **options: Any) -> LocalFileSource:
    return LocalFileSource(LocalFileSource.options_model.model_validate(options), context(base))


def make_sink(base: Path, /, run_id: str = "r1", **options: Any) -> LocalFileSink:
    return LocalFileSink(LocalFileSink.options_model.model_validate(options), context(base, run_id))


def read_all(source: LocalFileSource) -> pa.Table:
    schema = source.output_schema()
    batches: list[pa.RecordBatch] = []
    for split in source.splits():
        reader = source.create_reader(split)
        batches.extend(b for b in reader.read() if b is not None)
        reader.close()
    for batch in batches:
        assert batch.schema == schema
    return pa.Table.from_batches(batches, schema=schema)


def write(sink: LocalFileSink, batches: list[pa.RecordBatch], commit: bool = True,
          task: int = 0) -> CommitInfo | None:
    schema = batches[0].schema
    sink.check_input(schema)
    sink.prepare(schema)
    writer = sink.create_writer(task, schema)
    for batch in batches:
        writer.write(batch)
    info = writer.prepare_commit(1)
    writer.close()
    if commit and info is not None:
        sink.create_committer().commit([info])
        sink.finish(True)
    return info


def visible(root: Path) -> list[str]:
    """Files under root, relative, hidden staging included (to prove it is gone)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def check_errors(model: type[PluginOptions], /, **options: Any) -> list[tuple[tuple[str | int, ...], str]]:
    return [(e.option, e.message) for e in model.model_validate(options).check()]


# --- round trips ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "csv", "json", "parquet", "orc"])
def test_round_trip_every_format(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    write(make_sink(tmp_path, path="out", file_format_type=fmt), [sample()])
    assert visible(out) == [f"T_job_r1_0_1_0{writers.FORMAT_EXTENSIONS[writers.FileFormat(fmt)]}"]
    declared = {} if fmt in ("parquet", "orc") else {"schema": SCHEMA}
    table = read_all(make_source(tmp_path, path="out", file_format_type=fmt, **declared))
    expected = sample().to_pylist()
    if fmt == "text":  # text has no quoting: a null string is written as an empty field
        expected[2]["name"] = ""
    assert table.to_pylist() == expected
    if fmt == "parquet":
        assert table.schema == sample().schema


def test_text_without_schema_reads_content_lines(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"header\nfirst line\r\n\nlast")
    table = read_all(make_source(tmp_path, path="a.txt", file_format_type="text",
                                 skip_header_row_number=1))
    assert table.schema.names == ["content"]
    assert table.column("content").to_pylist() == ["first line", "", "last"]


def test_text_delimiters_null_format_and_date_patterns(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("1||x||2024.01.02||\\N|;2||\\N||2024.02.03||05:06:07|;3|;")
    source = make_source(
        tmp_path, path="a.txt", file_format_type="TEXT", delimiter="||", row_delimiter="|;",
        null_format="\\N", date_format="yyyy.MM.dd",
        schema={"fields": {"id": "int", "s": "string", "d": "date", "t": "time"}})
    assert read_all(source).to_pylist() == [
        {"id": 1, "s": "x", "d": date(2024, 1, 2), "t": None},
        {"id": 2, "s": None, "d": date(2024, 2, 3), "t": datetime(1, 1, 1, 5, 6, 7).time()},
        {"id": 3, "s": None, "d": None, "t": None},
    ]


def test_text_lines_split_across_read_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "BLOCK", 7)
    lines = [f"line-{i}-" + "x" * (i % 5) for i in range(40)]
    (tmp_path / "a.txt").write_text("\r\n".join(lines) + "\r\n")
    source = make_source(tmp_path, path="a.txt", file_format_type="text", row_delimiter="\r\n",
                         batch_size=6)
    table = read_all(source)
    assert table.column("content").to_pylist() == lines
    assert max(b.num_rows for b in table.to_batches()) <= 6


def test_text_in_another_encoding(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("café;1\nnaïve;2\n".encode("latin-1"))
    source = make_source(tmp_path, path="a.txt", file_format_type="text", encoding="ISO-8859-1",
                         field_delimiter=";", schema={"fields": {"w": "string", "n": "int"}})
    assert read_all(source).to_pylist() == [{"w": "café", "n": 1}, {"w": "naïve", "n": 2}]
    utf8 = make_source(tmp_path, path="a.txt", file_format_type="text")
    with pytest.raises(DataError, match="encoding"):
        read_all(utf8)


def test_datetime_pattern_on_csv(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("2024/01/02 03:04:05\n2024-01-02T03:04:05.5\n")
    source = make_source(tmp_path, path="a.csv", file_format_type="csv",
                         datetime_format="yyyy/MM/dd HH:mm:ss", schema={"fields": {"t": "timestamp"}})
    assert read_all(source).column("t").to_pylist() == [
        datetime(2024, 1, 2, 3, 4, 5), datetime(2024, 1, 2, 3, 4, 5, 500000)]


def test_temporal_patterns_round_trip_through_csv(tmp_path: Path) -> None:
    patterns = {"date_format": "dd/MM/yyyy", "datetime_format": "yyyy.MM.dd HH:mm:ss.SSS",
                "time_format": "HH.mm.ss"}
    batch = pa.RecordBatch.from_pydict({
        "d": pa.array([date(2024, 1, 2), None]),
        "ts": pa.array([datetime(2024, 1, 2, 3, 4, 5, 123456), datetime(2024, 1, 2, 3, 4, 5)],
                       pa.timestamp("us")),
        "t": pa.array([datetime(1, 1, 1, 5, 6, 7).time(), None], pa.time64("us")),
    })
    write(make_sink(tmp_path, path="out", **patterns), [batch])
    [name] = visible(tmp_path / "out")
    assert (tmp_path / "out" / name).read_text().splitlines() == [
        '"02/01/2024","2024.01.02 03:04:05.123","05.06.07"', ',"2024.01.02 03:04:05.000",']
    source = make_source(tmp_path, path="out", file_format_type="csv", **patterns,
                         schema={"fields": {"d": "date", "ts": "timestamp", "t": "time"}})
    expected = batch.to_pylist()
    expected[0]["ts"] = datetime(2024, 1, 2, 3, 4, 5, 123000)
    assert read_all(source).to_pylist() == expected


def test_bad_value_is_a_data_error_naming_file_and_column(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("1\nnope\n")
    source = make_source(tmp_path, path="a.csv", file_format_type="csv",
                         schema={"fields": {"n": "int"}})
    with pytest.raises(DataError, match=r"a\.csv.*column 'n'"):
        read_all(source)


def test_csv_header_line_infers_string_columns(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("# comment\nid,name\n1,x\n2,\"y,z\"\n")
    source = make_source(tmp_path, path="a.csv", file_format_type="csv", csv_use_header_line=True,
                         skip_header_row_number=1)
    table = read_all(source)
    assert table.schema == pa.schema([("id", pa.string()), ("name", pa.string())])
    assert table.to_pylist() == [{"id": "1", "name": "x"}, {"id": "2", "name": "y,z"}]


def test_csv_header_line_with_declared_schema_maps_by_name(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("name,id\nx,1\n")
    source = make_source(tmp_path, path="a.csv", file_format_type="csv", csv_use_header_line=True,
                         schema={"fields": {"id": "int", "name": "string"}})
    assert read_all(source).to_pylist() == [{"id": 1, "name": "x"}]


def test_json_infers_schema(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"a": 1, "b": "x"}\n{"a": 2, "b": null, "c": true}\n')
    table = read_all(make_source(tmp_path, path="a.json", file_format_type="json"))
    assert table.column("a").to_pylist() == [1, 2]
    assert table.column("b").to_pylist() == ["x", None]


def test_nested_values_round_trip_through_json(tmp_path: Path) -> None:
    batch = pa.RecordBatch.from_pydict({
        "tags": pa.array([["a", "b"], None]),
        "row": pa.array([{"x": 1}, {"x": None}], pa.struct([("x", pa.int32())])),
        "text": ["tab\there \\ \"quoted\"\nnewline \x01", "ü"],
    })
    write(make_sink(tmp_path, path="out", file_format_type="json"), [batch])
    [name] = visible(tmp_path / "out")
    lines = (tmp_path / "out" / name).read_text().splitlines()
    assert [json.loads(line) for line in lines] == batch.to_pylist()
    source = make_source(tmp_path, path="out", file_format_type="json", schema={"fields": {
        "tags": "array<string>", "row": "{x = int}", "text": "string"}})
    assert read_all(source).to_pylist() == batch.to_pylist()


# --- compression ------------------------------------------------------------------------

def test_gzip_csv_is_named_and_read_back_by_extension(tmp_path: Path) -> None:
    write(make_sink(tmp_path, path="out", file_format_type="csv", compress_codec="gzip"), [sample()])
    [name] = visible(tmp_path / "out")
    assert name.endswith(".csv.gz")
    assert gzip.decompress((tmp_path / "out" / name).read_bytes()).startswith(b'1,"a",1.5,true')
    table = read_all(make_source(tmp_path, path="out", file_format_type="csv", schema=SCHEMA))
    assert table.to_pylist() == sample().to_pylist()


@pytest.mark.parametrize("codec", ["zstd", "bz2", "lz4", "brotli"])
def test_stream_codecs_with_explicit_option(tmp_path: Path, codec: str) -> None:
    write(make_sink(tmp_path, path="out", file_format_type="text", compress_codec=codec,
                    filename_extension="data"), [sample()])
    [name] = visible(tmp_path / "out")
    assert name.endswith(".data")
    source = make_source(tmp_path, path="out", file_format_type="text", compress_codec=codec,
                         schema=SCHEMA, read_columns=["id"])
    assert read_all(source).column("id").to_pylist() == [1, 2, 3]


@pytest.mark.parametrize(("fmt", "codec", "suffix", "stored"), [
    ("parquet", "snappy", ".snappy.parquet", "SNAPPY"),
    ("parquet", "zstd", ".zstd.parquet", "ZSTD"),
    ("orc", "zlib", ".zlib.orc", "ZLIB"),
])
def test_columnar_codecs(tmp_path: Path, fmt: str, codec: str, suffix: str, stored: str) -> None:
    write(make_sink(tmp_path, path="out", file_format_type=fmt, compress_codec=codec), [sample()])
    [name] = visible(tmp_path / "out")
    assert name.endswith(suffix)
    path = tmp_path / "out" / name
    if fmt == "parquet":
        assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == stored
    else:
        assert porc.ORCFile(str(path)).compression == stored
    assert read_all(make_source(tmp_path, path="out", file_format_type=fmt)).num_rows == 3


# --- partitions, columns, naming, rolling ---------------------------------------------------

def regions() -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({
        "id": [1, 2, 3, 4, 5],
        "region": ["eu", "us", "eu", None, "a/b"],
        "year": [2024, 2024, 2025, 2024, 2024],
    })


def test_partitioned_write_and_read_back(tmp_path: Path) -> None:
    write(make_sink(tmp_path, path="out", file_format_type="csv", have_partition=True,
                    partition_by=["region", "year"]), [regions()])
    assert visible(tmp_path / "out") == [
        "region=a%2Fb/year=2024/T_job_r1_0_1_0.csv",
        "region=eu/year=2024/T_job_r1_0_1_0.csv",
        "region=eu/year=2025/T_job_r1_0_1_0.csv",
        "region=null/year=2024/T_job_r1_0_1_0.csv",
        "region=us/year=2024/T_job_r1_0_1_0.csv",
    ]
    assert (tmp_path / "out/region=eu/year=2024/T_job_r1_0_1_0.csv").read_text() == "1\n"
    source = make_source(tmp_path, path="out", file_format_type="csv", schema={"fields": {"id": "int"}})
    assert source.output_schema().names == ["id", "region", "year"]
    rows = sorted(read_all(source).to_pylist(), key=lambda r: r["id"])
    assert rows == [
        {"id": 1, "region": "eu", "year": "2024"}, {"id": 2, "region": "us", "year": "2024"},
        {"id": 3, "region": "eu", "year": "2025"}, {"id": 4, "region": "null", "year": "2024"},
        {"id": 5, "region": "a/b", "year": "2024"},
    ]


def test_partition_fields_in_file_and_custom_dir_expression(tmp_path: Path) -> None:
    write(make_sink(tmp_path, path="out", file_format_type="parquet", have_partition=True,
                    partition_by=["region"], partition_dir_expression="by_${k0}/${v0}",
                    is_partition_field_write_in_file=True), [regions().slice(0, 3)])
    assert visible(tmp_path / "out") == ["by_region/eu/T_job_r1_0_1_0.parquet",
                                         "by_region/us/T_job_r1_0_1_0.parquet"]
    table = pq.read_table(tmp_path / "out/by_region/eu/T_job_r1_0_1_0.parquet")
    assert table.to_pylist() == [{"id": 1, "region": "eu", "year": 2024},
                                 {"id": 3, "region": "eu", "year": 2025}]


def test_parse_partition_from_path_can_be_disabled(tmp_path: Path) -> None:
    (tmp_path / "d" / "k=v").mkdir(parents=True)
    (tmp_path / "d" / "k=v" / "a.txt").write_text("x\n")
    on = make_source(tmp_path, path="d", file_format_type="text")
    off = make_source(tmp_path, path="d", file_format_type="text", parse_partition_from_path=False)
    assert read_all(on).to_pylist() == [{"content": "x", "k": "v"}]
    assert read_all(off).to_pylist() == [{"content": "x"}]


def test_sink_columns_select_and_order(tmp_path: Path) -> None:
    write(make_sink(tmp_path, path="out", file_format_type="csv", sink_columns=["name", "id"],
                    enable_header_write=True), [sample()])
    [name] = visible(tmp_path / "out")
    assert (tmp_path / "out" / name).read_text().splitlines()[:2] == ['"name","id"', '"a",1']


def test_text_header_and_delimiters(tmp_path: Path) -> None:
    batch = pa.RecordBatch.from_pydict({"a": [1, 2], "b": ["x", None]})
    write(make_sink(tmp_path, path="out", file_format_type="text", field_delimiter="|",
                    row_delimiter="\r\n", enable_header_write=True), [batch])
    [name] = visible(tmp_path / "out")
    assert (tmp_path / "out" / name).read_bytes() == b"a|b\r\n1|x\r\n2|\r\n"


def test_file_name_expression_now_uuid_and_single_file_mode(tmp_path: Path) -> None:
    write(make_sink(tmp_path, path="out", file_format_type="json", custom_filename=True,
                    file_name_expression="${transactionId}-${now}-${uuid}",
                    filename_time_format="yyyy-MM-dd", single_file_mode=True), [sample()])
    [name] = visible(tmp_path / "out")
    today = datetime.now().strftime("%Y-%m-%d")
    prefix = f"T_job_r1_0_1-{today}-"
    assert name.startswith(prefix) and name.endswith(".json")
    assert len(name[len(prefix):-len(".json")]) == 32  # a uuid, and no _part suffix


def test_expression_is_ignored_without_custom_filename(tmp_path: Path) -> None:
    write(make_sink(tmp_path, path="out", file_name_expression="${transactionId}_x"), [sample()])
    assert visible(tmp_path / "out") == ["T_job_r1_0_1_0.csv"]


def test_rolling_by_batch_size(tmp_path: Path) -> None:
    batch = pa.RecordBatch.from_pydict({"n": list(range(5))})
    write(make_sink(tmp_path, path="out", file_format_type="parquet", batch_size=2),
          [batch.slice(0, 1), batch.slice(1)])
    names = visible(tmp_path / "out")
    assert names == [f"T_job_r1_0_1_{i}.parquet" for i in range(3)]
    assert [pq.read_table(tmp_path / "out" / n).column("n").to_pylist() for n in names] == \
        [[0, 1], [2, 3], [4]]


def test_single_file_mode_does_not_roll(tmp_path: Path) -> None:
    batch = pa.RecordBatch.from_pydict({"n": list(range(5))})
    write(make_sink(tmp_path, path="out", file_format_type="csv", batch_size=2,
                    single_file_mode=True), [batch])
    assert visible(tmp_path / "out") == ["T_job_r1_0_1.csv"]


def test_row_kind_column_is_not_written(tmp_path: Path) -> None:
    batch = pa.RecordBatch.from_pydict({"n": [1, 2]})
    kinds = pa.array([RowKind.INSERT, RowKind.DELETE], pa.int8())
    write(make_sink(tmp_path, path="out", file_format_type="parquet"),
          [attach_row_kinds(batch, kinds)])
    [name] = visible(tmp_path / "out")
    table = pq.read_table(tmp_path / "out" / name)
    assert table.column_names == ["n"] and ROW_KIND_COLUMN not in table.column_names


def test_empty_file_when_no_data(tmp_path: Path) -> None:
    schema = pa.schema([("n", pa.int64())])
    for fmt in ("csv", "orc"):
        sink = make_sink(tmp_path, path=fmt, file_format_type=fmt, enable_header_write=True,
                         create_empty_file_when_no_data=True)
        sink.prepare(schema)
        writer = sink.create_writer(0, schema)
        info = writer.prepare_commit(1)
        assert info is not None
        sink.create_committer().commit([info])
        assert writer.prepare_commit(2) is None  # only once per task
        writer.close()
    assert (tmp_path / "csv" / "T_job_r1_0_1_0.csv").read_text() == '"n"\n'
    assert porc.ORCFile(str(tmp_path / "orc" / "T_job_r1_0_1_0.orc")).nrows == 0
    sink = make_sink(tmp_path, path="none", file_format_type="csv")
    assert sink.create_writer(0, schema).prepare_commit(1) is None


# --- commit protocol --------------------------------------------------------------------

def test_nothing_visible_before_commit_and_commit_is_idempotent(tmp_path: Path) -> None:
    sink = make_sink(tmp_path, path="out", file_format_type="csv")
    info = write(sink, [sample()], commit=False)
    assert info is not None
    out = tmp_path / "out"
    assert all(name.startswith(f"{STAGING_DIR}/job.r1") for name in visible(out))  # folder, lock
    json.dumps(info)  # commit infos go into the checkpoint
    committer = sink.create_committer()
    committer.commit([info])
    committer.commit([info])  # again, as after a crash between commit and checkpoint
    sink.finish(True)
    assert visible(out) == ["T_job_r1_0_1_0.csv"]
    assert not (out / STAGING_DIR).exists()


def test_recommit_by_a_new_run_after_a_crash(tmp_path: Path) -> None:
    info = write(make_sink(tmp_path, path="out", run_id="old"), [sample()], commit=False)
    assert info is not None
    restarted = make_sink(tmp_path, path="out", run_id="new")
    restarted.create_committer().commit([info])
    restarted.finish(True)
    assert visible(tmp_path / "out") == ["T_job_old_0_1_0.csv"]


def test_commit_across_file_systems_copies_then_renames(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    info = write(make_sink(tmp_path, path="out", tmp_path="staging"), [sample()], commit=False)
    assert info is not None
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if "staging" in str(src):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(src, dst)

    monkeypatch.setattr(commit_module.os, "replace", replace)
    make_sink(tmp_path, path="out", tmp_path="staging").create_committer().commit([info])
    assert visible(tmp_path / "out") == ["T_job_r1_0_1_0.csv"]
    assert visible(tmp_path / "staging") == []


def test_abort_leaves_nothing(tmp_path: Path) -> None:
    sink = make_sink(tmp_path, path="out", file_format_type="parquet", tmp_path="staging")
    schema = sample().schema
    sink.prepare(schema)
    prepared = sink.create_writer(0, schema)
    prepared.write(sample())
    info = prepared.prepare_commit(1)
    assert info is not None
    failed = sink.create_writer(1, schema)
    failed.write(sample())
    failed.abort()
    failed.close()
    prepared.close()
    sink.create_committer().abort([info])
    sink.finish(False)
    assert visible(tmp_path / "out") == []
    assert visible(tmp_path / "staging") == []


def test_two_tasks_and_two_checkpoints(tmp_path: Path) -> None:
    sink = make_sink(tmp_path, path="out", file_format_type="csv")
    schema = sample().schema
    sink.prepare(schema)
    writers = [sink.create_writer(i, schema) for i in range(2)]
    committer = sink.create_committer()
    for checkpoint in (1, 2):
        infos = []
        for writer in writers:
            writer.write(sample())
            infos.append(writer.prepare_commit(checkpoint))
        committer.commit([i for i in infos if i is not None])
    sink.finish(True)
    assert visible(tmp_path / "out") == [f"T_job_r1_{t}_{c}_0.csv" for t in (0, 1) for c in (1, 2)]
    assert read_all(make_source(tmp_path, path="out", file_format_type="csv",
                                schema=SCHEMA)).num_rows == 12


def test_writer_close_without_prepare_discards(tmp_path: Path) -> None:
    sink = make_sink(tmp_path, path="out")
    sink.prepare(sample().schema)
    writer = sink.create_writer(0, sample().schema)
    writer.write(sample())
    writer.close()
    sink.finish(False)
    assert visible(tmp_path / "out") == []


# --- save modes -------------------------------------------------------------------------

def test_save_modes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "old.csv").write_text("x\n")
    (out / "sub" / "older.csv").write_text("y\n")
    schema = sample().schema
    with pytest.raises(ConnectorError, match="already holds files"):
        make_sink(tmp_path, path="out", data_save_mode="error_when_data_exists").prepare(schema)
    make_sink(tmp_path, path="out", data_save_mode="DROP_DATA").prepare(schema)
    assert visible(out) == [] and out.is_dir()
    make_sink(tmp_path, path="out", data_save_mode="ERROR_WHEN_DATA_EXISTS").prepare(schema)
    (out / "again.csv").write_text("x\n")
    make_sink(tmp_path, path="out", schema_save_mode="RECREATE_SCHEMA").prepare(schema)
    assert visible(out) == [] and out.is_dir()
    with pytest.raises(ConnectorError, match="does not exist"):
        make_sink(tmp_path, path="missing",
                  schema_save_mode="ERROR_WHEN_SCHEMA_NOT_EXIST").prepare(schema)
    make_sink(tmp_path, path="created").prepare(schema)
    assert (tmp_path / "created").is_dir()


# --- source splits, filters, resume -----------------------------------------------------------

def test_directory_is_one_split_per_file(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "b").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "b" / "2.txt").write_text("b2\n")
    (root / "a.txt").write_text("a\n")
    (root / "_SUCCESS").write_text("")
    (root / ".hidden" / "x.txt").write_text("no\n")
    source = make_source(tmp_path, path="in", file_format_type="text")
    assert [s.split_id for s in source.splits()] == ["a.txt", "b/2.txt"]
    assert read_all(source).column("content").to_pylist() == ["a", "b2"]
    assert make_source(tmp_path, path="in/a.txt", file_format_type="text").splits()[0].split_id == "a.txt"
    assert Capability.PARALLEL in LocalFileSource.capabilities


def test_file_filter_pattern_and_extension(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    for name in ("abc1.csv", "abc2.txt", "xyz.csv", "abc3.csv.gz"):
        (root / name).write_text("")
    source = make_source(tmp_path, path="in", file_format_type="text", file_filter_pattern=r"abc\d.*")
    assert [s.split_id for s in source.splits()] == ["abc1.csv", "abc2.txt", "abc3.csv.gz"]
    source = make_source(tmp_path, path="in", file_format_type="text", filename_extension="csv")
    assert [s.split_id for s in source.splits()] == ["abc1.csv", "abc3.csv.gz", "xyz.csv"]


def test_missing_path_is_a_connector_error(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="does not exist"):
        make_source(tmp_path, path="nope", file_format_type="text").splits()


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "orc", "text"])
def test_reader_resumes_from_snapshot(tmp_path: Path, fmt: str) -> None:
    batch = pa.RecordBatch.from_pydict({"n": pa.array(range(7), pa.int64())})
    if fmt == "parquet":  # several row groups, so resuming skips whole groups and slices one
        (tmp_path / "out").mkdir()
        pq.write_table(pa.Table.from_batches([batch]), tmp_path / "out" / "a.parquet",
                       row_group_size=3)
    else:
        write(make_sink(tmp_path, path="out", file_format_type=fmt), [batch])
    declared: dict[str, Any] = {"schema": {"fields": {"n": "bigint"}}} if fmt in ("csv", "json", "text") else {}
    if fmt == "text":
        declared["field_delimiter"] = "\x01"
    source = make_source(tmp_path, path="out", file_format_type=fmt, batch_size=2, **declared)
    [split] = source.splits()
    reader = source.create_reader(split)
    batches = reader.read()
    first, second = next(batches), next(batches)
    assert first is not None and second is not None
    state = reader.snapshot()
    reader.close()
    assert state == {"rows_done": 4, "done": False}
    json.dumps(state)
    resumed = source.create_reader(split, state)
    rest = [b for b in resumed.read() if b is not None]
    assert resumed.snapshot() == {"rows_done": 7, "done": True}
    finished = source.create_reader(split, resumed.snapshot())
    assert list(finished.read()) == []  # a later run does not read the file again
    assert first.column(0).to_pylist() + second.column(0).to_pylist() == [0, 1, 2, 3]
    assert [v for b in rest for v in b.column(0).to_pylist()] == [4, 5, 6]
    assert resumed.snapshot() == {"rows_done": 7, "done": True}


def test_read_columns_projection_with_partition(tmp_path: Path) -> None:
    (tmp_path / "in" / "dt=2024").mkdir(parents=True)
    pq.write_table(pa.table({"a": [1], "b": ["x"]}), tmp_path / "in" / "dt=2024" / "f.parquet")
    source = make_source(tmp_path, path="in", file_format_type="parquet", read_columns=["dt", "b"])
    assert read_all(source).to_pylist() == [{"dt": "2024", "b": "x"}]
    only_partition = make_source(tmp_path, path="in", file_format_type="parquet", read_columns=["dt"])
    assert read_all(only_partition).to_pylist() == [{"dt": "2024"}]
    bad = make_source(tmp_path, path="in", file_format_type="parquet", read_columns=["zz"])
    with pytest.raises(OptionError) as err:
        bad.output_schema()
    assert err.value.option == ("read_columns",)


def test_declared_schema_needs_no_files(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    source = make_source(tmp_path, path="empty", file_format_type="json", schema={"fields": {"a": "int"}})
    assert source.output_schema() == pa.schema([("a", pa.int32())])
    assert source.splits() == []
    with pytest.raises(ConnectorError, match="infer"):
        make_source(tmp_path, path="empty", file_format_type="parquet").output_schema()


# --- option errors ----------------------------------------------------------------------

def test_source_option_errors() -> None:
    model = LocalFileSource.options_model
    assert check_errors(model, path="x", file_format_type="csv")[0][0] == ("schema",)
    errors = check_errors(model, path="x", file_format_type="csv", field_delimiter="||",
                          schema={"fields": {"a": "int", "b": "nosuchtype"}})
    assert [e[0] for e in errors] == [("schema", "fields", "b"), ("field_delimiter",)]
    assert check_errors(model, path="x", file_format_type="text", field_delimiter=",")[0][0] == ("schema",)
    assert check_errors(model, path="x", file_format_type="json", file_filter_pattern="(")[0][0] == \
        ("file_filter_pattern",)
    assert check_errors(model, path="x", file_format_type="json", compress_codec="lzo")[0][0] == \
        ("compress_codec",)
    assert check_errors(model, path="x", file_format_type="json", encoding="nope")[0][0] == ("encoding",)
    assert check_errors(model, path="x", file_format_type="json", date_format="yyyy-QQ")[0][0] == \
        ("date_format",)
    assert check_errors(model, path="x", file_format_type="json", row_delimiter="|")[0][0] == \
        ("row_delimiter",)
    assert check_errors(model, path="x", file_format_type="Parquet") == []
    with pytest.raises(ValidationError):
        model.model_validate({"path": "x", "file_format_type": "excel"})
    with pytest.raises(ValidationError):
        model.model_validate({"path": "x", "file_format_type": "text", "unknown_option": 1})


def test_sink_option_errors(tmp_path: Path) -> None:
    model = LocalFileSink.options_model
    assert check_errors(model, path="x") == []
    cases: list[tuple[dict[str, Any], tuple[str, ...]]] = [
        ({"compress_codec": "lzo"}, ("compress_codec",)),
        ({"file_format_type": "orc", "compress_codec": "gzip"}, ("compress_codec",)),
        ({"have_partition": True}, ("partition_by",)),
        ({"have_partition": True, "partition_by": ["a"], "sink_columns": ["b"]}, ("partition_by",)),
        ({"custom_filename": True, "file_name_expression": "${now}"}, ("file_name_expression",)),
        ({"custom_filename": True, "file_name_expression": "${transactionId}${bad}"},
         ("file_name_expression",)),
        ({"encoding": "latin-1"}, ("encoding",)),
        ({"filename_time_format": "yyyy-XX"}, ("filename_time_format",)),
        ({"field_delimiter": ";;"}, ("field_delimiter",)),
        ({"is_enable_transaction": False}, ("is_enable_transaction",)),
        ({"path": "/data/${table_name}"}, ("path",)),
    ]
    for options, where in cases:
        errors = check_errors(model, **{"path": "x", **options})
        assert [e[0] for e in errors] == [where], options
    with pytest.raises(ValidationError):
        model.model_validate({"path": "x", "batch_size": 0})
    sink = make_sink(tmp_path, path="out", sink_columns=["id", "nope"])
    with pytest.raises(OptionError) as err:
        sink.check_input(sample().schema)
    assert err.value.option == ("sink_columns",)
    orc_sink = make_sink(tmp_path, path="out", file_format_type="orc")
    with pytest.raises(OptionError, match="cannot store"):
        orc_sink.check_input(pa.schema([("t", pa.time64("us"))]))
    only_keys = make_sink(tmp_path, path="out", have_partition=True, partition_by=["id"],
                          sink_columns=["id"])
    with pytest.raises(OptionError, match="no column is left"):
        only_keys.check_input(sample().schema)


# --- registration -----------------------------------------------------------------------

def test_plugin_registers_source_and_sink_through_the_entry_point() -> None:
    entry = EntryPoint(name="files", value="seatunnel_py_files.plugin", group="seatunnel_py")
    registry = build_registry([entry])
    assert registry.broken == []
    source = registry.get(PluginKind.SOURCE, "localfile")
    sink = registry.get(PluginKind.SINK, "LocalFile")
    assert source is not None and source.cls is LocalFileSource
    assert sink is not None and sink.cls is LocalFileSink
    assert Capability.EXACTLY_ONCE in LocalFileSink.capabilities
    for cls in (LocalFileSource, LocalFileSink):
        for name, field in cls.options_model.model_fields.items():
            assert field.description, f"{cls.__name__}.{name} has no description"


def test_text_drops_a_utf8_bom_like_csv_and_json(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"\xef\xbb\xbf1,x\n2,y\n")
    source = make_source(tmp_path, path=str(tmp_path), file_format_type="text", field_delimiter=",",
                         schema={"fields": {"id": "int", "name": "string"}})
    assert read_all(source).to_pylist() == [{"id": 1, "name": "x"}, {"id": 2, "name": "y"}]


def test_json_values_are_converted_to_the_declared_types(tmp_path: Path) -> None:
    """As the docs say for csv and json: a quoted number for an int, a number for a string."""
    (tmp_path / "a.json").write_text('{"id": 1, "name": "a", "ok": true}\n'
                                     '{"id": "2", "name": 5, "ok": "false"}\n'
                                     '{"id": 3, "name": true, "ok": null}\n')
    source = make_source(tmp_path, path=str(tmp_path), file_format_type="json",
                         schema={"fields": {"id": "int", "name": "string", "ok": "boolean"}})
    assert read_all(source).to_pylist() == [{"id": 1, "name": "a", "ok": True},
                                            {"id": 2, "name": "5", "ok": False},
                                            {"id": 3, "name": "true", "ok": None}]


def test_json_value_that_does_not_convert_is_a_data_error_naming_the_column(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"id": "x"}\n')
    source = make_source(tmp_path, path=str(tmp_path), file_format_type="json", schema={"fields": {"id": "int"}})
    with pytest.raises(DataError, match="id"):
        read_all(source)
