"""``seatunnel-py plugins list`` and ``plugins show NAME``."""

from __future__ import annotations

from pathlib import Path

import typer

from ..plugins import get_registry
from ..registry import PluginKind, RegisteredPlugin
from .plugin_docs import render_markdown, render_text

app = typer.Typer(help="List installed plugins and show their options.", no_args_is_help=True)

@app.command("list")
def list_plugins() -> None:
    """List every installed source, transform and sink."""
    registry = get_registry()
    registry.load_all()
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
    registry.load_all()
    kinds = [PluginKind(kind.lower())] if kind else list(PluginKind)
    return [p for k in kinds if (p := registry.get(k, name)) is not None]


@app.command("show")
def show(
    name: str = typer.Argument(..., help="plugin name, e.g. FakeSource"),
    kind: str | None = typer.Option(None, "--kind", help="source, transform or sink"),
    markdown: bool = typer.Option(False, "--markdown", help="print Markdown (as in docs/reference)", metavar=""),
) -> None:
    """Show a plugin's options (type, default, description) and capabilities."""
    found = _find(name, kind)
    if not found:
        registry = get_registry()
        typer.echo(registry.unknown_message(PluginKind(kind.lower()) if kind else None, name), err=True)
        raise typer.Exit(2)
    for index, plugin in enumerate(found):
        if index:
            typer.echo("")
        typer.echo(render_markdown(plugin) if markdown else render_text(plugin), nl=not markdown)


@app.command("docs")
def docs(out: Path = typer.Argument(Path("docs/reference"), help="folder to write the pages into")) -> None:
    """Write one Markdown page per installed plugin, and an index, from the option models."""
    from .plugin_docs import write_reference

    registry = get_registry()
    registry.load_all()
    for path in write_reference(registry.all(), out):
        typer.echo(str(path))
