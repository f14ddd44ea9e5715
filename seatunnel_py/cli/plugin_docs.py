"""Plugin documentation generated from option models: ``plugins show`` and docs/reference."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic_core import PydanticUndefined

from ..api.capabilities import guarantee_of
from ..registry import PluginKind, RegisteredPlugin

COMMON = {
    PluginKind.SOURCE: [
        ("plugin_output", "str", "name of this source's output (old name: result_table_name)"),
        ("parallelism", "int", "pipeline tasks for this source (default: env.parallelism)"),
    ],
    PluginKind.TRANSFORM: [
        ("plugin_input", "str", "the output this transform reads (old: source_table_name)"),
        ("plugin_output", "str", "name of this transform's output (old: result_table_name)"),
    ],
    PluginKind.SINK: [("plugin_input", "list[str]", "the outputs this sink reads (old: source_table_name)")],
}


def type_name(annotation: Any) -> str:
    """A readable name for an option's type annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return " | ".join(type_name(a) for a in args)
    if origin is not None:
        inner = ", ".join(type_name(a) for a in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " | ".join(str(m.value) for m in annotation)
    if annotation is Any:
        return "any"
    return getattr(annotation, "__name__", str(annotation))


def default_text(field: Any, secret: bool) -> str:
    """The default of an option as shown to users."""
    if field.is_required():
        return "(required)"
    default = field.default
    if default is PydanticUndefined or default is None:
        return "-"
    if secret:
        return "******"
    if isinstance(default, Enum):
        return str(default.value)
    if isinstance(default, bool):
        return "true" if default else "false"
    return repr(default) if isinstance(default, str) else str(default)


@dataclass(frozen=True)
class OptionDoc:
    """One option as documented."""

    key: str
    type: str
    default: str
    secret: bool
    description: str


def option_docs(plugin: RegisteredPlugin) -> list[OptionDoc]:
    """The plugin's options, in model order."""
    model = plugin.cls.options_model
    secrets = model.secret_names()
    out = []
    for fname, field in model.model_fields.items():
        key = field.alias or fname
        secret = key in secrets
        out.append(OptionDoc(key, type_name(field.annotation), default_text(field, secret), secret,
                             field.description or ""))
    return out


def capabilities_text(plugin: RegisteredPlugin) -> str:
    """Sorted capability names."""
    return ", ".join(sorted(c.value for c in plugin.cls.capabilities)) or "-"


GUARANTEE_LABEL = {"sink": "delivery guarantee", "source": "checkpoints", "transform": "state"}


def guarantee_text(plugin: RegisteredPlugin) -> str:
    """The plugin's delivery guarantee (sinks) or resume behaviour (sources), in words."""
    return guarantee_of(plugin.kind.value, plugin.cls.capabilities)


def render_text(plugin: RegisteredPlugin) -> str:
    """What ``plugins show NAME`` prints."""
    lines = [f"{plugin.name} ({plugin.kind.value}, from {plugin.distribution})"]
    if plugin.cls.description:
        lines.append(f"  {plugin.cls.description}")
    lines.append(f"  capabilities: {capabilities_text(plugin)}")
    lines.append(f"  {GUARANTEE_LABEL[plugin.kind.value]}: {guarantee_text(plugin)}")
    lines.append("  options:")
    for doc in option_docs(plugin):
        flag = "  [secret]" if doc.secret else ""
        lines.append(f"    {doc.key}: {doc.type} = {doc.default}{flag}")
        if doc.description:
            lines.append(f"        {doc.description}")
    lines.append("  common options:")
    for key, typ, text in COMMON[plugin.kind]:
        lines += [f"    {key}: {typ}", f"        {text}"]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(plugin: RegisteredPlugin) -> str:
    """A reference page for one plugin (no version numbers, so pages change only with options)."""
    package = plugin.distribution.split(" ")[0]
    lines = [f"# {plugin.name} ({plugin.kind.value})", ""]
    if plugin.cls.description:
        lines += [plugin.cls.description + ".", ""]
    doc = (plugin.cls.__doc__ or "").strip()
    if doc and doc.splitlines()[0].rstrip(".") != plugin.cls.description:
        for paragraph in doc.split("\n\n"):
            lines += [" ".join(line.strip() for line in paragraph.splitlines()), ""]
    lines += [f"Package: `{package}`. Capabilities: {capabilities_text(plugin)}.", "",
              f"{GUARANTEE_LABEL[plugin.kind.value].capitalize()}: {guarantee_text(plugin)}.", "",
              "| option | type | default | description |", "|---|---|---|---|"]
    for option in option_docs(plugin):
        secret = " (secret: never printed)" if option.secret else ""
        lines.append(f"| `{option.key}` | {_cell(option.type)} | {_cell(option.default)} | "
                     f"{_cell(option.description)}{secret} |")
    for key, typ, text in COMMON[plugin.kind]:
        lines.append(f"| `{key}` | {typ} | - | {text} (common option) |")
    return "\n".join(lines) + "\n"


def page_name(plugin: RegisteredPlugin) -> str:
    """File name of a plugin's page."""
    return f"{plugin.kind.value}-{plugin.name}.md"


def render_index(plugins: list[RegisteredPlugin]) -> str:
    """The index page of docs/reference."""
    lines = ["# Plugin reference", "",
             "Generated from the option models by `seatunnel-py plugins docs` (`make docs`); do not edit.", "",
             "| kind | plugin | guarantee | capabilities |", "|---|---|---|---|"]
    for plugin in plugins:
        lines.append(f"| {plugin.kind.value} | [{plugin.name}]({page_name(plugin)}) | {guarantee_text(plugin)} "
                     f"| {capabilities_text(plugin)} |")
    return "\n".join(lines) + "\n"


def write_reference(plugins: list[RegisteredPlugin], out: Path) -> list[Path]:
    """Write every page and the index; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for plugin in plugins:
        path = out / page_name(plugin)
        path.write_text(render_markdown(plugin), encoding="utf-8")
        written.append(path)
    index = out / "README.md"
    index.write_text(render_index(plugins), encoding="utf-8")
    written.append(index)
    return written
