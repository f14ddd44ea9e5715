"""The pieces a job-file parse works with: open blocks, findings, errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .issues import ConfigIssue
from .lines import LineNode

PLUGIN_BLOCKS = ("source", "transform", "sink")
MAX_DEPTH = 100
"""Deepest nesting of objects and arrays accepted (job files use a handful of levels)."""

OBJECT, ARRAY, PLUGINS = 0, 1, 2
"""Kinds of frame: ``{ … }``, ``[ … ]``, and a ``source``/``transform``/``sink`` block (a list of plugins)."""
KEY, SEP, VALUE, MORE, INCLUDE = 0, 1, 2, 3, 4
"""What a frame expects next: a key; ``=``/``:``/``{`` after the key; the first piece of a
value; more pieces or the end of the field; the rest of an ``include``."""
OMIT: Any = object()  # an unset ${?name}: the field or element is left out
ROOT_BRACE = "\x00{"  # marks the '{' that wraps a whole file
LABEL_PARTS = 8  # an error deep down names the first parts of its path


class HoconError(Exception):
    """A syntax error; parsing stops at the first one."""

    def __init__(self, issue: ConfigIssue, brackets: bool = False) -> None:
        super().__init__(issue.render())
        self.issue = issue
        self.brackets = brackets
        """The error is about blocks opened and closed (also true of the text read as JSON)."""


@dataclass
class Findings:
    """What parsing learns besides the data, shared by a job file and the files it includes."""

    unresolved: list[ConfigIssue] = field(default_factory=list)
    """Unquoted ``${name}`` that no variable sets (errors)."""
    unset_quoted: list[tuple[str, int, tuple[str | int, ...], str, bool]] = field(default_factory=list)
    """``(file, line, path, name, whole value)`` of ``${name}`` kept as written in a quoted string."""
    warnings: list[ConfigIssue] = field(default_factory=list)
    including: list[Path] = field(default_factory=list)
    """Files being parsed, outermost first (to refuse include cycles)."""


class Frame:
    """An open object, array or plugin block."""

    __slots__ = ("brace_form", "fresh", "incl", "key", "key_line", "kind", "line", "node", "obj", "op", "parts",
                 "path", "state", "text", "tok", "val", "vnode")

    def __init__(self, kind: int, obj: Any, node: LineNode, path: tuple[str | int, ...], line: int) -> None:
        self.kind = kind
        self.obj = obj
        self.node = node
        self.path = path
        self.line = line
        self.state = VALUE if kind == ARRAY else KEY
        self.key: str = ""
        self.key_line = line
        self.op = "="
        self.brace_form = False
        self.fresh = True
        """The container is new (not an object written before that this one merges into)."""
        self.val: Any = None
        self.tok = ""
        self.text: str | None = None
        self.vnode: LineNode | None = None
        self.parts: list[tuple[Any, str, LineNode | None, str | None]] | None = None
        self.incl: list[str] = []
