"""Message values to Arrow record batches, in bulk.

JSON values are joined with newlines and parsed by ``pyarrow.json`` in one call per batch;
text values are split with ``pyarrow.compute``; only when a batch fails (a bad message)
is it decoded message by message, to find the bad ones and fail or skip them by
``format_error_handle_way``. Change-data formats read their envelope per message and
build the columns in bulk.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from seatunnel_py.api import DataError, RowKind, attach_row_kinds

from .cdc import ENVELOPES, Change
from .client import kafka
from .convert import ARROW_ERRORS, bad_rows, contains_map, finish_column, json_read_type, rows_to_batch, text_to_column
from .options import CONTENT_COLUMN, NATIVE_SCHEMA, ErrorHandleWay, KafkaSourceOptions, MessageFormat

log = logging.getLogger(__name__)

BLOCK_SIZE = 1 << 20
"""pyarrow.json block size: blocks are parsed on several threads (a block holds whole messages)."""
_TIMESTAMP_TYPES = {0: "NO_TIMESTAMP_TYPE", 1: "CREATE_TIME", 2: "LOG_APPEND_TIME"}


def output_schema(options: KafkaSourceOptions) -> pa.Schema:
    """The columns the source produces for its format and schema."""
    if options.format_ == MessageFormat.NATIVE:
        return NATIVE_SCHEMA
    declared = options.table_schema()
    if declared is None:
        return pa.schema([pa.field(CONTENT_COLUMN, pa.string())])
    return declared.schema.remove_metadata()


@dataclass
class Decoded:
    """One decoded batch and the number of messages skipped as bad."""

    batch: pa.RecordBatch | None
    skipped: int = 0


class Decoder:
    """Decodes the messages of one consume call into one record batch."""

    def __init__(self, options: KafkaSourceOptions, schema: pa.Schema) -> None:
        self.format = options.format_
        self.schema = schema
        self.skip = options.format_error_handle_way == ErrorHandleWay.SKIP
        self.delimiter = options.field_delimiter
        self.declared = options.schema_ is not None
        self.read_schema = pa.schema([pa.field(f.name, json_read_type(f.type)) for f in schema])
        self.exact_only = any(contains_map(f.type) for f in schema)
        self.envelope = ENVELOPES.get(self.format)
        self._value = kafka().Message.value  # the C method itself: map() calls it without a Python frame

    def decode(self, messages: Sequence[Any]) -> Decoded:
        """Decode ``messages`` (confluent-kafka ``Message`` objects of one partition, in order)."""
        if self.format == MessageFormat.NATIVE:
            return Decoded(native_batch(messages))
        values = list(map(self._value, messages))
        if None in values:  # tombstones carry no row
            kept = [i for i, v in enumerate(values) if v is not None]
            messages = [messages[i] for i in kept]
            values = [values[i] for i in kept]
            if not values:
                return Decoded(None)
        if self.envelope is not None:
            return self._changes(messages, values)
        if not self.declared:
            return self._guarded(messages, values, _content)
        if self.format == MessageFormat.TEXT:
            return self._guarded(messages, values, self._text)
        if self.exact_only:
            return self._json_exact(messages, values)
        return self._guarded(messages, values, self._json)

    # --- bulk paths -------------------------------------------------------------------
    def _guarded(self, messages: Sequence[Any], values: list[bytes],
                 bulk: Callable[[list[bytes]], pa.RecordBatch]) -> Decoded:
        try:
            return Decoded(bulk(values))
        except ARROW_ERRORS:
            pass
        good, bad = _bisect(values, bulk)
        if bad and not self.skip:
            raise self._error(messages[bad[0]], bulk, values[bad[0]])
        if bad:
            log.warning("Kafka: skipped %d message(s) that could not be decoded as %s", len(bad), self.format.value)
        batches = [bulk(values[lo:hi]) for lo, hi in good]
        if not batches:
            return Decoded(None, len(bad))
        table = pa.Table.from_batches(batches, schema=self.schema).combine_chunks()
        return Decoded(table.to_batches()[0] if table.num_rows else None, len(bad))

    def _json(self, values: list[bytes]) -> pa.RecordBatch:
        try:
            table = self._parse(b"\n".join(values), BLOCK_SIZE)
        except ARROW_ERRORS:
            # messages with newlines (pretty-printed: in JSON they can only be whitespace) or
            # longer than a block: one more try, as a single block of one-line messages
            data = b"\n".join(v.replace(b"\r", b" ").replace(b"\n", b" ") for v in values)
            table = self._parse(data, len(data) + 1)
        if table.num_rows != len(values):
            raise pa.ArrowInvalid("a message is not one JSON object")
        columns = [finish_column(table.column(i), f.type) for i, f in enumerate(self.schema)]
        return pa.Table.from_arrays(columns, schema=self.schema).combine_chunks().to_batches()[0]

    def _parse(self, data: bytes, block_size: int) -> pa.Table:
        return pj.read_json(
            pa.BufferReader(data), read_options=pj.ReadOptions(block_size=block_size),
            parse_options=pj.ParseOptions(explicit_schema=self.read_schema, unexpected_field_behavior="ignore"))

    def _text(self, values: list[bytes]) -> pa.RecordBatch:
        lines = pa.array(values, pa.binary()).cast(pa.string())
        width = len(self.schema)
        parts = pc.list_slice(pc.split_pattern(lines, self.delimiter), 0, width, return_fixed_size_list=True)
        columns = [text_to_column(pc.list_element(parts, i), f.type) for i, f in enumerate(self.schema)]
        return pa.RecordBatch.from_arrays(columns, schema=self.schema)

    # --- exact paths ------------------------------------------------------------------
    def _json_exact(self, messages: Sequence[Any], values: list[bytes]) -> Decoded:
        parsed: list[tuple[Any, list[tuple[int, dict[str, Any]]]]] = []
        skipped = 0
        for message, value in zip(messages, values, strict=True):
            objects = _objects(value)
            if objects is None:
                if not self.skip:
                    raise self._error(message, None, value)
                skipped += 1
                continue
            parsed.append((message, [(int(RowKind.INSERT), row) for row in objects]))
        return self._rows(parsed, skipped)

    def _changes(self, messages: Sequence[Any], values: list[bytes]) -> Decoded:
        assert self.envelope is not None
        parsed: list[tuple[Any, list[tuple[int, dict[str, Any]]]]] = []
        skipped = 0
        for message, value in zip(messages, values, strict=True):
            try:
                changes: list[Change] = self.envelope(json.loads(value))
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                if not self.skip:
                    raise DataError(f"Kafka: message {_where(message)} is not {self.format.value}: {exc}") from None
                skipped += 1
                continue
            parsed.append((message, [(int(kind), row) for kind, row in changes]))
        return self._rows(parsed, skipped)

    def _rows(self, parsed: list[tuple[Any, list[tuple[int, dict[str, Any]]]]], skipped: int) -> Decoded:
        """One batch from the rows of every message; only if it fails, find the messages whose values do not fit."""
        try:
            batch = self._batch_of(parsed)
        except ARROW_ERRORS:
            kept = []
            for message, rows in parsed:
                if rows and bad_rows([row for _, row in rows], self.schema):
                    if not self.skip:
                        raise DataError(f"Kafka: message {_where(message)}: a value does not fit the declared "
                                        "schema; set format_error_handle_way = skip to skip such messages") from None
                    skipped += 1
                else:
                    kept.append((message, rows))
            batch = self._batch_of(kept)
        if skipped:
            log.warning("Kafka: skipped %d message(s) that could not be decoded as %s", skipped, self.format.value)
        return Decoded(batch, skipped)

    def _batch_of(self, parsed: list[tuple[Any, list[tuple[int, dict[str, Any]]]]]) -> pa.RecordBatch | None:
        rows = [row for _, changes in parsed for _, row in changes]
        if not rows:
            return None
        batch = rows_to_batch(rows, self.schema)
        kinds = [kind for _, changes in parsed for kind, _ in changes]
        if any(kinds):
            batch = attach_row_kinds(batch, pa.array(kinds, pa.int8()))
        return batch

    def _error(self, message: Any, bulk: Callable[[list[bytes]], pa.RecordBatch] | None, value: bytes) -> DataError:
        reason = "not valid UTF-8" if not self.declared else f"not {self.format.value} of the declared schema"
        if bulk is not None:
            try:
                bulk([value])
            except ARROW_ERRORS as exc:
                detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                reason += f" ({detail[:160]})"
        return DataError(f"Kafka: message {_where(message)} is {reason}; "
                         "set format_error_handle_way = skip to skip such messages")


def _where(message: Any) -> str:
    return f"{message.topic()}-{message.partition()}@{message.offset()}"


def _content(values: list[bytes]) -> pa.RecordBatch:
    column = pa.array(values, pa.binary()).cast(pa.string())
    return pa.RecordBatch.from_arrays([column], names=[CONTENT_COLUMN])


def _objects(value: bytes) -> list[dict[str, Any]] | None:
    """A JSON message as rows: one object, or an array of objects (``None`` when neither)."""
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    if isinstance(parsed, dict):
        return [parsed]
    if isinstance(parsed, list) and all(isinstance(p, dict) for p in parsed):
        return parsed
    return None


def _bisect(values: list[bytes],
            bulk: Callable[[list[bytes]], pa.RecordBatch]) -> tuple[list[tuple[int, int]], list[int]]:
    """Ranges of ``values`` that decode in bulk, and the indexes of single values that do not."""
    good: list[tuple[int, int]] = []
    bad: list[int] = []
    stack = [(0, len(values))]
    while stack:
        lo, hi = stack.pop()
        try:
            bulk(values[lo:hi])
            good.append((lo, hi))
            continue
        except ARROW_ERRORS:
            pass
        if hi - lo == 1:
            bad.append(lo)
            continue
        mid = (lo + hi) // 2
        stack.extend([(mid, hi), (lo, mid)])
    good.sort()
    bad.sort()
    return good, bad


def native_batch(messages: Sequence[Any]) -> pa.RecordBatch:
    """The ``native`` columns: key, value, headers, topic, partition, offset, timestamp, type."""
    stamps = [m.timestamp() for m in messages]
    headers = [m.headers() for m in messages]
    header_maps = [None if h is None else [(k, v) for k, v in h] for h in headers]
    arrays = [
        pa.array([m.key() for m in messages], pa.binary()),
        pa.array([m.value() for m in messages], pa.binary()),
        pa.array(header_maps, NATIVE_SCHEMA.field("headers").type),
        pa.array([m.topic() for m in messages], pa.string()),
        pa.array([m.partition() for m in messages], pa.int32()),
        pa.array([m.offset() for m in messages], pa.int64()),
        pa.array([s[1] if s[0] else None for s in stamps], pa.int64()),
        pa.array([_TIMESTAMP_TYPES.get(s[0], "NO_TIMESTAMP_TYPE") for s in stamps], pa.string()),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=NATIVE_SCHEMA)
