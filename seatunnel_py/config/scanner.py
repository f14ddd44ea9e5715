"""A HOCON structure scanner that makes pyhocon read SeaTunnel's dialect.

SeaTunnel's HOCON differs from the standard (reference §1.2): dotted keys are literal
(``row.num``), and the ``source`` / ``transform`` / ``sink`` blocks are ordered lists in
which a plugin name may repeat. pyhocon follows the standard, so before parsing we scan
the text once and rewrite it, keeping every line where it was:

* an unquoted key containing dots is quoted (``row.num =`` → ``"row.num" =``);
* ``source { A { … } B { … } }`` becomes ``source [ { … } { … } ]`` and the plugin names
  are recorded in order;
* ``}`` directly followed by ``{`` inside an array gets a comma (SeaTunnel job files
  often omit it; standard HOCON would merge the two objects);
* ``${name}``, ``${name:default}`` (unquoted or inside quoted strings) are replaced by
  variables or environment variables (see :mod:`seatunnel_py.config.variables`).

While scanning we also record the line of every key and array element by path, so that
errors found later can be reported as ``file:line``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

Path = tuple[str | int, ...]
PLUGIN_BLOCKS = ("source", "transform", "sink")
_PUNCT = "{}[],=:"
_SUBST = re.compile(r"\$\{(\??)([^{}:]+?)(?::([^}]*))?\}")


@dataclass
class ScanResult:
    """The rewritten text and what the scan learnt about the original."""

    text: str
    lines: dict[Path, int] = field(default_factory=dict)
    plugin_names: dict[tuple[str, int], str] = field(default_factory=dict)
    unresolved: list[tuple[int, str]] = field(default_factory=list)
    """(line, name) of unquoted ``${name}`` substitutions no variable could satisfy."""

    def line_of(self, path: Path) -> int | None:
        """Line of the longest known prefix of ``path``."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


@dataclass
class _Ctx:
    kind: str  # "object", "array", "plugins"
    path: Path
    expect_key: bool = True
    key: str | None = None
    index: int = -1
    expect_element: bool = True
    last_closed_line: int = -1


Resolver = Callable[[str], str | None]


class _Scanner:
    def __init__(self, text: str, resolve: Resolver) -> None:
        self.src = text
        self.resolve = resolve
        self.out: list[str] = []
        self.pos = 0
        self.line = 1
        self.result = ScanResult("")
        self.stack: list[_Ctx] = []
        self.pending_key: list[tuple[str, bool, int, int]] = []  # (text, quoted, line, out_index)

    # --- helpers ----------------------------------------------------------------
    def emit(self, text: str) -> None:
        self.out.append(text)
        self.line += text.count("\n")

    def top(self) -> _Ctx:
        return self.stack[-1]

    def start_value(self) -> None:
        """Called when a value token starts (for array element bookkeeping)."""
        ctx = self.top()
        if ctx.kind == "array" and ctx.expect_element:
            ctx.index += 1
            ctx.expect_element = False
            self.result.lines.setdefault((*ctx.path, ctx.index), self.line)

    def child_path(self) -> Path:
        ctx = self.top()
        if ctx.kind == "array":
            return (*ctx.path, ctx.index)
        if ctx.kind == "plugins":
            return (*ctx.path, ctx.index)
        return (*ctx.path, ctx.key or "")

    # --- key handling -----------------------------------------------------------
    def flush_key(self) -> None:
        """The pending tokens were a key: record it and quote it if dotted."""
        ctx = self.top()
        parts = self.pending_key
        self.pending_key = []
        if not parts:
            return
        key = "".join(p[0] for p in parts).strip()
        line = parts[0][2]
        if ctx.kind == "plugins":
            ctx.index += 1
            block = str(ctx.path[0])
            self.result.plugin_names[(block, ctx.index)] = key
            element: Path = (*ctx.path, ctx.index)
            self.result.lines[element] = line
            for _, _, _, idx in parts:
                self.out[idx] = " " * len(self.out[idx])
            return
        ctx.key = key
        self.result.lines.setdefault((*ctx.path, key), line)
        unquoted_dotted = len(parts) == 1 and not parts[0][1] and "." in key
        if unquoted_dotted:
            self.out[parts[0][3]] = json.dumps(key)

    # --- main loop --------------------------------------------------------------
    def scan(self) -> ScanResult:
        src = self.src
        self.stack.append(_Ctx("object", ()))
        root_braced = False
        first_token = True
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "\n":
                self.on_newline()
                self.emit(ch)
                self.pos += 1
                continue
            if ch in " \t\r\ufeff":
                self.emit(ch)
                self.pos += 1
                continue
            if ch == "#" or src.startswith("//", self.pos):
                end = src.find("\n", self.pos)
                end = len(src) if end < 0 else end
                self.emit(src[self.pos : end])
                self.pos = end
                continue
            if first_token and ch == "{":
                root_braced = True
                first_token = False
                self.emit(ch)
                self.pos += 1
                continue
            first_token = False
            if ch == '"':
                self.on_quoted()
                continue
            if src.startswith("${", self.pos):
                self.on_substitution()
                continue
            if src.startswith("+=", self.pos):
                self.on_separator("+=")
                continue
            if ch in "=:":
                self.on_separator(ch)
                continue
            if ch == "{":
                self.on_open("{")
                continue
            if ch == "[":
                self.on_open("[")
                continue
            if ch in "}]":
                if ch == "}" and root_braced and len(self.stack) == 1:
                    self.emit(ch)
                    self.pos += 1
                    continue
                self.on_close(ch)
                continue
            if ch == ",":
                self.on_comma()
                continue
            self.on_unquoted()
        self.result.text = "".join(self.out)
        return self.result

    def on_newline(self) -> None:
        ctx = self.top()
        if ctx.kind == "array":
            ctx.expect_element = True
        elif ctx.kind == "object" and not self.pending_key:
            ctx.expect_key = True

    def on_comma(self) -> None:
        ctx = self.top()
        if ctx.kind == "array":
            ctx.expect_element = True
        else:
            ctx.expect_key = True
        self.emit(",")
        self.pos += 1

    def key_position(self) -> bool:
        ctx = self.top()
        return ctx.kind in ("object", "plugins") and ctx.expect_key

    def on_quoted(self) -> None:
        src = self.src
        if src.startswith('"""', self.pos):
            end = src.find('"""', self.pos + 3)
            end = len(src) if end < 0 else end + 3
            while end < len(src) and src[end] == '"':
                end += 1
            raw = src[self.pos : end]
            self.pos = end
            body = raw[3:-3]
            new_body = substitute_in_string(body, self.resolve)
            token = raw if new_body == body else '"""' + new_body + '"""'
            self.value_token(token)
            return
        i = self.pos + 1
        while i < len(src) and src[i] != '"':
            if src[i] == "\\":
                i += 1
            if src[i] == "\n":
                break
            i += 1
        raw = src[self.pos : i + 1]
        self.pos = i + 1
        if self.key_position():
            try:
                text = json.loads(raw)
            except json.JSONDecodeError:
                text = raw.strip('"')
            self.pending_key.append((text, True, self.line, len(self.out)))
            self.emit(raw)
            return
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            self.value_token(raw)
            return
        new = substitute_in_string(value, self.resolve)
        self.value_token(raw if new == value else json.dumps(new))

    def value_token(self, token: str) -> None:
        self.start_value()
        self.emit(token)

    def on_unquoted(self) -> None:
        src = self.src
        i = self.pos
        while (
            i < len(src)
            and src[i] not in _PUNCT + ' \t\r\n"#'
            and not src.startswith("//", i)
            and not src.startswith("${", i)
            and not src.startswith("+=", i)
        ):
            i += 1
        if i == self.pos:  # a lone character we do not know: keep it
            i += 1
        token = src[self.pos : i]
        self.pos = i
        if self.key_position():
            if self.top().kind == "object" and token == "include":
                self.emit(token)
                return
            self.pending_key.append((token, False, self.line, len(self.out)))
            self.emit(token)
            return
        self.value_token(token)

    def on_separator(self, sep: str) -> None:
        ctx = self.top()
        if self.key_position() and self.pending_key:
            plugins = ctx.kind == "plugins"
            self.flush_key()
            ctx.expect_key = False
            if plugins:  # `Name = { … }` inside source/transform/sink: drop the `=`
                self.emit(" " * len(sep))
                self.pos += len(sep)
                return
        self.emit(sep)
        self.pos += len(sep)

    def on_open(self, bracket: str) -> None:
        ctx = self.top()
        bare_key = self.key_position() and bool(self.pending_key)
        if bare_key:
            self.flush_key()
            ctx.expect_key = False
        if ctx.kind == "array":
            if bracket == "{" and not ctx.expect_element and ctx.last_closed_line == self.line:
                self.emit(",")
                ctx.expect_element = True
            self.start_value()
        path = self.child_path()
        self.pos += 1
        if ctx.kind == "plugins":
            self.stack.append(_Ctx("object", path))
            self.emit("," + bracket if ctx.index > 0 else bracket)
            return
        is_plugin_block = (
            len(self.stack) == 1
            and ctx.kind == "object"
            and bracket == "{"
            and isinstance(ctx.key, str)
            and ctx.key.lower() in PLUGIN_BLOCKS
        )
        if is_plugin_block:
            key = str(ctx.key).lower()
            self.stack.append(_Ctx("plugins", (key,), expect_key=True))
            self.emit("= [" if bare_key else "[")
            return
        self.stack.append(_Ctx("object" if bracket == "{" else "array", path))
        self.emit(bracket)

    def on_close(self, bracket: str) -> None:
        self.pending_key = []
        if len(self.stack) > 1:
            closed = self.stack.pop()
            self.emit("]" if closed.kind == "plugins" else bracket)
        else:
            self.emit(bracket)
        self.pos += 1
        ctx = self.top()
        ctx.last_closed_line = self.line
        if ctx.kind == "plugins":
            ctx.expect_key = True
        elif ctx.kind == "object":
            ctx.expect_key = False  # a newline or comma ends the field

    def on_substitution(self) -> None:
        src = self.src
        end = src.find("}", self.pos)
        end = len(src) - 1 if end < 0 else end
        raw = src[self.pos : end + 1]
        self.pos = end + 1
        match = _SUBST.fullmatch(raw)
        if not match:
            self.value_token(raw)
            return
        optional, name, default = match.group(1), match.group(2).strip(), match.group(3)
        value = self.resolve(name)
        if value is None:
            value = default
        if value is None:
            if not optional:
                self.result.unresolved.append((self.line, name))
            self.value_token(raw)
            return
        self.value_token(hocon_literal(value))


def hocon_literal(value: str) -> str:
    """How a variable's value is written where an unquoted ``${name}`` stood."""
    text = value.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null", text, re.I):
        return text
    if text.startswith("[") and text.endswith("]") and "\n" not in text:
        return text
    return json.dumps(value)


def substitute_in_string(text: str, resolve: Resolver) -> str:
    """Replace ``${name}`` / ``${name:default}`` inside a quoted string.

    A name no variable defines and without a default is kept as written, so sink
    placeholders such as ``${table_name}`` survive (SeaTunnel keeps them too).
    """

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(2).strip(), match.group(3)
        value = resolve(name)
        if value is None:
            value = default
        return match.group(0) if value is None else value

    return _SUBST.sub(replace, text)


def scan(text: str, resolve: Resolver) -> ScanResult:
    """Rewrite SeaTunnel HOCON for pyhocon and map paths to lines."""
    return _Scanner(text, resolve).scan()
