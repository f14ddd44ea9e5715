"""Read a job file (HOCON or JSON) into plain data plus a map of lines."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .issues import ConfigErrors, ConfigIssue
from .scanner import PLUGIN_BLOCKS, ScanResult, scan
from .variables import make_resolver


@dataclass
class RawJob:
    """A parsed job file: top-level blocks as plain data, lines by path."""

    file: str
    data: dict[str, Any]
    scan: ScanResult
    plugin_names: dict[tuple[str, int], str] = field(default_factory=dict)

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        """Line of the key or element at ``path`` (or of its closest known parent)."""
        return self.scan.line_of(path)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _syntax_issue(file: str, exc: Exception) -> ConfigIssue:
    line = getattr(exc, "lineno", None)
    found = getattr(exc, "line", "")
    msg = str(getattr(exc, "msg", "") or exc).splitlines()[0]
    match = re.search(r"found '(.*?)'", str(exc))
    near = f" near {match.group(1)!r}" if match else (f" in {found.strip()!r}" if found else "")
    if msg.startswith("Expected") or len(msg) > 120:
        msg = "syntax error"
    return ConfigIssue(file, line, "", f"{msg}{near} (expected HOCON: key = value, blocks in {{ }})")


def load_text(
    text: str, file: str, variables: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None
) -> RawJob:
    """Parse job text; ``file`` decides the form (``.json`` is JSON, anything else HOCON)."""
    resolver = make_resolver(variables or {}, environ)
    if file.endswith(".json"):
        result = scan(text, lambda _name: None)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigErrors([ConfigIssue(file, exc.lineno, "", f"invalid JSON: {exc.msg}")]) from None
        if not isinstance(data, dict):
            raise ConfigErrors([ConfigIssue(file, 1, "", "a job must be a JSON object")])
        return RawJob(file, data, result, {})
    result = scan(text, resolver)
    if result.unresolved:
        raise ConfigErrors(
            [
                ConfigIssue(
                    file,
                    line,
                    "",
                    f"variable ${{{name}}} is not set "
                    f"(expected -i {name}=VALUE, an environment variable {name}, or ${{{name}:default}})",
                )
                for line, name in result.unresolved
            ]
        )
    from pyhocon import ConfigFactory  # imported here: parsing is the only user

    try:
        tree = ConfigFactory.parse_string(result.text)
    except Exception as exc:  # pyparsing and pyhocon raise several unrelated types
        raise ConfigErrors([_syntax_issue(file, exc)]) from None
    data = _plain(tree.as_plain_ordered_dict())
    for block in PLUGIN_BLOCKS:  # standard-HOCON files may still use `source = [ … ]`
        if isinstance(data.get(block), dict) and not any(k[0] == block for k in result.plugin_names):
            data[block] = [{"plugin_name": k, **(v or {})} for k, v in data[block].items()]
    return RawJob(file, data, result, dict(result.plugin_names))


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
