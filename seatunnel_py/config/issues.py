"""Config problems, each located as ``FILE:LINE: path.to.option: message``."""

from __future__ import annotations

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
        """``FILE:LINE: path: message`` (parts that are unknown are left out)."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


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
