"""Entry point of the ``seatunnel-py-files`` distribution: registers LocalFile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seatunnel_py.hookspecs import hookimpl

if TYPE_CHECKING:
    from seatunnel_py.registry import PluginRegistrar


@hookimpl
def seatunnel_py_register(registry: PluginRegistrar) -> None:
    """Register the LocalFile source and sink."""
    registry.add_source("seatunnel_py_files.source:LocalFileSource", name="LocalFile")
    registry.add_sink("seatunnel_py_files.sink:LocalFileSink", name="LocalFile")
