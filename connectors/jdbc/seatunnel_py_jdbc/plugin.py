"""Entry point of the ``seatunnel-py-jdbc`` distribution: registers the Jdbc source and sink."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seatunnel_py.hookspecs import hookimpl

if TYPE_CHECKING:
    from seatunnel_py.registry import PluginRegistrar


@hookimpl
def seatunnel_py_register(registry: PluginRegistrar) -> None:
    """Register the Jdbc source and sink."""
    registry.add_source("seatunnel_py_jdbc.source:JdbcSource", name="Jdbc")
    registry.add_sink("seatunnel_py_jdbc.sink:JdbcSink", name="Jdbc")
