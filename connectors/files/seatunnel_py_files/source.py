"""The LocalFile source: one split per file, readers resume from a row offset."""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow as pa

from seatunnel_py.api import (
    Capability,
    ConnectorError,
    OptionError,
    PluginContext,
    Source,
    Split,
    SplitReader,
    State,
)
from seatunnel_py.types import SchemaError

from .convert import TemporalFormats
from .finished import KEY as FINISHED_KEY
from .finished import FinishedFiles
from .formats import ReadSpec, infer_schema, read_batches
from .listing import FoundFile, Listing, walk
from .options import FileFormat, LocalFileSourceOptions

log = logging.getLogger(__name__)

CONTENT_COLUMN = "content"
"""The single column of text files read without a schema."""


def resolve_path(path: str, context: PluginContext) -> Path:
    """``path`` with ``~`` expanded, relative to the job's work directory."""
    resolved = Path(path).expanduser()
    return resolved if resolved.is_absolute() else Path(context.work_dir) / resolved


@dataclass(frozen=True)
class _Plan:
    spec: ReadSpec
    partitions: tuple[str, ...]
    output: pa.Schema


class LocalFileReader(SplitReader):
    """Reads one file; its state is the number of rows handed out, and ``done`` at the end.

    A file whose saved state says ``done`` is not opened again: a later run of the same
    job (cron) reads only the files that are new since the last one. A file is read
    once: rewriting or appending to a file already read is not noticed.
    """

    def __init__(self, path: Path, partitions: dict[str, str], plan: _Plan,
                 state: State | None) -> None:
        self._path = path
        self._partitions = partitions
        self._plan = plan
        self._rows = int((state or {}).get("rows_done", 0))
        self._done = bool((state or {}).get("done", False))
        self._active: Generator[pa.RecordBatch, None, None] | None = None

    def read(self) -> Iterator[pa.RecordBatch | None]:
        """Batches of the source's output schema, after the rows of the restored state."""
        self._active = self._batches()
        return self._active

    def _batches(self) -> Generator[pa.RecordBatch, None, None]:
        if self._done:
            return
        output = self._plan.output
        for batch in read_batches(self._path, self._plan.spec, skip=self._rows):
            arrays = []
            for target in output:
                if target.name in self._plan.partitions:
                    value = self._partitions.get(target.name)
                    arrays.append(pa.nulls(batch.num_rows, pa.string()) if value is None
                                  else pa.repeat(pa.scalar(value, pa.string()), batch.num_rows))
                else:
                    arrays.append(batch.column(target.name))
            self._rows += batch.num_rows
            yield pa.RecordBatch.from_arrays(arrays, schema=output)
        self._done = True

    def snapshot(self) -> State:
        """``{"rows_done": n, "done": bool}``: a reader built with it skips the first n rows, or all."""
        return {"rows_done": self._rows, "done": self._done}

    def close(self) -> None:
        """Close the file if reading stopped early."""
        if self._active is not None:
            self._active.close()
        self._active = None


class LocalFileSource(Source[LocalFileSourceOptions]):
    """Reads text, csv, json lines, parquet and orc files from a local file or directory.

    A directory is walked recursively (sorted; names starting with ``.`` or ``_`` are
    skipped) and every file is a split whose id is its path relative to ``path``.

    Finished files are folded into one compact entry of the checkpoint (see
    ``finished.py``): a later run leaves them out of ``splits()``, and a finished file
    that has been deleted from the folder is forgotten (a new file of that name is read).
    """

    name = "LocalFile"
    description = "Read text, csv, json, parquet and orc files from a local path (one split per file)"
    options_model = LocalFileSourceOptions
    capabilities = frozenset({Capability.BOUNDED, Capability.RESUMABLE, Capability.PARALLEL,
                              Capability.COLUMN_PROJECTION})

    def __init__(self, options: LocalFileSourceOptions, context: PluginContext) -> None:
        super().__init__(options, context)
        self.root = resolve_path(options.path, context)
        self._listing: Listing | None = None
        self._plan: _Plan | None = None
        self._finished = FinishedFiles()
        """Files finished by earlier runs (restored) and, after a checkpoint, by this one."""
        self._skip: frozenset[str] = frozenset()
        """Split ids left out of ``splits()``: finished in the restored checkpoint."""

    def files(self) -> list[FoundFile]:
        """The files found under ``path`` (listed once), finished ones included."""
        return self._walk().files

    def _walk(self) -> Listing:
        if self._listing is None:
            opts = self.options
            self._listing = walk(self.root, opts.file_filter_pattern, opts.filename_extension,
                                 opts.parse_partition_from_path)
            if not self._listing.complete:
                log.warning("LocalFile: some directories under %s could not be read; their files are "
                            "not read and finished files are not forgotten in this run", self.root)
        return self._listing

    def _data_schema(self, base: ReadSpec) -> pa.Schema:
        opts = self.options
        try:
            declared = opts.table_schema()
        except SchemaError as exc:
            raise OptionError(("schema", *exc.path), exc.message) from None
        if declared is not None:
            return declared.schema.remove_metadata()
        if opts.file_format_type == FileFormat.TEXT:
            return pa.schema([pa.field(CONTENT_COLUMN, pa.string())])
        for found in self.files():
            inferred = infer_schema(found.path, base)
            if inferred is not None:
                return inferred
        raise ConnectorError(f"LocalFile: no data under {self.root} to infer the schema from; "
                             "declare schema { fields { … } }")

    def _resolve(self) -> _Plan:
        if self._plan is not None:
            return self._plan
        opts = self.options
        fmt = opts.file_format_type
        base = ReadSpec(
            file_format=fmt, schema=pa.schema([]), columns=(),
            split_fields=opts.schema_ is not None, field_delimiter=opts.delimiter(),
            row_delimiter=opts.row_delimiter, skip_rows=opts.skip_header_row_number,
            header=opts.csv_use_header_line, codec=opts.compress_codec.value,
            encoding=opts.encoding, null_format=opts.null_format,
            formats=TemporalFormats.of(opts.date_format, opts.datetime_format, opts.time_format),
            batch_size=opts.batch_size)
        data = self._data_schema(base)
        partitions: tuple[str, ...] = ()
        if opts.parse_partition_from_path:
            try:
                files = self.files()
            except ConnectorError:  # a declared schema is enough for planning; splits() fails
                files = []
            if files:
                partitions = tuple(k for k, _ in files[0].partitions if k not in data.names)
        full = pa.schema([*data, *(pa.field(k, pa.string()) for k in partitions)])
        columns = list(opts.read_columns or full.names)
        for column in columns:
            if column not in full.names:
                raise OptionError("read_columns", f"unknown column {column!r} "
                                  f"(columns: {', '.join(full.names)})")
        data_columns = tuple(c for c in columns if c in data.names) or (data.names[0],)
        spec = replace(base, schema=data, columns=data_columns)
        output = pa.schema([full.field(c) for c in columns])
        self._plan = _Plan(spec, partitions, output)
        return self._plan

    def output_schema(self) -> pa.Schema:
        """The declared (or inferred) columns, then partition columns, projected."""
        return self._resolve().output

    def splits(self) -> list[Split]:
        """One split per file not finished by an earlier run, id = path relative to ``path``."""
        return [Split(f.relative, {"path": str(f.path), "partitions": [list(p) for p in f.partitions]})
                for f in self.files() if f.relative not in self._skip]

    def restore_states(self, states: Mapping[str, State]) -> None:
        """Take the finished files of the checkpoint this run resumes (folded, or one entry per file)."""
        self._finished = FinishedFiles.from_state(states.get(FINISHED_KEY))
        done = {key for key, state in states.items()
                if key != FINISHED_KEY and state is not None and state.get("done")}
        self._skip = self._finished.paths() | done  # entries of each finished file: older checkpoints

    def compact_states(self, states: Mapping[str, State]) -> dict[str, State]:
        """Fold every finished file into one entry; keep the states of files being read.

        Once per run (when this run's listing is complete) files that no longer exist are
        dropped: from the folded entry and from the states of partly read files.
        """
        entry = states.get(FINISHED_KEY)
        if not self._finished.matches(entry):
            self._finished = FinishedFiles.from_state(entry)
        kept: dict[str, State] = {}
        for key, state in states.items():
            if key == FINISHED_KEY:
                continue
            if state is not None and state.get("done"):
                self._finished.add(key)
            else:
                kept[key] = state
        listing = self._listing
        if listing is not None and listing.complete:
            if not self._finished.pruned:
                forgotten = self._finished.keep_only(listing.present)
                if forgotten:
                    log.info("LocalFile: %d finished file(s) no longer under %s are forgotten", forgotten, self.root)
            kept = {key: state for key, state in kept.items() if key in listing.present}
        if len(self._finished):
            kept[FINISHED_KEY] = self._finished.to_state()
        return kept

    def create_reader(self, split: Split, state: State | None = None) -> SplitReader:
        """A reader of one file, skipping the rows recorded in ``state``."""
        partitions = {str(k): str(v) for k, v in split.payload.get("partitions", [])}
        return LocalFileReader(Path(split.payload["path"]), partitions, self._resolve(), state)
