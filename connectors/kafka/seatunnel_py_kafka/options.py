"""Option models of the Kafka source and sink (names as in SeaTunnel)."""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
from pydantic import field_validator

from seatunnel_py.api import OptionEnum, OptionError, PluginOptions, option
from seatunnel_py.types import SchemaError, TableSchema, parse_schema

from .config import refused


class StartMode(OptionEnum):
    """Where the source starts reading a partition that has no saved state."""

    EARLIEST = "earliest"
    GROUP_OFFSETS = "group_offsets"
    LATEST = "latest"
    SPECIFIC_OFFSETS = "specific_offsets"
    TIMESTAMP = "timestamp"


class MessageFormat(OptionEnum):
    """How message values are read or written."""

    JSON = "json"
    TEXT = "text"
    CANAL_JSON = "canal_json"
    DEBEZIUM_JSON = "debezium_json"
    MAXWELL_JSON = "maxwell_json"
    OGG_JSON = "ogg_json"
    NATIVE = "native"

    @property
    def changelog(self) -> bool:
        """Change-data formats: messages carry row kinds."""
        return self in (MessageFormat.CANAL_JSON, MessageFormat.DEBEZIUM_JSON, MessageFormat.MAXWELL_JSON,
                        MessageFormat.OGG_JSON)


SINK_FORMATS = (MessageFormat.JSON, MessageFormat.TEXT, MessageFormat.CANAL_JSON, MessageFormat.DEBEZIUM_JSON,
                MessageFormat.NATIVE)


class ErrorHandleWay(OptionEnum):
    """What a message that cannot be decoded does to the job."""

    FAIL = "fail"
    SKIP = "skip"


class Semantics(OptionEnum):
    """Delivery guarantee of the sink."""

    NON = "NON"
    AT_LEAST_ONCE = "AT_LEAST_ONCE"
    EXACTLY_ONCE = "EXACTLY_ONCE"


CONTENT_COLUMN = "content"
"""The single column of json/text messages read without a schema."""

NATIVE_SCHEMA = pa.schema([
    pa.field("key", pa.binary()),
    pa.field("value", pa.binary()),
    pa.field("headers", pa.map_(pa.string(), pa.binary())),
    pa.field("topic", pa.string()),
    pa.field("partition", pa.int32()),
    pa.field("offset", pa.int64()),
    pa.field("timestamp", pa.int64()),
    pa.field("timestampType", pa.string()),
])
"""Columns of the ``native`` format: the Kafka record as it is (timestamp in epoch ms)."""


class KafkaCommonOptions(PluginOptions):
    """Options the Kafka source and sink share."""

    passthrough = ("kafka.config",)

    topic: str = option(..., "topic name; source: several comma-separated (or a list), a regex when "
                        "pattern = true; sink: may be ${field} to route each row by a field value")
    bootstrap_servers: str = option(..., "Kafka brokers, host:port[,host:port…]", alias="bootstrap.servers")
    kafka_config: dict[str, Any] = option(
        {}, "client properties passed to librdkafka (Java names are translated, Java-only ones refused); "
        "masked as a whole where options are shown, since it may hold SASL/SSL credentials",
        alias="kafka.config", secret=True)
    field_delimiter: str = option(",", "text format: the field separator")

    @field_validator("topic", mode="before")
    @classmethod
    def _join_topics(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return ",".join(str(v).strip() for v in value)
        return value

    def config_errors(self) -> list[OptionError]:
        """``kafka.config`` keys librdkafka has no equivalent for, and an empty delimiter."""
        errors = [OptionError(("kafka.config", key), f"{key} is a Java client property with no librdkafka "
                              f"equivalent: {reason}") for key, reason in refused(self.kafka_config)]
        if not self.bootstrap_servers.strip():
            errors.append(OptionError("bootstrap.servers", "must name at least one broker"))
        if self.field_delimiter == "":
            errors.append(OptionError("field_delimiter", "must not be empty"))
        return errors


class KafkaSourceOptions(KafkaCommonOptions):
    """Options of the Kafka source."""

    pattern: bool = option(False, "topic is a regular expression matched against every topic name")
    consumer_group: str = option("SeaTunnel-Consumer-Group", "consumer group offsets are committed to",
                                 alias="consumer.group")
    commit_on_checkpoint: bool = option(
        True, "commit the checkpointed offsets to consumer.group once a checkpoint is complete "
        "(informational: the checkpoint is the source of truth for recovery)")
    start_mode: StartMode = option(StartMode.GROUP_OFFSETS, "earliest, group_offsets, latest, "
                                   "specific_offsets or timestamp (for partitions without saved state)")
    start_mode_offsets: dict[str, int] | None = option(
        None, "specific_offsets: {\"topic-partition\" = offset}; partitions not listed start at earliest",
        alias="start_mode.offsets")
    start_mode_timestamp: int | None = option(None, "timestamp: start at the first message at or after this "
                                              "epoch ms", alias="start_mode.timestamp")
    start_mode_end_timestamp: int | None = option(
        None, "BATCH: stop before the first message at or after this epoch ms", alias="start_mode.end_timestamp")
    poll_timeout: int = option(10000, "ms; BATCH fails when a partition gives nothing for this long before "
                               "its end offset", alias="poll.timeout", gt=0)
    format_: MessageFormat = option(MessageFormat.JSON, "json, text, canal_json, debezium_json, maxwell_json, "
                                    "ogg_json or native", alias="format")
    schema_: dict[str, Any] | None = option(
        None, "declared schema { fields { … } }; without one, json/text rows are one 'content' column",
        alias="schema")
    format_error_handle_way: ErrorHandleWay = option(ErrorHandleWay.FAIL, "fail or skip messages that "
                                                     "cannot be decoded")
    partition_discovery_interval_millis: int | None = option(
        None, "STREAMING: least ms between two scans for new partitions (default: whenever the engine "
        "asks); -1 turns discovery off", alias="partition-discovery.interval-millis")
    debezium_record_include_schema: bool = option(
        True, "debezium_json: messages are {schema, payload} envelopes (bare payloads are read too)")
    batch_size: int = option(20000, "seatunnel-py: at most this many messages per record batch "
                             "(kafka.config max.poll.records sets it too)", gt=0)

    def topics(self) -> list[str]:
        """The topic names (or the one pattern)."""
        if self.pattern:
            return [self.topic]
        return [t.strip() for t in self.topic.split(",") if t.strip()]

    def table_schema(self) -> TableSchema | None:
        """The declared schema (``None`` when not declared); ``SchemaError`` when bad."""
        return None if self.schema_ is None else parse_schema(self.schema_)

    def messages_per_batch(self) -> int:
        """``max.poll.records`` from kafka.config when given, else ``batch_size``."""
        value = self.kafka_config.get("max.poll.records")
        return int(value) if value is not None else self.batch_size

    def check(self) -> list[OptionError]:
        """Cross-option checks: start modes, schema, formats, kafka.config."""
        errors = self.config_errors()
        if not self.topics():
            errors.append(OptionError("topic", "must name at least one topic"))
        if self.pattern:
            try:
                re.compile(self.topic)
            except re.error as exc:
                errors.append(OptionError("topic", f"not a regular expression: {exc}"))
        if self.start_mode == StartMode.SPECIFIC_OFFSETS and not self.start_mode_offsets:
            errors.append(OptionError("start_mode.offsets", "start_mode = specific_offsets needs "
                                      "start_mode.offsets { \"topic-partition\" = offset }"))
        for key in self.start_mode_offsets or {}:
            if not re.fullmatch(r".+-\d+", key):
                errors.append(OptionError(("start_mode.offsets", key), "keys are \"topic-partition\", e.g. t-0"))
        if self.start_mode == StartMode.TIMESTAMP and self.start_mode_timestamp is None:
            errors.append(OptionError("start_mode.timestamp", "start_mode = timestamp needs "
                                      "start_mode.timestamp (epoch ms)"))
        if self.schema_ is not None:
            if self.format_ == MessageFormat.NATIVE:
                errors.append(OptionError("schema", "native rows have fixed columns (key, value, headers, …); "
                                          "remove the schema"))
            try:
                self.table_schema()
            except SchemaError as exc:
                errors.append(OptionError(("schema", *exc.path), exc.message))
        elif self.format_.changelog:
            errors.append(OptionError("schema", f"{self.format_.value} needs a schema {{ fields {{ … }} }}"))
        value = self.kafka_config.get("max.poll.records")
        if value is not None and (not str(value).isdigit() or int(value) <= 0):
            errors.append(OptionError(("kafka.config", "max.poll.records"), "must be a positive integer"))
        return errors


class KafkaSinkOptions(KafkaCommonOptions):
    """Options of the Kafka sink."""

    semantics: Semantics = option(Semantics.NON, "NON, AT_LEAST_ONCE (flush at every checkpoint) or "
                                  "EXACTLY_ONCE (a Kafka transaction per checkpoint)")
    transaction_prefix: str | None = option(
        None, "EXACTLY_ONCE: transactional.id prefix (default SeaTunnel-<job.name>-<sink>); keep it stable "
        "across runs of the job")
    partition_key_fields: list[str] | None = option(
        None, "message key = JSON object of these fields; the partition follows the key hash")
    partition: int | None = option(None, "write every message to this partition", ge=0)
    assign_partitions: list[str] | None = option(
        None, "a message containing the i-th string goes to partition i, others to the remaining partitions")
    format_: MessageFormat = option(MessageFormat.JSON, "json, text, canal_json, debezium_json or native",
                                    alias="format")

    def routing_field(self) -> str | None:
        """The field named by ``topic = "${field}"``, if any."""
        match = re.fullmatch(r"\$\{([^}]+)\}", self.topic.strip())
        return match.group(1) if match else None

    def check(self) -> list[OptionError]:
        """Cross-option checks: format, partitioning, transactions, kafka.config."""
        errors = self.config_errors()
        if self.format_ not in SINK_FORMATS:
            allowed = ", ".join(f.value for f in SINK_FORMATS)
            errors.append(OptionError("format", f"{self.format_.value} cannot be written (expected one of: "
                                      f"{allowed})"))
        if "${" in self.topic and self.routing_field() is None:
            errors.append(OptionError("topic", "a routed topic is exactly ${field}"))
        if "," in self.topic:
            errors.append(OptionError("topic", "the sink writes to one topic (or ${field})"))
        chosen = [n for n, v in (("partition", self.partition), ("partition_key_fields", self.partition_key_fields),
                                 ("assign_partitions", self.assign_partitions)) if v is not None and v != []]
        if self.partition is not None and len(chosen) > 1:
            errors.append(OptionError("partition", f"partition excludes {', '.join(chosen[1:])}"))
        if self.transaction_prefix is not None and self.semantics != Semantics.EXACTLY_ONCE:
            errors.append(OptionError("transaction_prefix", "only used with semantics = EXACTLY_ONCE"))
        if self.semantics == Semantics.EXACTLY_ONCE and "transactional.id" in self.kafka_config:
            errors.append(OptionError(("kafka.config", "transactional.id"), "set transaction_prefix instead: "
                                      "the sink derives one transactional.id per task and checkpoint"))
        return errors
