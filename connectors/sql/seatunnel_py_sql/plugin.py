"""Entry point of the ``seatunnel-py-sql`` distribution: registers the Sql transform."""

from __future__ import annotations

from typing import TYPE_CHECKING

from seatunnel_py.hookspecs import hookimpl

if TYPE_CHECKING:
    from seatunnel_py.registry import PluginRegistrar


@hookimpl
def seatunnel_py_register(registry: PluginRegistrar) -> None:
    """Register the Sql transform (DuckDB is not imported here)."""
    registry.add_transform("seatunnel_py_sql.transform:SqlTransform", name="Sql")
