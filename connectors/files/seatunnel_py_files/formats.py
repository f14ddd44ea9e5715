"""Reading text, csv, json lines, parquet and orc files with pyarrow, streaming.

Text is read in 1 MiB blocks split on the row delimiter, csv and json through pyarrow's
streaming readers, parquet by row group and orc by stripe. Writing is in ``writers``.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.json as pjson
import pyarrow.orc as porc
import pyarrow.parquet as pq

from seatunnel_py.api import ConnectorError, DataError

from .convert import TemporalFormats, parse_strings
from .listing import codec_for
from .options import FileFormat

BLOCK = 1 << 20
JSON_BLOCK = 8 << 20

Batches = Generator[pa.RecordBatch, None, None]


# --- reading ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ReadSpec:
    """How to read the files of one source: their data columns and the text settings."""

    file_format: FileFormat
    schema: pa.Schema
    """The data columns of a file (not the partition columns), with their target types."""
    columns: tuple[str, ...]
    """The data columns to produce, in this order (a projection of ``schema``)."""
    split_fields: bool = True
    field_delimiter: str = ","
    row_delimiter: str = "\n"
    skip_rows: int = 0
    header: bool = False
    codec: str = "none"
    encoding: str = "utf-8"
    null_format: str | None = None
    formats: TemporalFormats = field(default_factory=TemporalFormats)
    batch_size: int = 8192

    @property
    def output(self) -> pa.Schema:
        """Schema of the batches ``read_batches`` yields."""
        return pa.schema([self.schema.field(c) for c in self.columns])


def open_input(path: Path, spec: ReadSpec) -> pa.NativeFile:
    """A (decompressed, UTF-8) input stream over a text-like file."""
    stream = pa.input_stream(str(path), compression=codec_for(path, spec.codec), buffer_size=BLOCK)
    if spec.encoding.lower().replace("-", "").replace("_", "") != "utf8":
        stream = pa.transcoding_input_stream(stream, spec.encoding, "utf-8")
    return stream


def conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """Columns of ``schema`` by name: missing ones null, others cast to the declared type."""
    arrays = []
    for target in schema:
        index = batch.schema.get_field_index(target.name)
        if index < 0:
            arrays.append(pa.nulls(batch.num_rows, target.type))
            continue
        column = batch.column(index)
        if column.type != target.type:
            try:
                column = column.cast(target.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise DataError(f"column {target.name!r}: cannot read {column.type} as "
                                f"{target.type}: {exc}") from None
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _empty(exc: Exception) -> bool:
    """pyarrow's csv and json readers refuse an empty file: "Empty CSV file"."""
    return str(exc).startswith(("Empty CSV file", "Empty JSON stream"))


def _skip(batches: Iterator[pa.RecordBatch], rows: int) -> Batches:
    for batch in batches:
        if rows >= batch.num_rows:
            rows -= batch.num_rows
            continue
        yield batch.slice(rows) if rows else batch
        rows = 0


def _rebatch(batches: Iterator[pa.RecordBatch], size: int) -> Batches:
    for batch in batches:
        for start in range(0, batch.num_rows, size):
            yield batch.slice(start, size)


UTF8_BOM = b"\xef\xbb\xbf"


def _lines(stream: pa.NativeFile, delimiter: str) -> Generator[pa.Array, None, None]:
    """String arrays of the lines of a stream (no trailing empty line; a leading UTF-8 BOM dropped)."""
    delim = delimiter.encode()
    tail = b""
    first = True
    while True:
        block = stream.read(BLOCK)
        if not block:
            break
        if first:
            block, first = block.removeprefix(UTF8_BOM), False
        data = tail + block
        cut = data.rfind(delim)
        if cut < 0:
            tail = data
            continue
        tail = data[cut + len(delim):]
        yield _split(data[:cut], delim, delimiter)
    if tail:
        yield _split(tail, delim, delimiter)


def _split(data: bytes, delim: bytes, delimiter: str) -> pa.Array:
    lines = pc.split_pattern(pa.array([data], pa.binary()), delim).flatten()
    try:
        text = lines.cast(pa.string())
    except pa.ArrowInvalid as exc:
        raise DataError(f"not valid UTF-8 text ({exc}); set 'encoding'") from None
    if delimiter == "\n":
        text = pc.replace_substring_regex(text, r"\r$", "")
    return text


def _read_text(path: Path, spec: ReadSpec) -> Batches:
    skip = spec.skip_rows
    out = spec.output
    wanted = [spec.schema.get_field_index(c) for c in spec.columns]
    with open_input(path, spec) as stream:
        for lines in _lines(stream, spec.row_delimiter):
            if skip:
                dropped = min(skip, len(lines))
                lines, skip = lines.slice(dropped), skip - dropped
            if not len(lines):
                continue
            if not spec.split_fields:
                yield pa.RecordBatch.from_arrays([lines], schema=out)
                continue
            parts = pc.split_pattern(lines, spec.field_delimiter)
            fixed = pc.list_slice(parts, 0, len(spec.schema), return_fixed_size_list=True)
            arrays = []
            for i in wanted:
                target = spec.schema.field(i)
                raw = pc.list_element(fixed, i)
                arrays.append(parse_strings(raw, target.type, column=target.name,
                                            formats=spec.formats, null_format=spec.null_format))
            yield pa.RecordBatch.from_arrays(arrays, schema=out)


def _read_csv(path: Path, spec: ReadSpec) -> Batches:
    names = spec.schema.names
    nulls = [""] + ([spec.null_format] if spec.null_format is not None else [])
    read_options = pcsv.ReadOptions(
        column_names=None if spec.header else names, skip_rows=spec.skip_rows,
        block_size=BLOCK, use_threads=False)
    parse_options = pcsv.ParseOptions(delimiter=spec.field_delimiter, newlines_in_values=True)
    convert_options = pcsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, include_columns=list(spec.columns),
        include_missing_columns=True, null_values=nulls, strings_can_be_null=True,
        quoted_strings_can_be_null=False)
    out = spec.output
    with open_input(path, spec) as stream:
        try:
            reader = pcsv.open_csv(stream, read_options, parse_options, convert_options)
        except pa.ArrowInvalid as exc:
            if _empty(exc):
                return
            raise
        for batch in reader:
            arrays = [parse_strings(batch.column(f.name), f.type, column=f.name,
                                    formats=spec.formats) for f in out]
            yield pa.RecordBatch.from_arrays(arrays, schema=out)


def _json_read_type(dtype: pa.DataType) -> pa.DataType:
    temporal = pa.types.is_date(dtype) or pa.types.is_time(dtype) or pa.types.is_timestamp(dtype)
    return pa.string() if temporal else dtype


def _read_json(path: Path, spec: ReadSpec) -> Batches:
    """JSON lines: pyarrow's reader when every value has its column's JSON type, else line by line.

    ``{"id": "2"}`` for an ``int`` column or ``{"name": 5}`` for a ``string`` one stop
    pyarrow's reader ("changed from number to string"); the file is then read again from
    where the fast reader stopped, each value converted to the declared type as csv
    values are (numbers and booleans as their JSON text for string columns).
    """
    done = 0
    try:
        for batch in _read_json_typed(path, spec):
            yield batch
            done += batch.num_rows
    except pa.ArrowInvalid as exc:
        if "changed from" not in str(exc):
            raise
        yield from _skip(_read_json_lenient(path, spec), done)


def _read_json_lenient(path: Path, spec: ReadSpec) -> Batches:
    out = spec.output
    rows: list[dict[str, object]] = []
    with open_input(path, spec) as stream:
        for number, line in enumerate(_json_lines(stream), start=1):
            try:
                value = json.loads(line)
            except ValueError as exc:
                raise DataError(f"line {number} is not valid JSON ({exc})") from None
            if not isinstance(value, dict):
                raise DataError(f"line {number} is not a JSON object")
            rows.append(value)
            if len(rows) >= spec.batch_size:
                yield _json_rows(rows, out, spec)
                rows = []
    if rows:
        yield _json_rows(rows, out, spec)


def _json_lines(stream: pa.NativeFile) -> Generator[str, None, None]:
    for lines in _lines(stream, "\n"):
        for line in lines.to_pylist():
            if line and line.strip():
                yield line


def _json_rows(rows: list[dict[str, object]], out: pa.Schema, spec: ReadSpec) -> pa.RecordBatch:
    arrays = []
    for target in out:
        values = [row.get(target.name) for row in rows]
        if pa.types.is_nested(target.type):
            arrays.append(pa.array(values, target.type))
            continue
        text = [v if v is None or isinstance(v, str) else json.dumps(v) for v in values]
        arrays.append(parse_strings(pa.array(text, pa.string()), target.type, column=target.name,
                                    formats=spec.formats))
    return pa.RecordBatch.from_arrays(arrays, schema=out)


def _read_json_typed(path: Path, spec: ReadSpec) -> Batches:
    out = spec.output
    explicit = pa.schema([pa.field(f.name, _json_read_type(f.type)) for f in out])
    with open_input(path, spec) as stream:
        try:
            reader = pjson.open_json(
                stream, read_options=pjson.ReadOptions(use_threads=False, block_size=JSON_BLOCK),
                parse_options=pjson.ParseOptions(explicit_schema=explicit,
                                                  unexpected_field_behavior="ignore"))
        except pa.ArrowInvalid as exc:
            if _empty(exc):
                return
            raise
        for batch in reader:
            arrays = []
            for target in out:
                column = batch.column(target.name)
                if column.type != target.type:
                    column = parse_strings(column, target.type, column=target.name,
                                           formats=spec.formats)
                arrays.append(column)
            yield pa.RecordBatch.from_arrays(arrays, schema=out)


def _read_parquet(path: Path, spec: ReadSpec, skip: int) -> Batches:
    out = spec.output
    with pa.OSFile(str(path)) as source:
        # pre_buffer reads whole row groups ahead: 465 MB instead of 212 MB for a 10M-row file
        parquet = pq.ParquetFile(source, pre_buffer=False)
        present = set(parquet.schema_arrow.names)
        groups: list[int] = []
        for i in range(parquet.metadata.num_row_groups):
            rows = parquet.metadata.row_group(i).num_rows
            if skip >= rows and not groups:
                skip -= rows
            else:
                groups.append(i)
        if not groups:
            return
        batches = parquet.iter_batches(batch_size=spec.batch_size, row_groups=groups,
                                       columns=[c for c in spec.columns if c in present],
                                       use_threads=False)
        for batch in _skip(batches, skip):
            yield conform(batch, out)


def _read_orc(path: Path, spec: ReadSpec) -> Batches:
    out = spec.output
    with pa.OSFile(str(path)) as source:
        orc = porc.ORCFile(source)
        present = set(orc.schema.names)
        columns = [c for c in spec.columns if c in present]
        for i in range(orc.nstripes):
            yield conform(orc.read_stripe(i, columns=columns), out)


def read_batches(path: Path, spec: ReadSpec, skip: int = 0) -> Batches:
    """Batches of ``spec.output`` (at most ``batch_size`` rows) after the first ``skip`` rows."""
    fmt = spec.file_format
    batches: Batches
    if fmt == FileFormat.PARQUET:
        batches = _read_parquet(path, spec, skip)
        skip = 0
    elif fmt == FileFormat.ORC:
        batches = _read_orc(path, spec)
    elif fmt == FileFormat.CSV:
        batches = _read_csv(path, spec)
    elif fmt == FileFormat.JSON:
        batches = _read_json(path, spec)
    else:
        batches = _read_text(path, spec)
    try:
        yield from _rebatch(_skip(batches, skip), spec.batch_size)
    except DataError as exc:
        raise DataError(f"LocalFile: {path}: {exc}") from None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise DataError(f"LocalFile: {path}: {exc}") from None
    except OSError as exc:
        raise ConnectorError(f"LocalFile: cannot read {path}: {exc}") from None
    finally:
        batches.close()


def infer_schema(path: Path, spec: ReadSpec) -> pa.Schema | None:
    """The data schema of one file (``None`` when the file is empty)."""
    fmt = spec.file_format
    try:
        if fmt == FileFormat.PARQUET:
            return pq.read_schema(str(path)).remove_metadata()
        if fmt == FileFormat.ORC:
            with pa.OSFile(str(path)) as source:
                return porc.ORCFile(source).schema.remove_metadata()
        with open_input(path, spec) as stream:
            if fmt == FileFormat.JSON:
                reader = pjson.open_json(stream, read_options=pjson.ReadOptions(
                    use_threads=False, block_size=JSON_BLOCK))
                return reader.schema
            reader = pcsv.open_csv(
                stream, pcsv.ReadOptions(skip_rows=spec.skip_rows, use_threads=False),
                pcsv.ParseOptions(delimiter=spec.field_delimiter))
            return pa.schema([pa.field(n, pa.string()) for n in reader.schema.names])
    except pa.ArrowInvalid as exc:
        if _empty(exc):
            return None
        raise DataError(f"LocalFile: cannot infer the schema of {path}: {exc}") from None
    except OSError as exc:
        raise ConnectorError(f"LocalFile: cannot read {path}: {exc}") from None
