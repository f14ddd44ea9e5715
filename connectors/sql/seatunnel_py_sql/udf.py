"""Python UDFs for the Sql transform, registered by plugins through a pluggy hook.

A plugin package implements ``seatunnel_py_sql_functions`` (declared in
:mod:`seatunnel_py.hookspecs`) in the module its ``seatunnel_py`` entry point names::

    import pyarrow.compute as pc
    from seatunnel_py.hookspecs import hookimpl

    @hookimpl
    def seatunnel_py_sql_functions(functions):
        functions.add("TITLE", lambda s: pc.utf8_title(s), return_type="string", parameters=["string"])

The function receives one Arrow array per argument (a ``pyarrow.ChunkedArray`` of up to
2048 rows, never one row; ``pyarrow.compute`` functions take it as is) and returns an
array of ``return_type`` with as many values. Types are SeaTunnel
type names (``string``, ``int``, ``decimal(10, 2)`` …) or Arrow types.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

import pyarrow as pa

from seatunnel_py import hookspecs
from seatunnel_py.api import ConnectorError
from seatunnel_py.types import TypeParseError, parse_type

log = logging.getLogger(__name__)
_lock = threading.Lock()


@dataclass(frozen=True)
class SqlFunction:
    """A scalar function callable from Sql queries, vectorised on Arrow arrays."""

    name: str
    function: Callable[..., Any]
    return_type: pa.DataType
    parameters: tuple[pa.DataType, ...]
    distribution: str = ""
    description: str = ""
    deterministic: bool = True

    @property
    def duckdb_name(self) -> str:
        """The name the function is registered under inside DuckDB."""
        return f"st_udf_{self.name.lower()}"


def _arrow_type(spec: pa.DataType | str, what: str) -> pa.DataType:
    if isinstance(spec, pa.DataType):
        return spec
    try:
        return parse_type(spec)
    except TypeParseError as exc:
        raise ValueError(f"{what}: {exc}") from None


class FunctionRegistrar:
    """The object handed to ``seatunnel_py_sql_functions``: collects one distribution's UDFs."""

    def __init__(self, found: dict[str, SqlFunction], distribution: str, reserved: set[str]) -> None:
        self._found = found
        self._distribution = distribution
        self._reserved = reserved

    def add(
        self,
        name: str,
        function: Callable[..., Any],
        return_type: pa.DataType | str,
        parameters: Sequence[pa.DataType | str] = (),
        *,
        description: str = "",
        deterministic: bool = True,
    ) -> None:
        """Register ``function`` as the SQL function ``name`` (matched case-insensitively)."""
        key = name.upper()
        if not name.isidentifier():
            raise ValueError(f"UDF name {name!r} is not an identifier")
        if key in self._reserved:
            raise ValueError(f"UDF {name!r} would hide the built-in Sql function of the same name")
        if key in self._found:
            other = self._found[key].distribution
            raise ValueError(f"UDF {name!r} is registered twice: by {other} and by {self._distribution}")
        self._found[key] = SqlFunction(
            name=key,
            function=function,
            return_type=_arrow_type(return_type, f"UDF {name} return_type"),
            parameters=tuple(_arrow_type(p, f"UDF {name} parameter") for p in parameters),
            distribution=self._distribution,
            description=description,
            deterministic=deterministic,
        )


def discover(reserved: set[str]) -> dict[str, SqlFunction]:
    """Every UDF that installed plugin packages register (cached per process)."""
    with _lock:
        return _discover(frozenset(reserved))


@functools.lru_cache(maxsize=1)
def _discover(reserved: frozenset[str]) -> dict[str, SqlFunction]:
    import pluggy

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    disabled = {n.strip() for n in os.environ.get("SEATUNNEL_PY_DISABLE_PLUGINS", "").split(",") if n.strip()}
    owners: dict[int, str] = {}
    for ep in entry_points(group=hookspecs.PROJECT):
        if ep.name in disabled:
            continue
        try:
            module = ep.load()
            pm.register(module, name=ep.name)
        except Exception:  # reported by plugin discovery already; it only breaks its own plugins
            log.debug("plugin package %s failed to load", ep.name, exc_info=True)
            continue
        dist = getattr(ep, "dist", None)
        owners[id(module)] = f"{dist.metadata['Name']} {dist.version}" if dist is not None else ep.value
    found: dict[str, SqlFunction] = {}
    hook = getattr(pm.hook, "seatunnel_py_sql_functions", None)
    if hook is None:
        return found
    for impl in hook.get_hookimpls():
        dist = owners.get(id(impl.plugin), impl.plugin_name)
        try:
            impl.function(functions=FunctionRegistrar(found, dist, set(reserved)))
        except Exception as exc:
            raise ConnectorError(f"plugin package {dist} failed to register its Sql functions: "
                                 f"{type(exc).__name__}: {exc}") from None
    return found


def reset() -> None:
    """Forget discovered UDFs (tests that install plugins call this)."""
    _discover.cache_clear()
