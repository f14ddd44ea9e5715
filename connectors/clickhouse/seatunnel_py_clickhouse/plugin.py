"""Entry point of the ``seatunnel-py-clickhouse`` distribution: registers Clickhouse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seatunnel_py.hookspecs import hookimpl

if TYPE_CHECKING:
    from seatunnel_py.registry import PluginRegistrar


@hookimpl
def seatunnel_py_register(registry: PluginRegistrar) -> None:
    """Register the Clickhouse source and sink."""
    from .sink import ClickhouseSink
    from .source import ClickhouseSource

    registry.add_source(ClickhouseSource)
    registry.add_sink(ClickhouseSink)
