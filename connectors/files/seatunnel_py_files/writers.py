"""Writing text, csv, json lines, parquet and orc files with pyarrow.

Writers take whole record batches: text and json lines are built with vectorised string
kernels, csv goes through pyarrow's CSV writer, parquet buffers batches into large row
groups of one ``ParquetWriter``, orc goes through ``ORCWriter``.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.orc as porc
import pyarrow.parquet as pq

from seatunnel_py.api import ConnectorError, DataError

from .convert import TemporalFormats, join_rows, to_json_values, to_strings
from .options import CompressCodec, FileFormat, QuoteMode

BLOCK = 1 << 20
ROW_GROUP_ROWS = 128 * 1024
ROW_GROUP_BYTES = 64 << 20

FORMAT_EXTENSIONS: dict[FileFormat, str] = {
    FileFormat.TEXT: ".txt",
    FileFormat.CSV: ".csv",
    FileFormat.JSON: ".json",
    FileFormat.PARQUET: ".parquet",
    FileFormat.ORC: ".orc",
}
_STREAM_SUFFIX = {"gzip": ".gz", "bz2": ".bz2", "zstd": ".zst", "lz4": ".lz4", "brotli": ".br"}
_COLUMNAR_SUFFIX = {"gzip": ".gz", "snappy": ".snappy", "brotli": ".brotli", "zstd": ".zstd",
                    "lz4": ".lz4", "zlib": ".zlib"}
_QUOTING = {QuoteMode.ALL: "all_valid", QuoteMode.MINIMAL: "needed", QuoteMode.NONE: "none"}


def file_extension(fmt: FileFormat, codec: CompressCodec) -> str:
    """``.csv``, ``.csv.gz`` (whole-file codecs), ``.snappy.parquet`` (codecs inside the file)."""
    ext = FORMAT_EXTENSIONS[fmt]
    if codec == CompressCodec.NONE:
        return ext
    if fmt.columnar:
        return _COLUMNAR_SUFFIX[codec.value] + ext
    return ext + _STREAM_SUFFIX[codec.value]


@dataclass(frozen=True)
class WriteSpec:
    """How to write files: their schema (without partition or row-kind columns) and format."""

    file_format: FileFormat
    schema: pa.Schema
    codec: CompressCodec = CompressCodec.NONE
    field_delimiter: str = ","
    row_delimiter: str = "\n"
    header: bool = False
    quote_mode: QuoteMode = QuoteMode.MINIMAL
    formats: TemporalFormats = field(default_factory=TemporalFormats)


class FileWriter(ABC):
    """One open output file."""

    def __init__(self, path: Path, spec: WriteSpec) -> None:
        self.path = path
        self.spec = spec
        self.rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        """Append a batch of ``spec.schema``."""
        self._write(batch)
        self.rows += batch.num_rows

    @abstractmethod
    def _write(self, batch: pa.RecordBatch) -> None: ...

    @abstractmethod
    def close(self) -> None:
        """Flush and close the file (it is complete afterwards)."""


class _StreamWriter(FileWriter):
    """Text-like formats: bytes into a (possibly compressed) output stream."""

    def __init__(self, path: Path, spec: WriteSpec) -> None:
        super().__init__(path, spec)
        codec = None if spec.codec == CompressCodec.NONE else spec.codec.value
        self._out = pa.output_stream(str(path), compression=codec, buffer_size=BLOCK)

    def close(self) -> None:
        self._out.close()


class TextWriter(_StreamWriter):
    """Fields joined by the field delimiter, nulls as empty strings, no quoting."""

    def __init__(self, path: Path, spec: WriteSpec) -> None:
        super().__init__(path, spec)
        if spec.header:
            header = spec.field_delimiter.join(spec.schema.names) + spec.row_delimiter
            self._out.write(header.encode())

    def _write(self, batch: pa.RecordBatch) -> None:
        spec = self.spec
        columns = [to_strings(batch.column(i), spec.formats, column=name).fill_null("")
                   for i, name in enumerate(batch.schema.names)]
        lines = pc.binary_join_element_wise(*columns, spec.field_delimiter)
        self._out.write(join_rows(lines, spec.row_delimiter))


class JsonWriter(_StreamWriter):
    """One JSON object per line, built with vectorised string joins."""

    def __init__(self, path: Path, spec: WriteSpec) -> None:
        super().__init__(path, spec)
        self._keys = [json.dumps(n, ensure_ascii=False) for n in spec.schema.names]

    def _write(self, batch: pa.RecordBatch) -> None:
        parts: list[pa.Array | str] = []
        for i, key in enumerate(self._keys):
            parts.append(("{" if i == 0 else ",") + key + ":")
            parts.append(to_json_values(batch.column(i), self.spec.formats, column=key))
        parts.append("}")
        lines = pc.binary_join_element_wise(*parts, "")
        self._out.write(join_rows(lines, self.spec.row_delimiter))


def _csv_type(dtype: pa.DataType, formats: TemporalFormats) -> pa.DataType:
    temporal_fmt = (formats.date if pa.types.is_date(dtype) else formats.datetime
                    if pa.types.is_timestamp(dtype) else formats.time if pa.types.is_time(dtype)
                    else None)
    plain = pa.types.is_primitive(dtype) or pa.types.is_decimal(dtype) or \
        pa.types.is_string(dtype) or pa.types.is_large_string(dtype)
    return dtype if plain and temporal_fmt is None and not pa.types.is_null(dtype) else pa.string()


class CsvWriter(_StreamWriter):
    """pyarrow's CSV writer; nested, binary and formatted temporal columns go as text."""

    def __init__(self, path: Path, spec: WriteSpec) -> None:
        super().__init__(path, spec)
        self._schema = pa.schema([pa.field(f.name, _csv_type(f.type, spec.formats))
                                  for f in spec.schema])
        options = pcsv.WriteOptions(
            include_header=spec.header, delimiter=spec.field_delimiter, eol=spec.row_delimiter,
            quoting_style=_QUOTING[spec.quote_mode])
        self._writer = pcsv.CSVWriter(self._out, self._schema, write_options=options)

    def _write(self, batch: pa.RecordBatch) -> None:
        arrays = []
        for i, target in enumerate(self._schema):
            column = batch.column(i)
            if column.type != target.type:
                column = to_strings(column, self.spec.formats, column=target.name)
            arrays.append(column)
        try:
            self._writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self._schema))
        except pa.ArrowInvalid as exc:
            raise DataError(f"LocalFile: cannot write csv: {exc}") from None

    def close(self) -> None:
        self._writer.close()
        super().close()


class ParquetWriter(FileWriter):
    """One ``pyarrow.parquet.ParquetWriter``, fed row groups of about 128 Ki rows."""

    def __init__(self, path: Path, spec: WriteSpec) -> None:
        super().__init__(path, spec)
        codec = "none" if spec.codec == CompressCodec.NONE else spec.codec.value
        self._writer = pq.ParquetWriter(str(path), spec.schema, compression=codec)
        self._buffer: list[pa.RecordBatch] = []
        self._buffered_rows = 0
        self._buffered_bytes = 0

    def _write(self, batch: pa.RecordBatch) -> None:
        self._buffer.append(batch)
        self._buffered_rows += batch.num_rows
        self._buffered_bytes += batch.nbytes
        if self._buffered_rows >= ROW_GROUP_ROWS or self._buffered_bytes >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            table = pa.Table.from_batches(self._buffer, schema=self.spec.schema)
            self._writer.write_table(table, row_group_size=max(ROW_GROUP_ROWS, table.num_rows))
        self._buffer, self._buffered_rows, self._buffered_bytes = [], 0, 0

    def close(self) -> None:
        self._flush()
        self._writer.close()


class OrcWriter(FileWriter):
    """``pyarrow.orc.ORCWriter`` (it cuts stripes itself)."""

    def __init__(self, path: Path, spec: WriteSpec) -> None:
        super().__init__(path, spec)
        codec = "uncompressed" if spec.codec == CompressCodec.NONE else spec.codec.value
        self._writer = porc.ORCWriter(str(path), compression=codec)

    def _write(self, batch: pa.RecordBatch) -> None:
        self._writer.write(pa.Table.from_batches([batch]))

    def close(self) -> None:
        if self.rows == 0:  # an ORC file needs its schema written
            self._writer.write(self.spec.schema.empty_table())
        self._writer.close()


_WRITERS: dict[FileFormat, type[FileWriter]] = {
    FileFormat.TEXT: TextWriter,
    FileFormat.CSV: CsvWriter,
    FileFormat.JSON: JsonWriter,
    FileFormat.PARQUET: ParquetWriter,
    FileFormat.ORC: OrcWriter,
}


def open_writer(path: Path, spec: WriteSpec) -> FileWriter:
    """Create ``path`` and return its writer."""
    try:
        return _WRITERS[spec.file_format](path, spec)
    except OSError as exc:
        raise ConnectorError(f"LocalFile: cannot create {path}: {exc}") from None


def unwritable_columns(fmt: FileFormat, schema: pa.Schema) -> list[str]:
    """Columns a format cannot store (ORC has no time or null type)."""
    if fmt != FileFormat.ORC:
        return []
    return [f"{f.name} ({f.type})" for f in schema
            if pa.types.is_time(f.type) or pa.types.is_null(f.type)]
