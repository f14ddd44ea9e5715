"""The LocalFile sink: files staged per transaction, renamed into place on commit."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import uuid
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from seatunnel_py.api import (
    Capability,
    CommitInfo,
    Committer,
    ConnectorError,
    OptionError,
    PluginContext,
    Sink,
    SinkWriter,
    split_row_kinds,
)
from seatunnel_py.api.rowkind import ROW_KIND_COLUMN

from .commit import STAGING_DIR, LocalFileCommitter, fsync, remove_empty_dirs, rmdir_quietly
from .convert import TemporalFormats
from .options import DataSaveMode, LocalFileSinkOptions, SchemaSaveMode
from .partitioning import group_by_partition, partition_dir
from .source import resolve_path
from .staging import (
    LOCK_SUFFIX,
    acquire_run_lock,
    encode_job_key,
    release_run_lock,
    remove_dead_runs,
    staging_name,
)
from .timeformat import translate
from .writers import FileWriter, WriteSpec, file_extension, open_writer, unwritable_columns


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text) or "job"


@dataclass
class _Staged:
    path: Path
    directory: str
    part: int
    file_id: str = field(default_factory=lambda: uuid.uuid4().hex)


class LocalFileWriter(SinkWriter):
    """Writes one task's rows into staged files; a checkpoint closes them for commit."""

    def __init__(self, sink: LocalFileSink, task_index: int, schema: pa.Schema) -> None:
        self._sink = sink
        self._opts = sink.options
        self._task = task_index
        self._keys = self._opts.partition_keys()
        self._file_columns = sink.file_columns(schema)
        data = schema.remove_metadata()
        self._spec = WriteSpec(
            file_format=self._opts.file_format_type,
            schema=pa.schema([data.field(c) for c in self._file_columns]),
            codec=self._opts.compress_codec, field_delimiter=self._opts.delimiter(),
            row_delimiter=self._opts.row_delimiter, header=self._opts.enable_header_write,
            quote_mode=self._opts.csv_string_quote_mode,
            formats=TemporalFormats.of(self._opts.date_format, self._opts.datetime_format,
                                       self._opts.time_format))
        self._transaction_dir: Path | None = None
        self._started = dt.datetime.now()
        self._open: dict[str, tuple[_Staged, FileWriter]] = {}
        self._closed: list[_Staged] = []
        self._parts: dict[str, int] = {}
        self._produced = False

    def write(self, batch: pa.RecordBatch) -> None:
        """Split ``batch`` by partition and append it to the open files (rolling at batch_size)."""
        data, _ = split_row_kinds(batch)
        if data.num_rows == 0:
            return
        for values, group in group_by_partition(data, self._keys):
            directory = partition_dir(self._opts.partition_dir_expression, self._keys, values)
            arrays = [group.column(c) for c in self._file_columns]
            self._append(directory, pa.RecordBatch.from_arrays(arrays, schema=self._spec.schema))

    def _append(self, directory: str, batch: pa.RecordBatch) -> None:
        limit = self._opts.batch_size
        while batch.num_rows:
            _, writer = self._open.get(directory) or self._open_file(directory)
            room = batch.num_rows if self._opts.single_file_mode else limit - writer.rows
            writer.write(batch.slice(0, room))
            batch = batch.slice(room)
            if not self._opts.single_file_mode and writer.rows >= limit:
                self._close(directory)

    def _open_file(self, directory: str) -> tuple[_Staged, FileWriter]:
        if self._transaction_dir is None:
            name = f"{self._task}-{uuid.uuid4().hex[:8]}"
            self._transaction_dir = self._sink.staging_root / name
            self._started = dt.datetime.now()
        part = self._parts.get(directory, 0)
        self._parts[directory] = part + 1
        folder = self._transaction_dir / directory if directory else self._transaction_dir
        folder.mkdir(parents=True, exist_ok=True)
        staged = _Staged(folder / f"part-{part}{self._sink.extension}", directory, part)
        entry = (staged, open_writer(staged.path, self._spec))
        self._open[directory] = entry
        return entry

    def _close(self, directory: str) -> None:
        staged, writer = self._open.pop(directory)
        writer.close()
        fsync(staged.path)
        self._closed.append(staged)

    def prepare_commit(self, checkpoint_id: int) -> CommitInfo | None:
        """Close the open files; return ``{"files": [[staged, final], …], "staging": dir}``."""
        for directory in list(self._open):
            self._close(directory)
        if not self._closed and not self._produced and self._opts.create_empty_file_when_no_data:
            self._open_file("")
            self._close("")
        if not self._closed or self._transaction_dir is None:
            return None
        transaction = f"T_{self._sink.job}_{self._sink.run_id}_{self._task}_{checkpoint_id}"
        files = [[str(s.path), str(self._sink.final_path(s.directory, transaction, s.part,
                                                         s.file_id, self._started))]
                 for s in self._closed]
        info: CommitInfo = {"files": files, "staging": str(self._transaction_dir)}
        self._produced = True
        self._closed, self._parts, self._transaction_dir = [], {}, None
        return info

    def abort(self) -> None:
        """Close and delete the files of the current (unprepared) transaction."""
        for _, writer in self._open.values():
            with contextlib.suppress(Exception):  # the files are deleted anyway
                writer.close()
        if self._transaction_dir is not None:
            shutil.rmtree(self._transaction_dir, ignore_errors=True)
        self._open, self._closed, self._parts, self._transaction_dir = {}, [], {}, None

    def close(self) -> None:
        """Release files; rows written after the last ``prepare_commit`` are discarded."""
        if self._open or self._closed:
            self.abort()


class LocalFileSink(Sink[LocalFileSinkOptions]):
    """Writes text, csv, json, parquet or orc files into a local directory, exactly once.

    Writers write into a staging directory (by default ``path/.seatunnel-tmp/<job>.<run_id>``
    where ``<job>`` is the encoded job key, on the same file system so the final rename is
    atomic); a checkpoint closes the files and the committer renames them into ``path``.
    """

    name = "LocalFile"
    description = "Write text, csv, json, parquet or orc files into a local directory (exactly once)"
    options_model = LocalFileSinkOptions
    capabilities = frozenset({Capability.EXACTLY_ONCE})

    def __init__(self, options: LocalFileSinkOptions, context: PluginContext) -> None:
        super().__init__(options, context)
        self.root = resolve_path(options.path, context)
        self.run_id = _safe(context.run_id) if context.run_id else uuid.uuid4().hex[:12]
        self.job = _safe(context.job_key)
        """The job key made readable for file names (transaction ids); not injective, the run id is."""
        base = resolve_path(options.tmp_path, context) if options.tmp_path else self.root / STAGING_DIR
        self.staging_base = base
        self.staging_root = base / staging_name(context.job_key, self.run_id)
        self._lock_path = base / f"{self.staging_root.name}{LOCK_SUFFIX}"
        self._release: weakref.finalize | None = None
        self.extension = options.filename_extension or file_extension(
            options.file_format_type, options.compress_codec)
        if not self.extension.startswith("."):
            self.extension = "." + self.extension
        self._now_format = translate(options.filename_time_format)

    def file_columns(self, schema: pa.Schema) -> list[str]:
        """The columns written into the files, in order (``OptionError`` when impossible)."""
        opts = self.options
        names = [n for n in schema.names if n != ROW_KIND_COLUMN]
        selected = list(opts.sink_columns or names)
        for column in selected:
            if column not in names:
                raise OptionError("sink_columns", f"unknown column {column!r} "
                                  f"(input columns: {', '.join(names)})")
        keys = opts.partition_keys()
        for key in keys:
            if key not in names:
                raise OptionError("partition_by", f"unknown column {key!r} "
                                  f"(input columns: {', '.join(names)})")
            dtype = schema.field(key).type
            if pa.types.is_nested(dtype) or pa.types.is_map(dtype):
                raise OptionError("partition_by", f"cannot partition by {key!r} of type {dtype}")
        if not opts.is_partition_field_write_in_file:
            selected = [c for c in selected if c not in keys]
        if not selected:
            raise OptionError("partition_by", "no column is left to write in the files; "
                              "set is_partition_field_write_in_file = true")
        return selected

    def check_input(self, schema: pa.Schema) -> None:
        """Plan time: columns exist, partition fields are scalars, the format can store them."""
        columns = self.file_columns(schema)
        bad = unwritable_columns(self.options.file_format_type,
                                 pa.schema([schema.field(c) for c in columns]))
        if bad:
            raise OptionError("file_format_type", f"{self.options.file_format_type.value} "
                              f"cannot store: {', '.join(bad)} (cast them first)")

    def prepare(self, schema: pa.Schema) -> None:
        """Apply the save modes to ``path``; lock this run's staging folder; drop the job's dead runs.

        A run that resumes a checkpoint only creates a missing directory (or fails under
        ERROR_WHEN_SCHEMA_NOT_EXIST): the save modes would otherwise delete what earlier
        checkpoints committed (SeaTunnel does the same on restore). Save modes never touch
        the staging directory.
        """
        self._apply_save_modes()
        if self._release is None:
            acquire_run_lock(self._lock_path)
            self._release = weakref.finalize(self, release_run_lock, self._lock_path)
        remove_dead_runs(self.staging_base, self.context.job_key, self.run_id)

    def _apply_save_modes(self) -> None:
        root, opts = self.root, self.options
        if root.exists() and not root.is_dir():
            raise ConnectorError(f"LocalFile: target path {root} is not a directory")
        if self.context.restored_checkpoint_id is not None:
            if opts.schema_save_mode == SchemaSaveMode.ERROR_WHEN_SCHEMA_NOT_EXIST and not root.is_dir():
                raise ConnectorError(f"LocalFile: target directory {root} does not exist "
                                     "(schema_save_mode = ERROR_WHEN_SCHEMA_NOT_EXIST)")
            root.mkdir(parents=True, exist_ok=True)
            return
        if opts.schema_save_mode == SchemaSaveMode.RECREATE_SCHEMA:
            self._clear()
            root.mkdir(parents=True, exist_ok=True)
        elif opts.schema_save_mode == SchemaSaveMode.CREATE_SCHEMA_WHEN_NOT_EXIST:
            root.mkdir(parents=True, exist_ok=True)
        elif opts.schema_save_mode == SchemaSaveMode.ERROR_WHEN_SCHEMA_NOT_EXIST and not root.is_dir():
            raise ConnectorError(f"LocalFile: target directory {root} does not exist "
                                 "(schema_save_mode = ERROR_WHEN_SCHEMA_NOT_EXIST)")
        if opts.data_save_mode == DataSaveMode.DROP_DATA:
            self._clear()
        elif opts.data_save_mode == DataSaveMode.ERROR_WHEN_DATA_EXISTS and self._has_data():
            raise ConnectorError(f"LocalFile: target directory {root} already holds files "
                                 "(data_save_mode = ERROR_WHEN_DATA_EXISTS)")

    def _entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [p for p in self.root.iterdir() if p.name != STAGING_DIR]

    def _clear(self) -> None:
        for entry in self._entries():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def _has_data(self) -> bool:
        return any(entry.is_file() or any(p.is_file() for p in entry.rglob("*"))
                   for entry in self._entries())

    def final_path(self, directory: str, transaction: str, part: int, file_uuid: str,
                   now: dt.datetime) -> Path:
        """Where a staged file lands: ``path/<partition dir>/<name>_<part><extension>``."""
        opts = self.options
        stem = opts.file_name_expression if opts.custom_filename else "${transactionId}"
        stem = (stem.replace("${transactionId}", transaction)
                .replace("${now}", self._now_format.format(now)).replace("${uuid}", file_uuid))
        name = stem + ("" if opts.single_file_mode else f"_{part}") + self.extension
        return self.root / directory / name if directory else self.root / name

    def create_writer(self, task_index: int, schema: pa.Schema, state: dict[str, Any] | None = None) -> SinkWriter:
        """A writer staging files for pipeline task ``task_index``."""
        return LocalFileWriter(self, task_index, schema)

    def create_committer(self) -> Committer:
        """The committer renaming staged files into ``path``."""
        return LocalFileCommitter(self.staging_root, self.root, encode_job_key(self.context.job_key) + ".")

    def finish(self, success: bool, last_checkpoint_id: int | None = None) -> None:
        """Remove this run's staging directories when they are empty; release its staging lock.

        Staged files of a saved checkpoint that could not be committed stay for the next
        run of the job, which commits them before it removes the folders of dead runs
        (the engine holds the job's lock, so what it finds then is unprepared or never saved).
        """
        remove_empty_dirs(self.staging_root)
        if self._release is not None:
            self._release()
            self._release = None
        if self.staging_root.parent.name == STAGING_DIR:
            rmdir_quietly(self.staging_root.parent)
