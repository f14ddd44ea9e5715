"""Where every key and array element of a job file was written.

The parser builds a tree of :class:`LineNode` beside the data: one node per object or
array, holding the line of each key (or element) and the nodes of the containers below
it. Looking a path up walks that tree, so nothing is stored per path and a job of 10 MB
costs two small containers per object, not a tuple per value.

Lines of the job file itself are plain ``int``; lines of an included file are
:class:`SourceLine`, an ``int`` that also names its file, so that an error found in
included text (even by code that only passes the line on) names the right file.
"""

from __future__ import annotations

from typing import Any


class SourceLine(int):
    """A line number in a file other than the job file (an included file)."""

    file: str

    def __new__(cls, line: int, file: str) -> SourceLine:
        """``line`` of ``file``."""
        obj = super().__new__(cls, line)
        obj.file = file
        return obj

    def __repr__(self) -> str:
        return f"{self.file}:{int(self)}"


class LineNode:
    """Lines of one object (``lines`` maps keys) or array (``lines`` lists elements)."""

    __slots__ = ("kids", "lines", "names")

    def __init__(self, lines: dict[Any, int] | list[int]) -> None:
        self.lines = lines
        self.kids: dict[Any, LineNode] | None = None
        """Nodes of the objects and arrays inside, by key or index."""
        self.names: list[str] | None = None
        """Plugin names, for the list a ``source``/``transform``/``sink`` block became."""

    def kid(self, key: Any) -> LineNode | None:
        """The node of the container at ``key``, if it is one."""
        return self.kids.get(key) if self.kids else None

    def set_kid(self, key: Any, node: LineNode | None) -> None:
        """Record (or forget, with ``None``) the node of the value at ``key``."""
        if node is not None:
            if self.kids is None:
                self.kids = {}
            self.kids[key] = node
        elif self.kids and key in self.kids:
            del self.kids[key]


def line_of(root: LineNode | None, path: tuple[str | int, ...]) -> int | None:
    """Line of ``path``, or of the longest part of it that was written."""
    node = root
    found: int | None = None
    for part in path:
        if node is None:
            break
        lines = node.lines
        if isinstance(lines, dict):
            line = lines.get(part)
        else:
            line = lines[part] if isinstance(part, int) and 0 <= part < len(lines) else None
        if line is None:
            break
        found = line
        node = node.kid(part)
    return found


def in_file(node: LineNode, file: str) -> None:
    """Turn the plain lines under ``node`` into lines of ``file`` (for included text)."""
    stack = [node]
    while stack:
        current = stack.pop()
        lines = current.lines
        keys = lines.keys() if isinstance(lines, dict) else range(len(lines))
        for key in keys:
            line = lines[key]
            if line is not None and type(line) is int:
                lines[key] = SourceLine(line, file)
        if current.kids:
            stack.extend(current.kids.values())


def flat_node(value: dict[str, Any] | list[Any], line: int) -> LineNode:
    """A node for a container written on one line (the parser keeps none for those)."""
    if isinstance(value, dict):
        return LineNode(dict.fromkeys(value, line))
    return LineNode([line] * len(value))


def merge_into(target: dict[str, Any], node: LineNode, source: dict[str, Any], source_node: LineNode) -> None:
    """Merge an object into another as HOCON does: objects merge key by key, anything else replaces."""
    lines = node.lines
    assert isinstance(lines, dict)
    for key, value in source.items():
        old = target.get(key)
        kid = source_node.kid(key)
        line = source_node.lines[key]  # type: ignore[call-overload]
        if type(value) is dict and type(old) is dict:
            old_node = node.kid(key)
            if old_node is None:
                old_node = flat_node(old, lines[key])
                node.set_kid(key, old_node)
            merge_into(old, old_node, value, kid or flat_node(value, line))
        else:
            target[key] = value
            node.set_kid(key, kid)
        lines[key] = line
