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

    def render(self) -> str:
        """``FILE:LINE: path: message`` (parts that are unknown are left out)."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigErrors(SeaTunnelError):
    """Every problem found in a job file, reported together (exit code 2)."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = sorted(issues, key=lambda i: (i.line or 0, i.path))
        super().__init__("\n".join(i.render() for i in self.issues))


class UsageError(SeaTunnelError):
    """Bad command-line usage (exit code 2)."""
