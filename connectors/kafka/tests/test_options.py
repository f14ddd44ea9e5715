"""Option models and kafka.config translation (no broker needed)."""

from __future__ import annotations

from typing import Any

from seatunnel_py_kafka.config import redact, translate
from seatunnel_py_kafka.options import KafkaSinkOptions, KafkaSourceOptions


def problems(model: Any, **options: Any) -> list[str]:
    options.setdefault("bootstrap.servers", "127.0.0.1:9092")
    options.setdefault("topic", "t")
    return [f"{'.'.join(map(str, e.option))}: {e.message}" for e in model.model_validate(options).check()]


def test_java_only_properties_are_refused_by_name() -> None:
    found = problems(KafkaSourceOptions, **{"kafka.config": {"ssl.truststore.location": "/x.jks", "acks": "all",
                                                             "key.deserializer": "org.X"}})
    assert found == [
        "kafka.config.ssl.truststore.location: ssl.truststore.location is a Java client property with no librdkafka "
        "equivalent: librdkafka reads PEM files: use ssl.ca.location",
        "kafka.config.key.deserializer: key.deserializer is a Java client property with no librdkafka equivalent: "
        "the connector reads keys and values as bytes"]


def test_java_names_are_translated() -> None:
    jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p w";'
    assert translate({"fetch.max.wait.ms": 50, "sasl.mechanism": "PLAIN", "max.poll.records": 10,
                      "sasl.jaas.config": jaas, "enable.auto.commit": True}) == {
        "fetch.wait.max.ms": "50", "sasl.mechanisms": "PLAIN", "sasl.username": "u", "sasl.password": "p w",
        "enable.auto.commit": "true"}
    assert redact(f"failed: {jaas} / p w", {"sasl.jaas.config": jaas}) == "failed: *** / ***"
    opts = KafkaSourceOptions.model_validate({"bootstrap.servers": "b", "topic": ["a", " b"],
                                              "kafka.config": {"max.poll.records": 7}})
    assert opts.topics() == ["a", "b"] and opts.messages_per_batch() == 7


def test_source_cross_option_checks() -> None:
    assert problems(KafkaSourceOptions, start_mode="specific_offsets") == [
        'start_mode.offsets: start_mode = specific_offsets needs start_mode.offsets { "topic-partition" = offset }']
    assert problems(KafkaSourceOptions, start_mode="timestamp") == [
        "start_mode.timestamp: start_mode = timestamp needs start_mode.timestamp (epoch ms)"]
    assert problems(KafkaSourceOptions, format="canal_json") == [
        "schema: canal_json needs a schema { fields { … } }"]
    assert problems(KafkaSourceOptions, format="native", schema={"fields": {"a": "int"}})[0].startswith(
        "schema: native rows have fixed columns")
    assert problems(KafkaSourceOptions, pattern=True, topic="(") [0].startswith("topic: not a regular expression")
    assert problems(KafkaSourceOptions, **{"start_mode.offsets": {"nodash": 1}}) == [
        'start_mode.offsets.nodash: keys are "topic-partition", e.g. t-0']


def test_sink_cross_option_checks() -> None:
    assert problems(KafkaSinkOptions, format="ogg_json")[0].startswith("format: ogg_json cannot be written")
    assert problems(KafkaSinkOptions, partition=0, partition_key_fields=["a"]) == [
        "partition: partition excludes partition_key_fields"]
    assert problems(KafkaSinkOptions, transaction_prefix="x") == [
        "transaction_prefix: only used with semantics = EXACTLY_ONCE"]
    assert problems(KafkaSinkOptions, topic="pre_${f}") == ["topic: a routed topic is exactly ${field}"]
    assert KafkaSinkOptions.model_validate({"bootstrap.servers": "b", "topic": "${dest}"}).routing_field() == "dest"
