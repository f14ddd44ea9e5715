"""Entry point of the ``seatunnel-py-files`` distribution: registers LocalFile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seatunnel_py.hookspecs import hookimpl

if TYPE_CHECKING:
    from seatunnel_py.registry import PluginRegistrar


@hookimpl
def seatunnel_py_register(registry: PluginRegistrar) -> None:
    """Register the LocalFile source and sink."""
    from .sink import LocalFileSink
    from .source import LocalFileSource

    registry.add_source(LocalFileSource)
    registry.add_sink(LocalFileSink)
