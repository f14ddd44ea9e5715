"""Config problems, each located as ``FILE:LINE: path.to.option: message``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..api.errors import SeaTunnelError


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a job file."""

    file: str
    line: int | None
    path: str
    message: str

    def __post_init__(self) -> None:
        """A line of an included file (it names its file) moves the issue to that file."""
        other = getattr(self.line, "file", None)
        if isinstance(other, str) and self.line is not None:
            object.__setattr__(self, "file", other)
            object.__setattr__(self, "line", int(self.line))

    def render(self) -> str:
        """``FILE:LINE: path: message`` (parts that are unknown are left out).

        Hints are written in HOCON (``fields { name = type }``); for a JSON job file they
        are shown in JSON (``"fields": {"name": "type"}``).
        """
        where = f"{self.file}:{self.line}" if self.line else self.file
        message = as_json_hints(self.message) if str(self.file).lower().endswith(".json") else self.message
        return f"{where}: {self.path}: {message}" if self.path else f"{where}: {message}"


_HOCON_FIELD = re.compile(r"(?<![\w\"])([A-Za-z_][\w.]*) = (\[[^\]]*\]|[\w.<>…-]+)")
_HOCON_BLOCK = re.compile(r"(?<![\w\"])([A-Za-z_][\w.]*) \{")


def as_json_hints(message: str) -> str:
    """HOCON examples in a message written as JSON: ``key = value`` → ``"key": value``,
    ``key { … }`` → ``"key": { … }``, so a JSON job's author sees their own syntax."""
    message = _HOCON_BLOCK.sub(lambda m: f'"{m.group(1)}": {{', message)
    return _HOCON_FIELD.sub(lambda m: f'"{m.group(1)}": {_json_value(m.group(2))}', message)


def _json_value(text: str) -> str:
    if text.startswith("[") or text in ("true", "false", "null", "…") or text.lstrip("-").isdigit():
        return text
    return f'"{text}"'


def render_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """``("rules", "row_rules", 0, "rule_type")`` → ``rules.row_rules[0].rule_type``."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def option_label(label: str, parts: tuple[str | int, ...] | list[str | int]) -> str:
    """``source.FakeSource`` + ``("row.num",)`` → ``source.FakeSource.row.num``."""
    path = render_path(parts)
    if not path:
        return label
    return f"{label}{path}" if path.startswith("[") else f"{label}.{path}"


class ConfigErrors(SeaTunnelError):
    """Every problem found in a job file, reported together (exit code 2)."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = sorted(issues, key=lambda i: (i.line or 0, i.path))
        super().__init__("\n".join(i.render() for i in self.issues))


class UsageError(SeaTunnelError):
    """Bad command-line usage (exit code 2)."""
