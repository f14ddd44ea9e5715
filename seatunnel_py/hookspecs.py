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
        registry.add_source("seatunnel_py_mything.source:MyThingSource", name="MyThing")
        registry.add_sink("seatunnel_py_mything.sink:MyThingSink", name="MyThing")

The plugin module is imported when plugins are discovered (every ``run``, ``check`` and
``plugins list``), so it must stay light: register plugins by ``"module:Class"`` and
name so that their modules are imported only by the jobs that use them, and import heavy
client libraries (database drivers, Kafka, ClickHouse clients) inside the methods that
connect, never at module level.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import pluggy

if TYPE_CHECKING:
    from .registry import PluginRegistrar

PROJECT = "seatunnel_py"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def seatunnel_py_register(registry: PluginRegistrar) -> None:
    """Register this distribution's sources, transforms and sinks.

    Call ``registry.add_source``, ``registry.add_transform`` and ``registry.add_sink``
    with ``"module:Class"`` and ``name=`` (imported when a job uses the plugin), or with
    the plugin class itself (a subclass of :class:`seatunnel_py.api.Source`,
    ``Transform``, ``Sink``). A name already registered by another distribution fails
    start-up, naming both distributions.
    """


class SqlFunctionRegistrar(Protocol):
    """What ``seatunnel_py_sql_functions`` receives (implemented by seatunnel-py-sql)."""

    def add(
        self,
        name: str,
        function: Callable[..., Any],
        return_type: Any,
        parameters: Sequence[Any] = (),
        *,
        description: str = "",
        deterministic: bool = True,
    ) -> None:
        """Register ``function`` as the SQL function ``name``."""


@hookspec
def seatunnel_py_sql_functions(functions: SqlFunctionRegistrar) -> None:
    """Register Python scalar functions (UDFs) for the ``Sql`` transform (seatunnel-py-sql).

    Call ``functions.add(name, function, return_type, parameters)``: ``name`` is matched
    case-insensitively in queries and must not hide a built-in Sql function; ``function``
    is vectorised: it receives one Arrow array per argument (a ``pyarrow.ChunkedArray``
    of many rows, never a single row; ``pyarrow.compute`` takes it as is) and returns an
    array of ``return_type`` with the same length; ``return_type`` and ``parameters`` are
    SeaTunnel type names (``"string"``, ``"bigint"``, ``"decimal(10, 2)"``) or Arrow types.
    Pass ``deterministic=False`` for functions whose result is not a function of their
    arguments. Called only when a job
    uses ``Sql``, so the hook may import what it needs; a name registered twice fails the
    job, naming both distributions.
    """
