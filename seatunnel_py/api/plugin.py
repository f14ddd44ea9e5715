"""The part every plugin class shares: its name, option model and capabilities."""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from .capabilities import Capability
from .context import PluginContext
from .options import NoOptions, PluginOptions

O = TypeVar("O", bound=PluginOptions)  # noqa: E741


class Plugin(Generic[O]):
    """Base of sources, transforms and sinks.

    Subclasses set ``name`` (the name users write, matched case-insensitively),
    ``options_model`` and ``capabilities``, and may set ``description``. The engine
    builds a plugin with ``cls(options, context)`` where ``options`` is an instance of
    ``options_model`` already validated.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    options_model: ClassVar[type[PluginOptions]] = NoOptions
    capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def __init__(self, options: O, context: PluginContext) -> None:
        self.options: O = options
        self.context = context

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.context.label or self.name}>"
