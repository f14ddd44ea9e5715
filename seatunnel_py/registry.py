"""Plugin name → class, per kind; duplicate names fail at start-up naming both owners."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from enum import Enum

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


@dataclass(frozen=True)
class RegisteredPlugin:
    """A plugin class and the distribution that provides it."""

    kind: PluginKind
    name: str
    cls: type[Plugin]
    distribution: str


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

    def add(self, kind: PluginKind, cls: type[Plugin], distribution: str) -> None:
        """Register ``cls`` under its ``name`` for ``kind``."""
        base = _BASES[kind]
        if not (isinstance(cls, type) and issubclass(cls, base)):
            raise TypeError(f"{distribution}: {cls!r} is not a {base.__name__} subclass")
        if not cls.name:
            raise TypeError(f"{distribution}: {cls.__name__} has no 'name'")
        key = (kind, cls.name.lower())
        existing = self.plugins.get(key)
        if existing is not None:
            raise DuplicatePluginError(
                f"{kind.value} plugin {cls.name!r} is registered twice: by {existing.distribution} "
                f"({existing.cls.__module__}.{existing.cls.__name__}) and by {distribution} "
                f"({cls.__module__}.{cls.__name__}); uninstall or disable one of them"
            )
        self.plugins[key] = RegisteredPlugin(kind, cls.name, cls, distribution)

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

    def add_source(self, cls: type[Source]) -> None:
        """Register a source class."""
        self._registry.add(PluginKind.SOURCE, cls, self.distribution)

    def add_transform(self, cls: type[Transform]) -> None:
        """Register a transform class."""
        self._registry.add(PluginKind.TRANSFORM, cls, self.distribution)

    def add_sink(self, cls: type[Sink]) -> None:
        """Register a sink class."""
        self._registry.add(PluginKind.SINK, cls, self.distribution)
