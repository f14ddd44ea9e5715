"""``seatunnel-py plugins list`` and ``plugins show NAME``."""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Any

import typer
from pydantic_core import PydanticUndefined

from ..plugins import get_registry
from ..registry import PluginKind, RegisteredPlugin

app = typer.Typer(help="List installed plugins and show their options.", no_args_is_help=True)

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
    return repr(default) if isinstance(default, str) else str(default)


@app.command("list")
def list_plugins() -> None:
    """List every installed source, transform and sink."""
    registry = get_registry()
    rows = [
        (p.kind.value, p.name, p.distribution, ", ".join(sorted(c.value for c in p.cls.capabilities)))
        for p in registry.all()
    ]
    widths = [max(len(r[i]) for r in [("KIND", "NAME", "PACKAGE", "CAPABILITIES"), *rows]) for i in range(4)]
    for row in [("KIND", "NAME", "PACKAGE", "CAPABILITIES"), *rows]:
        typer.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    for broken in registry.broken:
        typer.echo(f"BROKEN  {broken.distribution} (entry point {broken.entry_point}): {broken.error}", err=True)


def _find(name: str, kind: str | None) -> list[RegisteredPlugin]:
    registry = get_registry()
    kinds = [PluginKind(kind.lower())] if kind else list(PluginKind)
    return [p for k in kinds if (p := registry.get(k, name)) is not None]


@app.command("show")
def show(
    name: str = typer.Argument(..., help="plugin name, e.g. FakeSource"),
    kind: str | None = typer.Option(None, "--kind", help="source, transform or sink"),
) -> None:
    """Show a plugin's options (type, default, description) and capabilities."""
    found = _find(name, kind)
    if not found:
        registry = get_registry()
        message = registry.unknown_message(PluginKind(kind.lower()) if kind else PluginKind.SOURCE, name)
        typer.echo(message.replace("unknown source plugin", "unknown plugin"), err=True)
        raise typer.Exit(2)
    for index, plugin in enumerate(found):
        if index:
            typer.echo("")
        describe(plugin)


def describe(plugin: RegisteredPlugin) -> None:
    """Print one plugin's documentation, generated from its option model."""
    cls = plugin.cls
    typer.echo(f"{plugin.name} ({plugin.kind.value}, from {plugin.distribution})")
    if cls.description:
        typer.echo(f"  {cls.description}")
    caps = ", ".join(sorted(c.value for c in cls.capabilities)) or "-"
    typer.echo(f"  capabilities: {caps}")
    typer.echo("  options:")
    model = cls.options_model
    secrets = model.secret_names()
    for fname, field in model.model_fields.items():
        key = field.alias or fname
        secret = key in secrets
        flag = "  [secret]" if secret else ""
        typer.echo(f"    {key}: {type_name(field.annotation)} = {default_text(field, secret)}{flag}")
        if field.description:
            typer.echo(f"        {field.description}")
    typer.echo("  common options:")
    for key, typ, text in COMMON[plugin.kind]:
        typer.echo(f"    {key}: {typ}\n        {text}")
