"""Partitions and offsets: listing topics, resolving start modes and BATCH end offsets."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from seatunnel_py.api import ConnectorError

from .client import describe, kafka, make_client
from .config import redact
from .options import KafkaSourceOptions, StartMode

INTERNAL_TOPICS = ("__consumer_offsets", "__transaction_state", "__share_group_state")


@dataclass(frozen=True)
class PartitionRef:
    """One partition of one topic; ``split_id`` is SeaTunnel's ``topic-partition``."""

    topic: str
    partition: int

    @property
    def split_id(self) -> str:
        """``topic-partition``, the key of start_mode.offsets and of the saved state."""
        return f"{self.topic}-{self.partition}"


class OffsetCatalog:
    """Asks the cluster for partitions and offsets (one admin client, one idle consumer)."""

    def __init__(self, options: KafkaSourceOptions, admin_config: dict[str, Any],
                 consumer_config: dict[str, Any]) -> None:
        self.options = options
        self._secrets = options.kafka_config
        self._admin = make_client("admin", admin_config, self._secrets)
        self._consumer_config = consumer_config
        self._consumer: Any = None
        self.timeout = min(options.poll_timeout / 1000, 30.0)
        read_committed = str(consumer_config.get("isolation.level", "read_committed")) == "read_committed"
        self._isolation = (kafka().IsolationLevel.READ_COMMITTED if read_committed
                           else kafka().IsolationLevel.READ_UNCOMMITTED)

    def _fail(self, what: str, exc: BaseException) -> ConnectorError:
        servers = self.options.bootstrap_servers
        return ConnectorError(redact(f"Kafka: cannot {what} from {servers}: {describe(exc)}", self._secrets))

    def partitions(self) -> list[PartitionRef]:
        """Every partition of the configured topics (or of the topics matching the pattern)."""
        ck = kafka()
        try:
            metadata = self._admin.list_topics(timeout=self.timeout)
        except ck.KafkaException as exc:
            raise self._fail("list topics", exc) from None
        topics = metadata.topics
        if self.options.pattern:
            regex = re.compile(self.options.topic)
            names = sorted(t for t in topics if regex.fullmatch(t) and t not in INTERNAL_TOPICS)
        else:
            names = self.options.topics()
            missing = [t for t in names if t not in topics or topics[t].error is not None]
            if missing:
                raise ConnectorError(f"Kafka: topic {missing[0]!r} does not exist on "
                                     f"{self.options.bootstrap_servers}")
        out: list[PartitionRef] = []
        for name in names:
            out.extend(PartitionRef(name, p) for p in sorted(topics[name].partitions))
        return out

    def _list_offsets(self, refs: list[PartitionRef], spec: Any) -> dict[PartitionRef, int]:
        if not refs:
            return {}
        ck = kafka()
        request = {ck.TopicPartition(r.topic, r.partition): spec for r in refs}
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                futures = self._admin.list_offsets(request, isolation_level=self._isolation,
                                                   request_timeout=self.timeout)
                return {PartitionRef(tp.topic, tp.partition): int(f.result().offset) for tp, f in futures.items()}
            except ck.KafkaException as exc:
                error = exc.args[0] if exc.args else None
                retriable = error is not None and hasattr(error, "code") and (
                    error.retriable() or error.code() in (ck.KafkaError.NOT_LEADER_FOR_PARTITION,
                                                          ck.KafkaError.LEADER_NOT_AVAILABLE,
                                                          ck.KafkaError.UNKNOWN_TOPIC_OR_PART))
                if not retriable or time.monotonic() > deadline:  # a new partition may still elect its leader
                    raise self._fail("list offsets", exc) from None
                time.sleep(0.2)

    def earliest(self, refs: list[PartitionRef]) -> dict[PartitionRef, int]:
        """The first offset still in each partition."""
        from confluent_kafka.admin import OffsetSpec

        return self._list_offsets(refs, OffsetSpec.earliest())

    def latest(self, refs: list[PartitionRef]) -> dict[PartitionRef, int]:
        """The end of each partition (the last stable offset under read_committed)."""
        from confluent_kafka.admin import OffsetSpec

        return self._list_offsets(refs, OffsetSpec.latest())

    def for_timestamp(self, refs: list[PartitionRef], timestamp_ms: int) -> dict[PartitionRef, int]:
        """The first offset whose timestamp is >= ``timestamp_ms`` (the end when there is none)."""
        from confluent_kafka.admin import OffsetSpec

        found = self._list_offsets(refs, OffsetSpec.for_timestamp(timestamp_ms))
        ends = self.latest([r for r, off in found.items() if off < 0])
        return {r: (ends[r] if off < 0 else off) for r, off in found.items()}

    def consumer(self) -> Any:
        """An idle consumer of consumer.group, for committed offsets and commits."""
        if self._consumer is None:
            self._consumer = make_client("consumer", self._consumer_config, self._secrets)
        return self._consumer

    def committed(self, refs: list[PartitionRef]) -> dict[PartitionRef, int]:
        """The group's committed offsets (partitions without one are left out)."""
        if not refs:
            return {}
        ck = kafka()
        try:
            tps = self.consumer().committed([ck.TopicPartition(r.topic, r.partition) for r in refs],
                                            timeout=self.timeout)
        except ck.KafkaException as exc:
            raise self._fail("read the offsets of consumer group "
                             f"{self.options.consumer_group!r}", exc) from None
        return {PartitionRef(tp.topic, tp.partition): tp.offset for tp in tps if tp.offset >= 0}

    def commit(self, offsets: Mapping[PartitionRef, int]) -> None:
        """Commit ``offsets`` (next offsets to read) to consumer.group, synchronously."""
        ck = kafka()
        tps = [ck.TopicPartition(r.topic, r.partition, off) for r, off in offsets.items()]
        if tps:
            self.consumer().commit(offsets=tps, asynchronous=False)

    def start_offsets(self, refs: list[PartitionRef]) -> dict[PartitionRef, int]:
        """Where each partition starts under ``start_mode`` (used when it has no saved state)."""
        opts = self.options
        mode = opts.start_mode
        if mode == StartMode.EARLIEST:
            return self.earliest(refs)
        if mode == StartMode.LATEST:
            return self.latest(refs)
        if mode == StartMode.TIMESTAMP:
            return self.for_timestamp(refs, int(opts.start_mode_timestamp or 0))
        earliest = self.earliest(refs)
        if mode == StartMode.SPECIFIC_OFFSETS:
            given = {str(k): int(v) for k, v in (opts.start_mode_offsets or {}).items()}
            return {r: given.get(r.split_id, earliest[r]) for r in refs}
        committed = self.committed(refs)
        reset = str(opts.kafka_config.get("auto.offset.reset", "earliest")).lower()
        fallback = self.latest(refs) if reset in ("latest", "end", "largest") else earliest
        if reset in ("none", "error"):
            missing = [r.split_id for r in refs if r not in committed]
            if missing:
                raise ConnectorError(f"Kafka: consumer group {opts.consumer_group!r} has no committed offset "
                                     f"for {missing[0]} (auto.offset.reset = {reset})")
        return {r: committed.get(r, fallback[r]) for r in refs}

    def close(self) -> None:
        """Close the idle consumer."""
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
