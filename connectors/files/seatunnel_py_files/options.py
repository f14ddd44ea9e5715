"""Option models of the LocalFile source and sink (names as in SeaTunnel)."""

from __future__ import annotations

import codecs
import re
from typing import Any

from seatunnel_py.api import OptionEnum, OptionError, PluginOptions, SchemaSaveMode, option
from seatunnel_py.types import SchemaError, TableSchema, parse_schema

from .timeformat import translate


class FileFormat(OptionEnum):
    """File formats this connector reads and writes."""

    TEXT = "text"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"
    ORC = "orc"

    @property
    def columnar(self) -> bool:
        """Parquet and ORC: binary, self-describing, compressed inside the file."""
        return self in (FileFormat.PARQUET, FileFormat.ORC)


class CompressCodec(OptionEnum):
    """Compression codecs; which ones apply depends on the format (see README)."""

    NONE = "none"
    GZIP = "gzip"
    BZ2 = "bz2"
    ZSTD = "zstd"
    LZ4 = "lz4"
    BROTLI = "brotli"
    SNAPPY = "snappy"
    ZLIB = "zlib"
    LZO = "lzo"


STREAM_CODECS = (CompressCodec.GZIP, CompressCodec.BZ2, CompressCodec.ZSTD, CompressCodec.LZ4,
                 CompressCodec.BROTLI)
"""Codecs that compress a whole text/csv/json file (``pyarrow.CompressedInputStream``)."""
SINK_CODECS: dict[FileFormat, tuple[CompressCodec, ...]] = {
    FileFormat.TEXT: (CompressCodec.NONE, *STREAM_CODECS),
    FileFormat.CSV: (CompressCodec.NONE, *STREAM_CODECS),
    FileFormat.JSON: (CompressCodec.NONE, *STREAM_CODECS),
    FileFormat.PARQUET: (CompressCodec.NONE, CompressCodec.SNAPPY, CompressCodec.GZIP,
                         CompressCodec.BROTLI, CompressCodec.ZSTD, CompressCodec.LZ4),
    FileFormat.ORC: (CompressCodec.NONE, CompressCodec.SNAPPY, CompressCodec.ZLIB,
                     CompressCodec.LZ4, CompressCodec.ZSTD),
}


class QuoteMode(OptionEnum):
    """CSV quoting: every value, only strings and values that need it, or none."""

    ALL = "ALL"
    MINIMAL = "MINIMAL"
    NONE = "NONE"


class DataSaveMode(OptionEnum):
    """What the sink does with files already in the target directory.

    SeaTunnel's ``DataSaveMode`` without CUSTOM_PROCESSING (there is no SQL to run on a
    directory), so the option model refuses it.
    """

    DROP_DATA = "DROP_DATA"
    APPEND_DATA = "APPEND_DATA"
    ERROR_WHEN_DATA_EXISTS = "ERROR_WHEN_DATA_EXISTS"


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _check_formats(opts: Any, errors: list[OptionError], names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(opts, name)
        if value is None:
            continue
        try:
            translate(value)
        except ValueError as exc:
            errors.append(OptionError(name, str(exc)))


class DelimitedOptions(PluginOptions):
    """Options the LocalFile source and sink share: the format and its delimiters."""

    file_format_type: FileFormat = option(FileFormat.CSV, "text, csv, json, parquet or orc")
    field_delimiter: str | None = option(
        None, "field separator (default \\001 for text, ',' for csv)", fallback="delimiter")
    row_delimiter: str = option("\n", "line separator of text/csv/json files")

    def delimiter(self) -> str:
        """The field delimiter in effect for this format."""
        if self.field_delimiter is not None:
            return self.field_delimiter
        return "," if self.file_format_type == FileFormat.CSV else "\x01"

    def delimiter_errors(self) -> list[OptionError]:
        """Problems with the delimiters, whatever the direction."""
        errors: list[OptionError] = []
        if self.field_delimiter == "":
            errors.append(OptionError("field_delimiter", "must not be empty"))
        if self.file_format_type == FileFormat.CSV and len(self.delimiter()) != 1:
            errors.append(OptionError("field_delimiter", "csv needs a one-character delimiter"))
        if not self.row_delimiter:
            errors.append(OptionError("row_delimiter", "must not be empty"))
        return errors


class LocalFileSourceOptions(DelimitedOptions):
    """Options of the LocalFile source."""

    path: str = option(..., "file or directory to read; a directory is walked recursively "
                       "(entries starting with '.' or '_' are skipped); relative to the job file")
    file_format_type: FileFormat = option(..., "text, csv, json, parquet or orc")
    schema_: dict[str, Any] | None = option(
        None, "declared schema { fields { name = type } }; required for csv (unless "
        "csv_use_header_line) and for text split on field_delimiter", alias="schema")
    read_columns: list[str] | None = option(None, "columns to read (projection), in this order")
    skip_header_row_number: int = option(0, "lines to skip at the start of each text/csv file", ge=0)
    csv_use_header_line: bool = option(False, "csv: the first (not skipped) line names the columns")
    compress_codec: CompressCodec = option(
        CompressCodec.NONE, "text/csv/json: gzip, bz2, zstd, lz4 or brotli; 'none' infers "
        "the codec from the file extension (.gz .bz2 .zst .lz4 .br)")
    file_filter_pattern: str | None = option(
        None, "regular expression a file name (or its path relative to 'path') must match")
    filename_extension: str | None = option(None, "read only files with this extension (e.g. csv)")
    parse_partition_from_path: bool = option(
        True, "k=v directory names become string columns appended to the schema")
    null_format: str | None = option(None, "text/csv: the string that means NULL (e.g. \\N)")
    encoding: str = option("UTF-8", "character encoding of text/csv/json files")
    date_format: str = option("yyyy-MM-dd", "text/csv/json: pattern of date values")
    datetime_format: str = option("yyyy-MM-dd HH:mm:ss", "text/csv/json: pattern of timestamps")
    time_format: str = option("HH:mm:ss", "text/csv/json: pattern of time values")
    batch_size: int = option(8192, "seatunnel-py: at most this many rows per record batch", gt=0)

    def table_schema(self) -> TableSchema | None:
        """The declared schema (``None`` when not declared); ``SchemaError`` when bad."""
        return None if self.schema_ is None else parse_schema(self.schema_)

    def check(self) -> list[OptionError]:
        """Cross-option checks (schema syntax, codecs, delimiters, patterns)."""
        errors: list[OptionError] = []
        fmt = self.file_format_type
        declared = self.schema_ is not None
        if declared:
            try:
                self.table_schema()
            except SchemaError as exc:
                errors.append(OptionError(("schema", *exc.path), exc.message))
        if fmt == FileFormat.CSV and not declared and not self.csv_use_header_line:
            errors.append(OptionError("schema", "csv needs a schema { fields { … } } "
                                      "or csv_use_header_line = true"))
        if fmt == FileFormat.TEXT and not declared and self.field_delimiter is not None:
            errors.append(OptionError("schema", "text split on field_delimiter needs a schema; "
                                      "without one each line is read as one 'content' column"))
        errors.extend(self.delimiter_errors())
        if self.row_delimiter and fmt in (FileFormat.CSV, FileFormat.JSON) and self.row_delimiter not in ("\n", "\r\n"):
            errors.append(OptionError("row_delimiter", f"{fmt.value} files are read line by line; "
                                      "only \\n (or \\r\\n) is supported"))
        codec = self.compress_codec
        if not fmt.columnar and codec not in (CompressCodec.NONE, *STREAM_CODECS):
            errors.append(OptionError("compress_codec", f"{codec.value} cannot be read as a stream "
                                      "(expected none, gzip, bz2, zstd, lz4 or brotli)"))
        if self.file_filter_pattern is not None:
            try:
                re.compile(self.file_filter_pattern)
            except re.error as exc:
                errors.append(OptionError("file_filter_pattern", f"not a regular expression: {exc}"))
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            errors.append(OptionError("encoding", f"unknown encoding {self.encoding!r}"))
        if self.read_columns is not None and not self.read_columns:
            errors.append(OptionError("read_columns", "must name at least one column"))
        _check_formats(self, errors, ("date_format", "datetime_format", "time_format"))
        return errors


FILE_NAME_VARIABLES = frozenset({"transactionId", "now", "uuid"})
DEFAULT_PARTITION_EXPRESSION = "${k0}=${v0}/${k1}=${v1}/.../${kn}=${vn}/"


class LocalFileSinkOptions(DelimitedOptions):
    """Options of the LocalFile sink."""

    path: str = option(..., "target directory (relative to the job file)")
    tmp_path: str | None = option(
        None, "staging directory, on the same file system as path (default: path/.seatunnel-tmp)")
    custom_filename: bool = option(False, "use file_name_expression (else ${transactionId})")
    file_name_expression: str = option(
        "${transactionId}", "file name stem; ${transactionId}, ${now}, ${uuid}")
    filename_time_format: str = option("yyyy.MM.dd", "Java pattern for ${now}")
    filename_extension: str | None = option(None, "replaces the extension (format and codec)")
    have_partition: bool = option(False, "write rows into partition directories")
    partition_by: list[str] | None = option(None, "columns whose values name the directories")
    partition_dir_expression: str = option(
        DEFAULT_PARTITION_EXPRESSION, "directory pattern with ${kN} (column) and ${vN} (value)")
    is_partition_field_write_in_file: bool = option(False, "also write partition columns in files")
    sink_columns: list[str] | None = option(None, "columns to write, in this order (default all)")
    is_enable_transaction: bool = option(True, "two-phase commit through a staging area "
                                         "(only true is supported)")
    batch_size: int = option(1_000_000, "max rows per file before a new file is started", gt=0)
    single_file_mode: bool = option(False, "one file per task and checkpoint (no _N part suffix)")
    create_empty_file_when_no_data: bool = option(
        False, "a task that received no rows still writes one (empty) file")
    compress_codec: CompressCodec = option(CompressCodec.NONE, "compression (see README per format)")
    enable_header_write: bool = option(False, "text/csv: first line holds the column names")
    csv_string_quote_mode: QuoteMode = option(QuoteMode.MINIMAL, "csv quoting: ALL, MINIMAL or NONE")
    encoding: str = option("UTF-8", "character encoding (only UTF-8 is supported)")
    date_format: str | None = option(None, "text/csv/json: pattern for dates (default ISO)")
    datetime_format: str | None = option(None, "text/csv/json: pattern for timestamps (default ISO)")
    time_format: str | None = option(None, "text/csv/json: pattern for times (default ISO)")
    schema_save_mode: SchemaSaveMode = option(
        SchemaSaveMode.CREATE_SCHEMA_WHEN_NOT_EXIST, "what to do with the target directory")
    data_save_mode: DataSaveMode = option(DataSaveMode.APPEND_DATA, "what to do with existing files")

    def partition_keys(self) -> list[str]:
        """The partition columns in effect (empty unless ``have_partition``)."""
        return list(self.partition_by or []) if self.have_partition else []

    def check(self) -> list[OptionError]:
        """Cross-option checks (codecs per format, partitions, names)."""
        errors: list[OptionError] = []
        fmt = self.file_format_type
        if "${" in self.path:
            errors.append(OptionError("path", "placeholders such as ${table_name} in path are not "
                                      "supported by this LocalFile sink"))
        if not self.is_enable_transaction:
            errors.append(OptionError("is_enable_transaction", "only true is supported"))
        if self.custom_filename and "${transactionId}" not in self.file_name_expression:
            errors.append(OptionError("file_name_expression", "must contain ${transactionId} "
                                      "(file names must be unique per task and checkpoint)"))
        unknown = set(re.findall(r"\$\{([^}]*)\}", self.file_name_expression)) - FILE_NAME_VARIABLES
        if self.custom_filename and unknown:
            errors.append(OptionError("file_name_expression", f"unknown placeholder ${{{sorted(unknown)[0]}}} "
                                      "(expected ${transactionId}, ${now} or ${uuid})"))
        if self.compress_codec not in SINK_CODECS[fmt]:
            allowed = ", ".join(c.value for c in SINK_CODECS[fmt])
            errors.append(OptionError("compress_codec", f"{self.compress_codec.value} is not "
                                      f"available for {fmt.value} (expected one of: {allowed})"))
        errors.extend(self.delimiter_errors())
        if self.have_partition and not self.partition_by:
            errors.append(OptionError("partition_by", "have_partition = true needs partition_by"))
        if self.have_partition and self.partition_by and self.sink_columns is not None:
            missing = [c for c in self.partition_by if c not in self.sink_columns]
            if missing:
                errors.append(OptionError("partition_by", f"partition fields must be in "
                                          f"sink_columns: {', '.join(missing)}"))
        if self.sink_columns is not None and not self.sink_columns:
            errors.append(OptionError("sink_columns", "must name at least one column"))
        if not _is_utf8(self.encoding):
            errors.append(OptionError("encoding", f"only UTF-8 is supported, got {self.encoding!r}"))
        _check_formats(self, errors, ("filename_time_format", "date_format", "datetime_format",
                                      "time_format"))
        return errors
