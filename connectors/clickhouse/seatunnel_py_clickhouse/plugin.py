"""Entry point of the ``seatunnel-py-clickhouse`` distribution: registers Clickhouse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seatunnel_py.hookspecs import hookimpl

if TYPE_CHECKING:
    from seatunnel_py.registry import PluginRegistrar


@hookimpl
def seatunnel_py_register(registry: PluginRegistrar) -> None:
    """Register the Clickhouse source and sink."""
    registry.add_source("seatunnel_py_clickhouse.source:ClickhouseSource", name="Clickhouse")
    registry.add_sink("seatunnel_py_clickhouse.sink:ClickhouseSink", name="Clickhouse")
