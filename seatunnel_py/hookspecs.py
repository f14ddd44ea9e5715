"""Every pluggy hook of seatunnel-py: the plugin API reference.

A plugin distribution declares an entry point in the group ``seatunnel_py`` pointing at
a module that implements these hooks with :data:`hookimpl`::

    # pyproject.toml of a plugin package
    [project.entry-points.seatunnel_py]
    mything = "seatunnel_py_mything.plugin"

    # seatunnel_py_mything/plugin.py
    from seatunnel_py import hookimpl

    @hookimpl
    def seatunnel_py_register(registry):
        registry.add_source(MyThingSource)
        registry.add_sink(MyThingSink)

The plugin module is imported when plugins are discovered (``plugins list``, ``check``,
``run``), so it must stay light: import heavy client libraries (database drivers, Kafka,
ClickHouse clients) inside the methods that connect, never at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .registry import PluginRegistrar

PROJECT = "seatunnel_py"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def seatunnel_py_register(registry: PluginRegistrar) -> None:
    """Register this distribution's sources, transforms and sinks.

    Call ``registry.add_source(cls)``, ``registry.add_transform(cls)`` and
    ``registry.add_sink(cls)`` with plugin classes (subclasses of
    :class:`seatunnel_py.api.Source`, ``Transform``, ``Sink``). A name already registered
    by another distribution fails start-up, naming both distributions.
    """
