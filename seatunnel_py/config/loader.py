"""Read a job file (HOCON or JSON) into plain data plus the line of every key."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .hocon import PLUGIN_BLOCKS, Findings, HoconError, parse
from .issues import ConfigErrors, ConfigIssue, option_label, render_path
from .lines import LineNode, line_of
from .variables import is_sink_placeholder, make_resolver

log = logging.getLogger(__name__)


@dataclass
class RawJob:
    """A parsed job file: top-level blocks as plain data, lines by path."""

    file: str
    data: dict[str, Any]
    lines: LineNode
    plugin_names: dict[tuple[str, int], str] = field(default_factory=dict)

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        """Line of the key or element at ``path`` (or of its closest known parent).

        A line in an included file is a :class:`~.lines.SourceLine` naming that file.
        """
        return line_of(self.lines, path)


def plugin_label(path: tuple[str | int, ...], names: Mapping[tuple[str, int], str]) -> str:
    """``sink.LocalFile.path`` (``sink[1].LocalFile.path`` when the name repeats in its block)."""
    if len(path) >= 2 and isinstance(path[1], int) and (str(path[0]), path[1]) in names:
        block, index = str(path[0]), path[1]
        name = names[(block, index)]
        repeated = sum(1 for (b, _), n in names.items() if b == block and n.lower() == name.lower()) > 1
        return option_label(f"{block}[{index}].{name}" if repeated else f"{block}.{name}", path[2:])
    return render_path(path)


def _plugin_names(node: LineNode) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for block in PLUGIN_BLOCKS:
        kid = node.kid(block)
        for index, name in enumerate(kid.names or [] if kid is not None else []):
            out[(block, index)] = name
    return out


def _warn(findings: Findings, names: Mapping[tuple[str, int], str]) -> None:
    """Log what is suspicious but allowed: unset quoted ``${name}``, skipped includes."""
    seen = set()
    for file, line, path, name, whole in findings.unset_quoted:
        if (file, line, name) in seen or is_sink_placeholder(name, path[-1] if path else None, whole):
            continue
        seen.add((file, line, name))
        issue = ConfigIssue(
            file, line, plugin_label(path, names),
            f"${{{name}}} is not set and stays as written in the string "
            f"(expected -i {name}=VALUE, an environment variable {name}, or ${{{name}:default}})",
        )
        log.warning("%s", issue.render())
    for issue in findings.warnings:
        log.warning("%s", issue.render())


def _load_json(text: str, file: str) -> RawJob:
    """JSON is read by ``json`` (strict); the same text read as HOCON gives the lines."""
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        issue = ConfigIssue(file, exc.lineno, "", f"invalid JSON: {exc.msg} (at column {exc.colno})")
        try:  # an unclosed or wrongly closed block is better reported where it opened
            parse(text, file, lambda _name: None, substitute=False)
        except HoconError as hocon:
            if hocon.brackets:
                issue = hocon.issue
        raise ConfigErrors([issue]) from None
    except RecursionError:
        data = {}  # nested too deep: the parse below says where
    if not isinstance(data, dict):
        raise ConfigErrors([ConfigIssue(file, 1, "", "a job must be a JSON object")])
    try:
        _, node, _ = parse(text, file, lambda _name: None, substitute=False)
    except HoconError as exc:
        raise ConfigErrors([exc.issue]) from None
    return RawJob(file, data, node, {})


def load_text(
    text: str, file: str, variables: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None
) -> RawJob:
    """Parse job text; ``file`` decides the form (``.json`` is JSON, anything else HOCON).

    ``include`` is resolved against ``file``'s folder. Raises :class:`ConfigErrors`.
    """
    if file.endswith(".json"):
        return _load_json(text, file)
    resolver = make_resolver(variables or {}, environ)
    findings = Findings(including=[Path(file).resolve()])
    try:
        data, node, _ = parse(text, file, resolver, findings)
    except HoconError as exc:
        raise ConfigErrors([*findings.unresolved, exc.issue]) from None
    if findings.unresolved:
        raise ConfigErrors(findings.unresolved)
    names = _plugin_names(node)
    for block in PLUGIN_BLOCKS:  # standard-HOCON files may still use `source = [ … ]`
        if isinstance(data.get(block), dict) and not any(k[0] == block for k in names):
            data[block] = [{"plugin_name": k, **(v or {})} for k, v in data[block].items()]
    _warn(findings, names)
    return RawJob(file, data, node, names)


def load_file(
    path: str | Path, variables: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None
) -> RawJob:
    """Read and parse a job file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigErrors([ConfigIssue(str(path), None, "", f"cannot read the job file: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise ConfigErrors([ConfigIssue(str(path), None, "", "the job file is not UTF-8 text")]) from None
    return load_text(text, str(path), variables, environ)
