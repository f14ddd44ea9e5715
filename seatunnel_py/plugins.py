"""Plugin discovery: entry-point group ``seatunnel_py``, built-ins included.

The built-in plugins are registered through the same entry point as every third-party
package (see ``pyproject.toml``). A package whose import fails is recorded as broken:
it only breaks the jobs that use one of its plugins, and the "unknown plugin" message
names it. Switches (environment variables):

* ``SEATUNNEL_PY_DISABLE_PLUGINS=name,other``: skip these entry points;
* ``SEATUNNEL_PY_TRACE_PLUGINS=1``: log every hook call at debug level.
"""

from __future__ import annotations

import logging
import os
import threading
from importlib.metadata import EntryPoint, entry_points

import pluggy

from . import hookspecs
from .registry import BrokenPlugin, DuplicatePluginError, PluginRegistrar, Registry

log = logging.getLogger(__name__)
_lock = threading.Lock()
_cached: Registry | None = None


def _distribution_of(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    if dist is not None:
        return f"{dist.metadata['Name']} {dist.version}"
    return ep.value.split(":")[0]


def build_registry(eps: list[EntryPoint] | None = None) -> Registry:
    """Discover plugins and return a fresh registry (``DuplicatePluginError`` on clashes)."""
    registry = Registry()
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    if os.environ.get("SEATUNNEL_PY_TRACE_PLUGINS"):
        pm.trace.root.setwriter(log.debug)
        pm.enable_tracing()
    disabled = {n.strip() for n in os.environ.get("SEATUNNEL_PY_DISABLE_PLUGINS", "").split(",") if n.strip()}
    found = list(entry_points(group=hookspecs.PROJECT)) if eps is None else eps
    owners: dict[int, str] = {}
    for ep in sorted(found, key=lambda e: (e.name != "builtins", e.name)):
        if ep.name in disabled:
            log.info("plugin package %s disabled by SEATUNNEL_PY_DISABLE_PLUGINS", ep.name)
            continue
        dist = _distribution_of(ep)
        try:
            module = ep.load()
            pm.register(module, name=ep.name)
        except Exception as exc:  # a broken plugin must not break other jobs
            log.debug("plugin package %s failed to load", dist, exc_info=True)
            registry.broken.append(BrokenPlugin(ep.name, dist, f"{type(exc).__name__}: {exc}"))
            continue
        owners[id(module)] = dist
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        registry.broken.append(BrokenPlugin("?", str(exc.plugin), str(exc)))
    for impl in pm.hook.seatunnel_py_register.get_hookimpls():
        dist = owners.get(id(impl.plugin), impl.plugin_name)
        try:
            # called one implementation at a time so the registry knows who registers what
            impl.function(registry=PluginRegistrar(registry, dist))
        except DuplicatePluginError:
            raise
        except Exception as exc:  # an import inside the hook, a bad class: only this package breaks
            log.debug("plugin package %s failed to register", dist, exc_info=True)
            registry.broken.append(BrokenPlugin(impl.plugin_name, dist, f"{type(exc).__name__}: {exc}"))
    return registry


def get_registry() -> Registry:
    """The process-wide registry, discovered once."""
    global _cached
    with _lock:
        if _cached is None:
            _cached = build_registry()
        return _cached


def reset_registry() -> None:
    """Forget the cached registry (tests that install plugins call this)."""
    global _cached
    with _lock:
        _cached = None
