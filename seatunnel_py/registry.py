"""Plugin name → class, per kind; duplicate names fail at start-up naming both owners.

A plugin is registered either as its class or as ``"module:Class"`` with its name: the
second form imports the module only when a job (or ``plugins show``) uses the plugin, so
discovery costs nothing for the plugins a job does not use.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass, field
from enum import Enum
from typing import cast

from .api.errors import SeaTunnelError
from .api.plugin import Plugin
from .api.sink import Sink
from .api.source import Source
from .api.transform import Transform


class PluginKind(str, Enum):
    """The three blocks of a job file."""

    SOURCE = "source"
    TRANSFORM = "transform"
    SINK = "sink"


_BASES: dict[PluginKind, type] = {
    PluginKind.SOURCE: Source,
    PluginKind.TRANSFORM: Transform,
    PluginKind.SINK: Sink,
}


class DuplicatePluginError(SeaTunnelError):
    """Two distributions register a plugin under the same name."""


class PluginLoadError(SeaTunnelError):
    """A plugin registered by ``"module:Class"`` cannot be imported or is not what it claims."""


@dataclass
class RegisteredPlugin:
    """A plugin class (or where to import it from) and the distribution that provides it."""

    kind: PluginKind
    name: str
    target: type[Plugin] | str
    distribution: str

    @property
    def cls(self) -> type[Plugin]:
        """The plugin class, imported on first use (``PluginLoadError`` when that fails)."""
        if isinstance(self.target, str):
            self.target = _import_plugin(self.kind, self.name, self.target, self.distribution)
        return self.target

    @property
    def where(self) -> str:
        """``module.Class`` of the plugin, without importing it."""
        if isinstance(self.target, str):
            return self.target.replace(":", ".")
        return f"{self.target.__module__}.{self.target.__name__}"


def _import_plugin(kind: PluginKind, name: str, target: str, distribution: str) -> type[Plugin]:
    module_name, _, attribute = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attribute)
    except Exception as exc:  # a missing dependency, a syntax error: name the package and the plugin
        raise PluginLoadError(
            f"{kind.value} plugin {name!r} of {distribution} cannot be loaded from {target}: "
            f"{type(exc).__name__}: {exc}") from exc
    plugin = _checked_class(kind, cls, distribution)
    if plugin.name.lower() != name.lower():
        raise PluginLoadError(f"{distribution} registers {target} as {kind.value} plugin {name!r}, "
                              f"but the class is named {plugin.name!r}")
    return plugin


def _checked_class(kind: PluginKind, cls: object, distribution: str) -> type[Plugin]:
    base = _BASES[kind]
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise PluginLoadError(f"{distribution}: {cls!r} is not a {base.__name__} subclass")
    plugin = cast("type[Plugin]", cls)
    if not plugin.name:
        raise PluginLoadError(f"{distribution}: {plugin.__name__} has no 'name'")
    return plugin


@dataclass(frozen=True)
class BrokenPlugin:
    """A plugin package whose import or registration failed."""

    entry_point: str
    distribution: str
    error: str


@dataclass
class Registry:
    """All plugins known to this process."""

    plugins: dict[tuple[PluginKind, str], RegisteredPlugin] = field(default_factory=dict)
    broken: list[BrokenPlugin] = field(default_factory=list)

    def add(self, kind: PluginKind, target: type[Plugin] | str, distribution: str, name: str | None = None) -> None:
        """Register a plugin class under its ``name``, or ``"module:Class"`` under ``name``."""
        if not isinstance(target, str):
            name = _checked_class(kind, target, distribution).name
        elif not name or ":" not in target:
            raise PluginLoadError(f"{distribution}: a plugin registered as a string needs 'module:Class' and a "
                                  f"name (got {target!r}, name={name!r})")
        plugin = RegisteredPlugin(kind, name, target, distribution)
        key = (kind, name.lower())
        existing = self.plugins.get(key)
        if existing is not None:
            raise DuplicatePluginError(
                f"{kind.value} plugin {name!r} is registered twice: by {existing.distribution} "
                f"({existing.where}) and by {distribution} ({plugin.where}); uninstall or disable one of them"
            )
        self.plugins[key] = plugin

    def load_all(self) -> None:
        """Import every plugin registered by name; one that fails moves to ``broken``."""
        for key, plugin in list(self.plugins.items()):
            try:
                _ = plugin.cls
            except PluginLoadError as exc:
                del self.plugins[key]
                self.broken.append(BrokenPlugin(plugin.name, plugin.distribution, str(exc)))

    def get(self, kind: PluginKind, name: str) -> RegisteredPlugin | None:
        """Look a plugin up by name, case-insensitively (as SeaTunnel does)."""
        return self.plugins.get((kind, name.lower()))

    def names(self, kind: PluginKind) -> list[str]:
        """Registered names of one kind, sorted."""
        return sorted(p.name for (k, _), p in self.plugins.items() if k == kind)

    def all(self) -> list[RegisteredPlugin]:
        """Every registered plugin, by kind then name."""
        order = list(PluginKind)
        return sorted(self.plugins.values(), key=lambda p: (order.index(p.kind), p.name.lower()))

    def unknown_message(self, kind: PluginKind | None, name: str) -> str:
        """Why ``name`` is not found (among ``kind``, or any kind): a suggestion, broken packages."""
        names = self.names(kind) if kind else sorted({p.name for p in self.plugins.values()})
        lowered = {n.lower(): n for n in names}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
        msg = f"unknown {kind.value} plugin {name!r}" if kind else f"unknown plugin {name!r}"
        if close:
            msg += f" (did you mean {lowered[close[0]]!r}?)"
        else:
            msg += f" (expected one of: {', '.join(names) or 'none installed'})"
        for broken in self.broken:
            msg += f"; note: plugin package {broken.distribution} failed to load: {broken.error}"
        return msg


class PluginRegistrar:
    """The object handed to ``seatunnel_py_register``: registers for one distribution."""

    def __init__(self, registry: Registry, distribution: str) -> None:
        self._registry = registry
        self.distribution = distribution

    def add_source(self, cls: type[Source] | str, name: str | None = None) -> None:
        """Register a source class, or ``"module:Class"`` with its ``name`` (imported when used)."""
        self._registry.add(PluginKind.SOURCE, cls, self.distribution, name)

    def add_transform(self, cls: type[Transform] | str, name: str | None = None) -> None:
        """Register a transform class, or ``"module:Class"`` with its ``name`` (imported when used)."""
        self._registry.add(PluginKind.TRANSFORM, cls, self.distribution, name)

    def add_sink(self, cls: type[Sink] | str, name: str | None = None) -> None:
        """Register a sink class, or ``"module:Class"`` with its ``name`` (imported when used)."""
        self._registry.add(PluginKind.SINK, cls, self.distribution, name)
