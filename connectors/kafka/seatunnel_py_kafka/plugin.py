"""Entry point of the ``seatunnel-py-kafka`` distribution: registers the Kafka source and sink."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seatunnel_py.hookspecs import hookimpl

if TYPE_CHECKING:
    from seatunnel_py.registry import PluginRegistrar


@hookimpl
def seatunnel_py_register(registry: PluginRegistrar) -> None:
    """Register the Kafka source and sink (confluent-kafka is imported only when they run)."""
    registry.add_source("seatunnel_py_kafka.source:KafkaSource", name="Kafka")
    registry.add_sink("seatunnel_py_kafka.sink:KafkaSink", name="Kafka")
