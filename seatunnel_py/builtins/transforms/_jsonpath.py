"""A small JsonPath reader: the subset SeaTunnel job files use.

Supported: ``$`` (optional: ``a.b`` means ``$.a.b``), ``.name``, ``['name']`` /
``["name"]``, ``[0]`` and negative indexes (``[-1]`` is the last element), ``.*`` and
``[*]``. Filters (``[?(…)]``), slices, unions and deep scan (``..``) are refused when the
path is compiled.

As in Jayway JsonPath (which SeaTunnel uses): a definite path whose key or index is
missing raises :class:`PathMissing`; a path with a wildcard returns the list of what it
found, skipping branches where the rest of the path is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_INDEX = re.compile(r"\s*(-?\d+)\s*")


class PathMissing(LookupError):
    """The document has nothing at the path."""


@dataclass(frozen=True)
class Step:
    """One step of a path: a key, an index, or a wildcard (``key is None and index is None``)."""

    key: str | None = None
    index: int | None = None

    @property
    def wildcard(self) -> bool:
        """True for ``*``."""
        return self.key is None and self.index is None

    def describe(self) -> str:
        """The step as JsonPath text (for messages)."""
        if self.key is not None:
            return f"['{self.key}']"
        return "[*]" if self.index is None else f"[{self.index}]"


def _quoted(text: str, pos: int) -> tuple[str, int]:
    """Read a quoted name starting at ``text[pos]`` (the quote); return it and the next index."""
    quote = text[pos]
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif ch == quote:
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise ValueError(f"unclosed quote at position {pos}")


def _bracket(text: str, pos: int) -> tuple[Step, int]:
    """Parse ``[…]`` starting at ``text[pos]``."""
    i = pos + 1
    while i < len(text) and text[i] == " ":
        i += 1
    if i < len(text) and text[i] in "'\"":
        name, i = _quoted(text, i)
        while i < len(text) and text[i] == " ":
            i += 1
        if not text.startswith("]", i):
            raise ValueError(f"expected ']' at position {i} (several names in one [] are not supported)")
        return Step(key=name), i + 1
    close = text.find("]", i)
    if close < 0:
        raise ValueError(f"unclosed '[' at position {pos}")
    inner = text[i:close].strip()
    if inner == "*":
        return Step(), close + 1
    if _INDEX.fullmatch(inner):
        return Step(index=int(inner)), close + 1
    raise ValueError(f"[{inner}] is not supported (expected ['name'], [number] or [*])")


def parse_path(text: str) -> tuple[Step, ...]:
    """Compile a JsonPath into steps; ``ValueError`` says what is not supported."""
    path = text.strip()
    if not path:
        raise ValueError("the path is empty")
    if path.startswith("$"):
        i = 1
    else:
        path, i = ("$" + path if path.startswith("[") else "$." + path), 1
    steps: list[Step] = []
    while i < len(path):
        ch = path[i]
        if ch == "[":
            step, i = _bracket(path, i)
            steps.append(step)
        elif ch == ".":
            if path.startswith("..", i):
                raise ValueError("deep scan '..' is not supported")
            if path.startswith(".[", i):
                raise ValueError(f"unexpected '.[' at position {i}")
            end = i + 1
            while end < len(path) and path[end] not in ".[":
                end += 1
            name = path[i + 1 : end].strip()
            if not name:
                raise ValueError(f"empty name at position {i + 1}")
            if any(c in name for c in "()?@,:'\""):
                raise ValueError(f"{name!r} is not supported (functions and filters are not)")
            steps.append(Step() if name == "*" else Step(key=name))
            i = end
        else:
            raise ValueError(f"unexpected {ch!r} at position {i}")
    return tuple(steps)


def _step(node: Any, step: Step) -> Any:
    if step.key is not None:
        if isinstance(node, dict) and step.key in node:
            return node[step.key]
        raise PathMissing(f"no key {step.key!r}")
    if isinstance(node, list) and step.index is not None and -len(node) <= step.index < len(node):
        return node[step.index]
    raise PathMissing(f"no element {step.index}")


@dataclass(frozen=True)
class JsonPath:
    """A compiled path; :meth:`read` applies it to a parsed JSON document."""

    text: str
    steps: tuple[Step, ...]

    @classmethod
    def compile(cls, text: str) -> JsonPath:
        """Compile ``text`` (``ValueError`` when it is outside the supported subset)."""
        return cls(text, parse_path(text))

    @property
    def definite(self) -> bool:
        """True when the path names one value (no wildcard)."""
        return not any(step.wildcard for step in self.steps)

    def read(self, document: Any) -> Any:
        """The value at the path (a list of values for a path with a wildcard)."""
        nodes = [document]
        upstream_definite = True
        for step in self.steps:
            found: list[Any] = []
            for node in nodes:
                if step.wildcard:
                    if isinstance(node, dict):
                        found.extend(node.values())
                    elif isinstance(node, list):
                        found.extend(node)
                    elif upstream_definite:
                        raise PathMissing("expected an object or array for '*'")
                    continue
                try:
                    found.append(_step(node, step))
                except PathMissing:
                    if upstream_definite:
                        raise
            nodes = found
            upstream_definite = upstream_definite and not step.wildcard
        return nodes[0] if upstream_definite else nodes
