"""Registers the built-in plugins, through the same entry point as any plugin package."""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..registry import PluginRegistrar
from .assertion.sink import AssertSink
from .console import ConsoleSink
from .fake.source import FakeSource
from .transforms import TRANSFORMS


@hookimpl
def seatunnel_py_register(registry: PluginRegistrar) -> None:
    """Register FakeSource, Console, Assert and the core transforms."""
    registry.add_source(FakeSource)
    registry.add_sink(ConsoleSink)
    registry.add_sink(AssertSink)
    for transform in TRANSFORMS:
        registry.add_transform(transform)
