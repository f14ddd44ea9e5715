"""From a record batch to produce calls: values, keys, topics and partitions per row."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from seatunnel_py.api import ConnectorError, split_row_kinds

from .client import describe, kafka
from .encode import encode_values, json_values, text_column
from .options import KafkaSinkOptions, MessageFormat

METADATA_TIMEOUT = 10.0


class DeliveryLatch:
    """librdkafka's ``on_delivery`` (called for failed messages only): keeps the first error."""

    def __init__(self) -> None:
        self.error: Any = None

    def __call__(self, error: Any, message: Any) -> None:
        """Remember the first delivery failure."""
        if error is not None and self.error is None:
            self.error = error


@dataclass
class Messages:
    """The messages of one batch, column-wise as Python lists (``None`` = not set)."""

    values: list[Any]
    topics: list[str] | str
    keys: list[Any] | None = None
    partitions: list[int] | None = None
    headers: list[Any] | None = None


def _bytes_or_text(column: pa.Array) -> list[Any]:
    if pa.types.is_binary(column.type) or pa.types.is_string(column.type) or pa.types.is_large_binary(column.type):
        return column.to_pylist()
    return text_column(column).to_pylist()


class Router:
    """Works out each row's topic, key, partition and value for the sink's options."""

    def __init__(self, options: KafkaSinkOptions, schema: pa.Schema, producer: Any) -> None:
        self.options = options
        self.schema = schema
        self.field = options.routing_field()
        self._partition_counts: dict[str, int] = {}
        self.producer = producer

    def _partitions_of(self, topic: str) -> int:
        if topic not in self._partition_counts:
            try:
                metadata = self.producer.list_topics(topic, timeout=METADATA_TIMEOUT)
            except kafka().KafkaException as exc:
                raise ConnectorError(f"Kafka: cannot read the partitions of {topic!r}: {describe(exc)}") from None
            found = metadata.topics.get(topic)
            if found is None or found.error is not None or not found.partitions:
                raise ConnectorError(f"Kafka: topic {topic!r} does not exist (assign_partitions needs it)")
            self._partition_counts[topic] = len(found.partitions)
        return self._partition_counts[topic]

    def messages(self, batch: pa.RecordBatch) -> Messages:
        """The produce arguments of every row of ``batch``."""
        opts = self.options
        data, _ = split_row_kinds(batch)
        topics: list[str] | str = opts.topic
        if self.field is not None:
            topics = text_column(data.column(self.field)).to_pylist()
        if opts.format_ == MessageFormat.NATIVE:
            return self._native(data, topics)
        values = encode_values(batch, opts.format_, opts.field_delimiter)
        out = Messages(values.to_pylist(), topics)
        if opts.partition_key_fields:
            out.keys = json_values(data, list(opts.partition_key_fields)).to_pylist()
        if opts.partition is not None:
            out.partitions = [opts.partition] * batch.num_rows
        elif opts.assign_partitions:
            out.partitions = self._assigned(values, topics)
        return out

    def _assigned(self, values: pa.Array, topics: list[str] | str) -> list[int]:
        """SeaTunnel's MessageContentPartitioner: the first listed string a value contains picks the partition."""
        assigned = list(self.options.assign_partitions or [])
        chosen = pa.nulls(len(values), pa.int64())
        for i, needle in reversed(list(enumerate(assigned))):
            chosen = pc.if_else(pc.match_substring(values, needle), i, chosen)
        picks = chosen.to_pylist()
        if None not in picks:
            return [int(p) for p in picks]
        texts = values.to_pylist()
        out = []
        for row, pick in enumerate(picks):
            if pick is not None:
                out.append(int(pick))
                continue
            topic = topics if isinstance(topics, str) else topics[row]
            rest = self._partitions_of(topic) - len(assigned)
            if rest <= 0:
                raise ConnectorError(f"Kafka: topic {topic!r} has no partition left for messages matching none of "
                                     "assign_partitions")
            out.append(len(assigned) + zlib.crc32(texts[row].encode()) % rest)
        return out

    def _native(self, data: pa.RecordBatch, topics: list[str] | str) -> Messages:
        names = data.schema.names
        out = Messages(_bytes_or_text(data.column("value")), topics)
        if "key" in names:
            out.keys = _bytes_or_text(data.column("key"))
        if self.options.partition is not None:
            out.partitions = [self.options.partition] * data.num_rows
        elif "partition" in names:
            out.partitions = [-1 if p is None else int(p) for p in data.column("partition").to_pylist()]
        if "headers" in names and pa.types.is_map(data.column("headers").type):
            out.headers = data.column("headers").to_pylist()
        return out


def _calls(m: Messages) -> Iterable[tuple[Any, ...]]:
    n = len(m.values)
    topics = [m.topics] * n if isinstance(m.topics, str) else m.topics
    keys = m.keys if m.keys is not None else [None] * n
    partitions = m.partitions if m.partitions is not None else [-1] * n
    return zip(topics, m.values, keys, partitions, strict=True)


def produce_all(producer: Any, m: Messages) -> None:
    """Hand every message to librdkafka, waiting for room when its queue is full."""
    produce = producer.produce
    if m.headers is not None:
        for (topic, value, key, partition), headers in zip(_calls(m), m.headers, strict=True):
            _retrying(producer, lambda t=topic, v=value, k=key, p=partition, h=headers:
                      produce(t, v, k, p, headers=h))
        producer.poll(0)
        return
    if isinstance(m.topics, str) and m.keys is None and m.partitions is None:
        _fast(producer, m.topics, m.values)
        return
    pending = list(_calls(m))
    start = 0
    while start < len(pending):
        index = start
        try:
            for index in range(start, len(pending)):
                produce(*pending[index])
            start = len(pending)
        except BufferError:
            start = index
            producer.poll(0.05)
    producer.poll(0)


def _fast(producer: Any, topic: str, values: list[Any]) -> None:
    """One topic, no key, no partition: the tightest loop."""
    produce = producer.produce
    start, total = 0, len(values)
    while start < total:
        index = start
        try:
            for index in range(start, total):
                produce(topic, values[index])
            start = total
        except BufferError:
            start = index
            producer.poll(0.05)
    producer.poll(0)


def _retrying(producer: Any, call: Any) -> None:
    while True:
        try:
            call()
            return
        except BufferError:
            producer.poll(0.05)
