"""Entry point of the ``seatunnel-py-kafka`` distribution: registers the Kafka source and sink."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seatunnel_py.hookspecs import hookimpl

if TYPE_CHECKING:
    from seatunnel_py.registry import PluginRegistrar


@hookimpl
def seatunnel_py_register(registry: PluginRegistrar) -> None:
    """Register the Kafka source and sink (confluent-kafka is imported only when they run)."""
    from .sink import KafkaSink
    from .source import KafkaSource

    registry.add_source(KafkaSource)
    registry.add_sink(KafkaSink)
