"""The Kafka source: one split per partition, offsets as split state."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from typing import Any

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

from .client import ErrorLatch, base_config, describe, kafka, make_client
from .config import redact
from .decode import Decoder, output_schema
from .offsets import OffsetCatalog, PartitionRef
from .options import KafkaSourceOptions

log = logging.getLogger(__name__)

IDLE_WAIT = {True: 0.5, False: 0.1}
"""Seconds a reader waits for messages before yielding ``None``, BATCH (True) and STREAMING
(False). The engine reads every split in a thread of its own, so an idle partition waiting
here holds up neither checkpoints nor the other partitions."""


class KafkaSplitReader(SplitReader):
    """Reads one partition from the state's offset (or the split's start) to its end offset, if any."""

    def __init__(self, source: KafkaSource, split: Split, state: State | None) -> None:
        self._source = source
        self._options = source.options
        self._topic = str(split.payload["topic"])
        self._partition = int(split.payload["partition"])
        self._offset = int(state["offset"]) if state and "offset" in state else int(split.payload["start"])
        end = split.payload.get("end")
        self._end: int | None = None if end is None else int(end)
        self._consumer: Any = None
        self._latch = ErrorLatch()
        self.skipped = 0

    def _open(self) -> Any:
        ck = kafka()
        config = self._source.consumer_config(self._latch)
        consumer = make_client("consumer", config, self._options.kafka_config)
        consumer.assign([ck.TopicPartition(self._topic, self._partition, self._offset)])
        return consumer

    def read(self) -> Iterator[pa.RecordBatch | None]:
        """Batches of up to ``batch_size`` messages; ``None`` while the partition is idle."""
        if self._end is not None and self._offset >= self._end:
            return iter(())
        return self._batches()

    def _batches(self) -> Iterator[pa.RecordBatch | None]:
        self._consumer = consumer = self._open()
        decoder = Decoder(self._options, self._source.output_schema())
        size = self._options.messages_per_batch()
        end = self._end
        idle_since = time.monotonic()
        patience = self._options.poll_timeout / 1000
        wait = IDLE_WAIT[self._source.context.bounded]
        error_of = kafka().Message.error
        while True:
            # never wait for more than the split still holds: the last call returns as soon as it has them
            want = size if end is None else max(1, min(size, end - self._offset))
            try:
                messages = consumer.consume(num_messages=want, timeout=wait)
            except kafka().KafkaException as exc:
                raise self._failure(describe(exc)) from None
            if self._latch.error is not None:
                raise self._failure(describe(self._latch.error))
            if not messages:
                if end is not None:
                    if self._position() >= end:
                        return
                    if time.monotonic() - idle_since > patience:
                        raise self._failure(f"no message for {self._options.poll_timeout} ms before its end offset "
                                            f"{end} (at {self._offset}); is the broker reachable?")
                yield None
                continue
            errors = list(filter(None, map(error_of, messages)))
            if errors:
                raise self._failure(describe(errors[0]))
            idle_since = time.monotonic()
            if end is not None and messages[-1].offset() >= end:
                messages = [m for m in messages if m.offset() < end]
                if not messages:
                    return
            decoded = decoder.decode(messages)
            if decoded.skipped:
                self.skipped += decoded.skipped
                self._source.context.counters.reject(decoded.skipped)
            self._offset = messages[-1].offset() + 1
            yield decoded.batch
            if end is not None and self._offset >= end:
                return

    def _position(self) -> int:
        """The consumer's next offset (past transaction markers, which are never handed out)."""
        ck = kafka()
        try:
            position = self._consumer.position([ck.TopicPartition(self._topic, self._partition)])[0].offset
        except ck.KafkaException:
            return self._offset
        if position >= 0 and position > self._offset:
            self._offset = position
        return self._offset

    def _failure(self, reason: str) -> ConnectorError:
        text = f"Kafka: reading {self._topic}-{self._partition} from {self._options.bootstrap_servers} failed: {reason}"
        return ConnectorError(redact(text, self._options.kafka_config))

    def snapshot(self) -> State:
        """``{"offset": n}``: the next offset to read (every message before it was handed out)."""
        return {"offset": self._offset}

    def close(self) -> None:
        """Close the consumer (it commits nothing: offsets are committed on checkpoints)."""
        if self._consumer is not None:
            try:
                self._consumer.close()
            except Exception:  # closing a consumer of a dead broker must not hide the real error
                log.debug("closing a Kafka consumer failed", exc_info=True)
            self._consumer = None


class KafkaSource(Source[KafkaSourceOptions]):
    """Reads Kafka topics: one split per partition, the offset as split state.

    BATCH reads every partition from its start (saved state, else ``start_mode``) up to
    the end offset taken when the job starts, then ends; STREAMING reads until stopped and
    picks up new partitions. Offsets are committed to ``consumer.group`` only when a
    checkpoint is complete (``commit_on_checkpoint``); the checkpoint is the truth.
    """

    name = "Kafka"
    description = "Read Kafka topics (json, text, CDC formats, native); one split per partition"
    options_model = KafkaSourceOptions
    capabilities = frozenset({Capability.BOUNDED, Capability.UNBOUNDED, Capability.RESUMABLE,
                              Capability.PARALLEL, Capability.ROW_KINDS})

    def __init__(self, options: KafkaSourceOptions, context: PluginContext) -> None:
        super().__init__(options, context)
        self._schema: pa.Schema | None = None
        self._catalog: OffsetCatalog | None = None
        self._known: dict[str, PartitionRef] = {}
        self._last_discovery = 0.0

    def output_schema(self) -> pa.Schema:
        """The declared schema, ``content`` without one, or the native columns."""
        if self._schema is None:
            try:
                self._schema = output_schema(self.options)
            except SchemaError as exc:
                raise OptionError(("schema", *exc.path), exc.message) from None
        return self._schema

    def consumer_config(self, latch: ErrorLatch | None = None) -> dict[str, Any]:
        """librdkafka consumer settings: no auto commit, bounded prefetch, then kafka.config."""
        config = base_config(
            self.options.bootstrap_servers, self.options.kafka_config,
            **{"group.id": self.options.consumer_group, "enable.auto.commit": False,
               "enable.auto.offset.store": False, "auto.offset.reset": "earliest",
               "queued.max.messages.kbytes": 16384, "fetch.wait.max.ms": 100,
               "max.partition.fetch.bytes": 8 << 20,
               # librdkafka pauses a partition's fetches for this long once its queue holds
               # queued.min.messages; at the default (1 s) a batch-consuming reader idles
               # half the time (bench/README.md: 1.5x the messages/s with 10 ms)
               "fetch.queue.backoff.ms": 10,
               "socket.connection.setup.timeout.ms": 10000})
        if latch is not None:
            config["error_cb"] = latch
        return config

    def catalog(self) -> OffsetCatalog:
        """The client that lists partitions and offsets (opened once)."""
        if self._catalog is None:
            admin = base_config(self.options.bootstrap_servers, {
                k: v for k, v in self.options.kafka_config.items()
                if not k.startswith(("group.", "enable.auto", "auto.", "isolation.", "fetch.", "max.poll",
                                     "session.", "heartbeat.", "max.partition", "queued.", "check.crcs"))})
            self._catalog = OffsetCatalog(self.options, admin, self.consumer_config())
        return self._catalog

    def open(self) -> None:
        """Check the driver is installed (clients are created when needed)."""
        kafka()

    def _splits_for(self, refs: list[PartitionRef], starts: Mapping[PartitionRef, int]) -> list[Split]:
        ends: Mapping[PartitionRef, int] = {}
        if self.context.bounded:
            end_ts = self.options.start_mode_end_timestamp
            ends = (self.catalog().for_timestamp(refs, end_ts) if end_ts is not None
                    else self.catalog().latest(refs))
        out = []
        for ref in refs:
            self._known[ref.split_id] = ref
            payload = {"topic": ref.topic, "partition": ref.partition, "start": starts[ref],
                       "end": ends.get(ref) if self.context.bounded else None}
            out.append(Split(ref.split_id, payload))
        return out

    def splits(self) -> list[Split]:
        """One split per partition, with its start offset and, in BATCH, its end offset taken now."""
        refs = self.catalog().partitions()
        self._last_discovery = time.monotonic()
        return self._splits_for(refs, self.catalog().start_offsets(refs))

    def discover_splits(self) -> list[Split]:
        """STREAMING: partitions (or, with pattern, topics) that appeared; they start at earliest."""
        interval = self.options.partition_discovery_interval_millis
        if interval is not None and (interval < 0 or time.monotonic() - self._last_discovery < interval / 1000):
            return []
        self._last_discovery = time.monotonic()
        try:
            refs = [r for r in self.catalog().partitions() if r.split_id not in self._known]
            if not refs:
                return []
            starts = self.catalog().earliest(refs)
        except ConnectorError as exc:  # a broker away or a partition without leader yet: ask again next time
            log.warning("%s (partition discovery will try again)", exc)
            return []
        log.info("Kafka: new partitions %s", ", ".join(r.split_id for r in refs))
        return self._splits_for(refs, starts)

    def create_reader(self, split: Split, state: State | None = None) -> SplitReader:
        """A reader of one partition, resuming at ``state["offset"]`` when given."""
        return KafkaSplitReader(self, split, state)

    def split_lag(self, positions: Mapping[str, State]) -> dict[str, int]:
        """Messages between each partition's position (``{"offset": n}``, the next to read) and its end.

        Read-only, for the engine's metrics (``seatunnel_py_source_lag_records``): one
        ListOffsets request to the cluster, through the client the source already has (none
        before ``splits()`` or after ``close()``: then nothing is asked). The end is the last
        stable offset under read_committed, so transaction markers count as messages.
        """
        catalog = self._catalog
        refs = {split_id: self._known[split_id] for split_id, state in positions.items()
                if split_id in self._known and state and "offset" in state}
        if catalog is None or not refs:
            return {}
        ends = catalog.latest(list(refs.values()))
        return {split_id: max(0, ends[ref] - int(positions[split_id]["offset"]))
                for split_id, ref in refs.items() if ref in ends}

    def notify_checkpoint_complete(self, checkpoint_id: int, states: Mapping[str, State]) -> None:
        """Commit the checkpointed offsets to ``consumer.group`` (when ``commit_on_checkpoint``)."""
        if not self.options.commit_on_checkpoint:
            return
        offsets = {}
        for split_id, state in states.items():
            ref = self._known.get(split_id)
            if ref is not None and state and "offset" in state:
                offsets[ref] = int(state["offset"])
        try:
            self.catalog().commit(offsets)
        except Exception as exc:  # the checkpoint holds the truth; the group offsets are informational
            log.warning("Kafka: committing offsets of checkpoint %d to group %r failed: %s", checkpoint_id,
                        self.options.consumer_group, redact(describe(exc), self.options.kafka_config))

    def close(self) -> None:
        """Close the catalog's clients."""
        if self._catalog is not None:
            self._catalog.close()
            self._catalog = None
