"""A one-pass parser for SeaTunnel's HOCON dialect, keeping the line of every key and element.

SeaTunnel's HOCON differs from the standard (reference §1.2): dotted keys are literal
(``row.num``), and the ``source`` / ``transform`` / ``sink`` blocks are ordered lists in
which a plugin name may repeat (``source { A { … } B { … } }``); inside an array, ``{ … }``
followed by ``{ … }`` on one line are two elements (job files often omit the comma).

This parser replaced pyhocon (which took about 15 s per megabyte: pyparsing tries every
grammar alternative at every character). It reads the token list of :mod:`.lexer` with
an explicit stack instead of recursion, so its time is linear in the file and nesting
is limited by :data:`MAX_DEPTH`, not by Python's recursion limit. What it accepts:

* objects ``key = value``, ``key : value``, ``key { … }``, fields separated by newlines
  or commas; a repeated key replaces the value, unless both are objects, which merge;
  ``key += value`` appends to an array;
* arrays ``[ … ]`` with elements separated by newlines or commas;
* values: quoted strings (JSON escapes), ``\"\"\"raw strings\"\"\"``, numbers, ``true`` /
  ``false`` / ``null`` (any case), unquoted text; several values on one line concatenate
  (strings join with the whitespace between them, arrays append, objects merge);
* ``${name}``, ``${?name}``, ``${name:default}`` from the ``-i`` variables and the
  environment (see :mod:`.variables`); inside quoted strings an unset name is kept as
  written (sink placeholders such as ``${table_name}``);
* ``include "file"``, ``include file("…")``, ``include required(…)``, relative to the
  folder of the file that includes (:mod:`.includes`);
* ``#`` and ``//`` comments; the whole file may be wrapped in ``{ }``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .issues import ConfigIssue, option_label, render_path
from .lexer import (
    SUBSTITUTION,
    Resolver,
    is_closed_quote,
    quoted_value,
    substitute_in_string,
    tokenize,
    typed_variable,
    unquoted_value,
)
from .lines import LineNode, merge_into

PLUGIN_BLOCKS = ("source", "transform", "sink")
MAX_DEPTH = 100
"""Deepest nesting of objects and arrays accepted (job files use a handful of levels)."""

OBJECT, ARRAY, PLUGINS = 0, 1, 2
KEY, SEP, VALUE, MORE, INCLUDE = 0, 1, 2, 3, 4
_OMIT: Any = object()  # an unset ${?name}: the field or element is left out
_ROOT_BRACE = "\x00{"  # marks the '{' that wraps a whole file
_LABEL_PARTS = 8  # an error deep down names the first parts of its path


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


class _Frame:
    """An open object, array or plugin block."""

    __slots__ = ("brace_form", "incl", "key", "key_line", "kind", "line", "node", "obj", "op", "parts",
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
        self.val: Any = None
        self.tok = ""
        self.text: str | None = None
        self.vnode: LineNode | None = None
        self.parts: list[tuple[Any, str, LineNode | None, str | None]] | None = None
        self.incl: list[str] = []


class Parser:
    """Parse one file's text into ``(data, lines)``; :meth:`parse` raises :class:`HoconError`."""

    def __init__(
        self,
        text: str,
        file: str,
        resolve: Resolver,
        findings: Findings,
        *,
        plugins_at_root: bool = True,
        base_path: tuple[str | int, ...] = (),
        depth: int = 0,
        substitute: bool = True,
        parent: Parser | None = None,
    ) -> None:
        self.text = text
        self.file = file
        self.resolve = resolve
        self.findings = findings
        self.plugins_at_root = plugins_at_root
        self.base_path = base_path
        self.depth = depth
        self.substitute = substitute
        self.parent = parent
        self.line = 1
        self.stack: list[_Frame] = []

    # --- errors ------------------------------------------------------------------
    def fail(self, message: str, path: tuple[str | int, ...] | None = None, line: int | None = None,
             *, brackets: bool = False) -> HoconError:
        """A syntax error at the current line (or ``line``), labelled with ``path``."""
        label = ""
        if path:
            label = self.label(path[:_LABEL_PARTS]) + ("…" if len(path) > _LABEL_PARTS else "")
        issue = ConfigIssue(self.file, line or self.line, label, f"syntax error: {message}")
        return HoconError(issue, brackets)

    def label(self, path: tuple[str | int, ...]) -> str:
        """``source.FakeSource.rows[2]`` for ``("source", 0, "rows", 2)``."""
        if len(path) >= 2 and path[0] in PLUGIN_BLOCKS and isinstance(path[1], int):
            name = self.plugin_name(str(path[0]), path[1])
            if name is not None:
                return option_label(f"{path[0]}.{name}", path[2:])
        return render_path(path)

    def plugin_name(self, block: str, index: int) -> str | None:
        """The name of a plugin of the job's ``block`` seen so far (by this file or one including it)."""
        parser: Parser | None = self
        while parser is not None:
            for frame in parser.stack:
                if frame.kind == PLUGINS and frame.path == (block,):
                    seen = frame.node.names or []
                    return seen[index] if index < len(seen) else (frame.key if index == len(seen) else None)
            if parser.parent is None and parser.stack:
                node = parser.stack[0].node.kid(block)
                names = node.names if node is not None else None
                return names[index] if names and index < len(names) else None
            parser = parser.parent
        return None

    def describe(self, frame: _Frame) -> tuple[str | int, ...]:
        """Path of the value being written in ``frame``."""
        if frame.kind == OBJECT:
            return (*frame.path, frame.key)
        return (*frame.path, len(frame.obj))

    # --- main loop -----------------------------------------------------------------
    def parse(self) -> tuple[dict[str, Any], LineNode]:
        """The file's object and the lines of its keys; raise :class:`HoconError` at a syntax error."""
        tokens = tokenize(self.text)
        for i, tok in enumerate(tokens):
            if tok[0] == "\n" or tok[0] == "#" or tok.startswith("//"):
                continue
            if tok[0] == "{":
                tokens[i] = _ROOT_BRACE
            elif tok[0] == "[":
                raise self.fail("a job file is an object, not an array (expected key = value, blocks in { })",
                                line=1 + "".join(tokens[:i]).count("\n"))
            break
        root = _Frame(OBJECT, {}, LineNode({}), self.base_path, 1)
        stack = self.stack
        stack.append(root)
        closed = False
        it = iter(tokens)
        for tok in it:
            c = tok[0]
            f = stack[-1]
            if c == "\n":
                self.line += tok.count("\n")
                st = f.state
                if st == MORE:
                    self.finish(f)
                elif st == INCLUDE:
                    self.include(f)
                continue
            if c == '"':
                if tok.startswith('"""'):
                    self.triple(f, tok)
                else:
                    self.quoted(f, tok)
                continue
            if c == "{" or c == "[":
                self.open(f, c)
                continue
            if c == "}" or c == "]":
                if self.close(f, c, tok):
                    closed = True
                    break
                continue
            if c == ",":
                self.comma(f)
                continue
            if c == "=" or (c == "+" and tok.startswith("+=")):
                self.equals(f, tok.rstrip())
                continue
            if c == "#" or tok.startswith("//"):
                continue
            if c == "$" and tok.startswith("${"):
                self.substitution(f, tok)
                continue
            if tok == _ROOT_BRACE:
                root.brace_form = True
                continue
            if c in "`^?!@*&\\$" or c.isspace():
                self.unexpected(f, tok)
            self.unquoted(f, tok)
        if closed:
            for tok in it:
                if tok[0] == "\n":
                    self.line += tok.count("\n")
                elif tok[0] != "#" and not tok.startswith("//"):
                    raise self.fail(f"{tok.strip()!r} after the '}}' that closes the file "
                                    "(expected the end of the file)")
            return root.obj, root.node
        self.end_of_file(root)
        return root.obj, root.node

    def end_of_file(self, root: _Frame) -> None:
        """Check that every block is closed and finish the last field."""
        stack = self.stack
        if len(stack) > 1 or root.brace_form:
            frame = stack[-1]
            closer = "]" if frame.kind == ARRAY else "}"
            opener = "[" if frame.kind == ARRAY else "{"
            path = frame.path if len(stack) > 1 else ()
            raise self.fail(f"the '{opener}' opened here is never closed (expected '{closer}' before the end of "
                            "the file)", path, frame.line, brackets=True)
        self.end_field(root)

    def end_field(self, f: _Frame) -> None:
        """A field or element ends (newline, comma, closing bracket, end of file)."""
        st = f.state
        if st == MORE:
            self.finish(f)
        elif st == INCLUDE:
            self.include(f)
        elif st == SEP and f.kind == OBJECT:
            raise self.fail(f"key {f.key!r} without a value (expected {f.key} = value or {f.key} {{ … }})",
                            self.describe(f), f.key_line)
        elif st == SEP or (st == VALUE and f.kind == PLUGINS):
            raise self.fail(f"plugin {f.key!r} without a block (expected {f.key} {{ … }})", f.path, f.key_line)
        elif st == VALUE and f.kind == OBJECT:
            raise self.fail(f"missing value after '{f.op}' (expected a value on the same line)", self.describe(f),
                            f.key_line)

    # --- tokens ------------------------------------------------------------------------
    def comma(self, f: _Frame) -> None:
        if f.state == MORE or f.state == INCLUDE or f.state == SEP or (f.state == VALUE and f.kind != ARRAY):
            self.end_field(f)

    def equals(self, f: _Frame, op: str) -> None:
        if f.state == SEP:
            if f.kind == PLUGINS and op == "+=":
                raise self.fail(f"'+=' after plugin {f.key!r} (expected {f.key} {{ … }})", f.path)
            f.state = VALUE
            f.op = op
            return
        if f.state == INCLUDE:
            raise self.fail(f"'{op}' in an include (expected include \"file\")")
        what = "a key" if f.state == KEY else "a value"
        raise self.fail(f"unexpected '{op}' (expected {what})", f.path)

    def unexpected(self, f: _Frame, tok: str) -> None:
        char = tok.strip() or repr(tok[0])
        hint = "a quoted string: \"…\"" if char != "$" else "${name}"
        where = self.describe(f) if f.state in (VALUE, MORE) and f.kind != PLUGINS else f.path
        raise self.fail(f"unexpected character {char!r} (expected {hint})", where)

    def unquoted(self, f: _Frame, tok: str) -> None:
        st = f.state
        s = tok.rstrip()
        if st in (MORE, VALUE):
            if f.kind == PLUGINS:
                raise self.fail(f"{s!r} after plugin {f.key!r} (expected {f.key} {{ … }})", f.path)
            self.part(f, unquoted_value(s), tok, None, s)
            return
        if st == KEY:
            if f.kind == OBJECT and s.lower() == "include":
                f.state = INCLUDE
                f.key_line = self.line
                f.incl = []
                return
            key, colon, rest = s.partition(":")
            if not key:
                raise self.fail(f"unexpected {s!r} (expected a key)", f.path)
            f.key = key
            f.key_line = self.line
            f.state = SEP
            if colon:
                self.separator(f, ":" + rest, tok)
            return
        if st == SEP and s.startswith(":"):
            self.separator(f, s, tok)
            return
        if st == INCLUDE:
            f.incl.append(s)
            return
        if f.kind == PLUGINS:
            raise self.fail(f"plugin {f.key!r} without a block before {s!r} (expected {f.key} {{ … }})",
                            f.path, f.key_line)
        raise self.fail(f"key {f.key!r} without a value before {s!r} (expected {f.key} = value)",
                        self.describe(f), f.key_line)

    def separator(self, f: _Frame, s: str, tok: str) -> None:
        """``:`` after a key, possibly glued to the start of the value (``a:1``)."""
        f.state = VALUE
        f.op = "="
        rest = s[1:]
        if rest:
            if f.kind == PLUGINS:
                raise self.fail(f"{rest!r} after plugin {f.key!r} (expected {f.key} {{ … }})", f.path)
            ws = tok[len(tok.rstrip()):]
            self.part(f, unquoted_value(rest), rest + ws, None, rest)

    def quoted(self, f: _Frame, tok: str) -> None:
        s = tok.rstrip()
        if not is_closed_quote(s):
            where = self.describe(f) if f.state in (VALUE, MORE) and f.kind != PLUGINS else f.path
            raise self.fail(f"string {s[:40]!r} is not closed (expected a closing '\"' on the same line)", where)
        value = quoted_value(s)
        st = f.state
        if st in (VALUE, MORE):
            if f.kind == PLUGINS:
                raise self.fail(f"{s!r} after plugin {f.key!r} (expected {f.key} {{ … }})", f.path)
            if self.substitute and "${" in value:
                value = self.in_string(f, value)
            self.part(f, value, tok, None, value)
        elif st == KEY:
            f.key = value
            f.key_line = self.line
            f.state = SEP
        elif st == INCLUDE:
            f.incl.append(s)
        else:
            raise self.fail(f"key {f.key!r} without a value before {s!r} (expected {f.key} = value)",
                            self.describe(f), f.key_line)

    def triple(self, f: _Frame, tok: str) -> None:
        s = tok.rstrip()
        if len(s) < 6 or not s.endswith('"""'):
            raise self.fail('a """ string is never closed (expected """ to end it)', f.path)
        if f.state not in (VALUE, MORE) or f.kind == PLUGINS:
            raise self.fail('unexpected """ string (expected a key)', f.path)
        value = s[3:-3]
        if self.substitute and "${" in value:
            value = self.in_string(f, value)
        self.part(f, value, tok, None, value)
        self.line += tok.count("\n")

    def in_string(self, f: _Frame, value: str) -> str:
        """Substitute variables in a quoted string; names left as written are noted."""
        unset: list[str] = []
        result = substitute_in_string(value, self.resolve, unset)
        whole = value.strip()
        for name in unset:
            self.findings.unset_quoted.append(
                (self.file, self.line, self.describe(f), name, whole == f"${{{name}}}"))
        return result

    def substitution(self, f: _Frame, tok: str) -> None:
        s = tok.rstrip()
        if f.state not in (VALUE, MORE) or f.kind == PLUGINS:
            raise self.fail(f"unexpected {s!r} (a variable stands for a value, expected key = {s})", f.path)
        match = SUBSTITUTION.fullmatch(s)
        if not match:
            raise self.fail(f"bad variable {s!r} (expected ${{name}} or ${{name:default}})", self.describe(f))
        optional, name, default = match.group(1), match.group(2).strip(), match.group(3)
        value = self.resolve(name) if self.substitute else None
        if value is None:
            value = default
        if value is None:
            if optional:
                self.part(f, _OMIT, tok, None, "")
                return
            self.findings.unresolved.append(ConfigIssue(
                self.file, self.line, "",
                f"variable ${{{name}}} is not set "
                f"(expected -i {name}=VALUE, an environment variable {name}, or ${{{name}:default}})"))
            self.part(f, None, tok, None, s)
            return
        typed, is_array = typed_variable(value)
        if is_array:
            try:
                data, _ = Parser(f"v = {typed}", self.file, lambda _n: None, Findings(), substitute=False).parse()
                typed = data.get("v", typed)
            except HoconError:
                typed = value
        self.part(f, typed, tok, None, value)

    # --- values --------------------------------------------------------------------------
    def part(self, f: _Frame, value: Any, tok: str, vnode: LineNode | None, text: str | None) -> None:
        """One more piece of the value being written (most values have one)."""
        if f.state == MORE:
            if value is f.val and vnode is not None:  # `{ … } { … }` was parsed into the same object
                return
            if f.parts is None:
                f.parts = [(f.val, f.tok, f.vnode, f.text)]
            f.parts.append((value, tok, vnode, text))
            return
        f.val = value
        f.tok = tok
        f.vnode = vnode
        f.text = text
        f.parts = None
        f.state = MORE
        if f.kind == ARRAY and vnode is None:  # a container element's line is where it opened
            f.key_line = self.line

    def finish(self, f: _Frame) -> None:
        """The value of the current field or element is complete: store it."""
        if f.parts is None:
            value, vnode = f.val, f.vnode
        else:
            value, vnode = self.concatenate(f)
        f.parts = None
        f.val = f.vnode = None
        if f.kind == ARRAY:
            f.state = VALUE
            if value is not _OMIT:
                f.obj.append(value)
                f.node.lines.append(f.key_line)  # type: ignore[union-attr]
                if vnode is not None:
                    f.node.set_kid(len(f.obj) - 1, vnode)
            return
        f.state = KEY
        if value is _OMIT:
            return
        if f.op == "+=":
            self.append(f, value, vnode)
            return
        obj, node, key = f.obj, f.node, f.key
        old = obj.get(key)
        if type(value) is dict and type(old) is dict and value is not old and vnode is not None:
            old_node = node.kid(key)
            if old_node is not None:
                merge_into(old, old_node, value, vnode)
                value, vnode = old, old_node
        obj[key] = value
        node.lines[key] = f.key_line  # type: ignore[call-overload]
        if vnode is not None:
            node.set_kid(key, vnode)
        elif node.kids and key in node.kids:
            del node.kids[key]

    def append(self, f: _Frame, value: Any, vnode: LineNode | None) -> None:
        """``key += value``: append to the array (start one when the key is not set)."""
        old = f.obj.get(f.key)
        old_node = f.node.kid(f.key)
        if f.key not in f.obj:
            old, old_node = [], LineNode([])
            f.obj[f.key] = old
            f.node.lines[f.key] = f.key_line  # type: ignore[call-overload]
            f.node.set_kid(f.key, old_node)
        if not isinstance(old, list) or old_node is None:
            raise self.fail(f"'+=' appends to an array, but {f.key} is {type(old).__name__} "
                            "(expected an array or no value before)", self.describe(f), f.key_line)
        old.append(value)
        old_node.lines.append(f.key_line)  # type: ignore[union-attr]
        if vnode is not None:
            old_node.set_kid(len(old) - 1, vnode)

    def concatenate(self, f: _Frame) -> tuple[Any, LineNode | None]:
        """Several values on one line: join strings, append arrays, merge objects."""
        parts = [p for p in f.parts or () if p[0] is not _OMIT]
        if not parts:
            return _OMIT, None
        kinds = {"object" if type(v) is dict else "array" if type(v) is list else "text" for v, _, _, _ in parts}
        if len(kinds) > 1:
            raise self.fail(f"cannot join {' and '.join(sorted(kinds))} in one value "
                            "(expected a separate line or a comma between values)", self.describe(f))
        kind = kinds.pop()
        if kind == "text":
            pieces = []
            for i, (value, tok, _, text) in enumerate(parts):
                pieces.append(text if text is not None else ("" if value is None else str(value)))
                if i < len(parts) - 1:
                    pieces.append(tok[len(tok.rstrip()):])
            return "".join(pieces), None
        first, first_node = parts[0][0], parts[0][2] or LineNode({} if kind == "object" else [])
        for value, _, vnode, _ in parts[1:]:
            vnode = vnode or LineNode({} if kind == "object" else [])
            if kind == "object":
                merge_into(first, first_node, value, vnode)
                continue
            offset = len(first)
            first.extend(value)
            first_node.lines.extend(vnode.lines)  # type: ignore[union-attr]
            for index, kid in (vnode.kids or {}).items():
                first_node.set_kid(offset + index, kid)
        return first, first_node

    # --- blocks ------------------------------------------------------------------------
    def open(self, f: _Frame, bracket: str) -> None:
        st = f.state
        if st == INCLUDE:
            raise self.fail(f"unexpected '{bracket}' in an include (expected include \"file\")")
        if f.kind == PLUGINS:
            if bracket != "{" or st == KEY:
                raise self.fail(f"unexpected '{bracket}' (expected a plugin: Name {{ … }})", f.path)
            self.push(OBJECT, {}, LineNode({}), (*f.path, len(f.obj)), brace_form=True)
            return
        brace_form = False
        if st == KEY:
            raise self.fail(f"'{bracket}' without a key (expected key = {bracket} … )", f.path)
        if st == SEP:
            if bracket == "[":
                raise self.fail(f"'[' right after key {f.key!r} (expected {f.key} = [ … ])", self.describe(f))
            f.state = st = VALUE
            f.op = "="
            brace_form = True
        if f.kind == ARRAY and st == MORE and bracket == "{" and type(f.val) is dict and f.parts is None:
            self.finish(f)  # SeaTunnel: `{ … } { … }` in an array are two elements
            st = VALUE
        path = self.describe(f)
        if f.kind == ARRAY and st == VALUE:
            f.key_line = self.line
        if bracket == "[":
            self.push(ARRAY, [], LineNode([]), path)
            return
        if (st == VALUE and f.kind == OBJECT and f.op == "=" and len(self.stack) == 1 and self.plugins_at_root
                and f.key.lower() in PLUGIN_BLOCKS):
            plugins = LineNode([])
            plugins.names = []
            frame = self.push(PLUGINS, [], plugins, (f.key.lower(),))
            frame.brace_form = brace_form
            return
        target: dict[str, Any] | None = None
        node: LineNode | None = None
        if st == VALUE and f.kind == OBJECT and f.op == "=":
            old = f.obj.get(f.key)
            if type(old) is dict:
                target, node = old, f.node.kid(f.key)
        elif st == MORE and type(f.val) is dict and f.parts is None:
            target, node = f.val, f.vnode
        if target is None or node is None:
            target, node = {}, LineNode({})
        self.push(OBJECT, target, node, path, brace_form=brace_form)

    def push(self, kind: int, obj: Any, node: LineNode, path: tuple[str | int, ...], *,
             brace_form: bool = False) -> _Frame:
        if len(self.stack) + self.depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep (expected at most {MAX_DEPTH} nested "
                            "blocks and arrays)", path, brackets=True)
        frame = _Frame(kind, obj, node, path, self.line)
        frame.brace_form = brace_form
        self.stack.append(frame)
        return frame

    def close(self, f: _Frame, bracket: str, tok: str) -> bool:
        """Close the innermost block; ``True`` when it was the ``{`` wrapping the whole file."""
        if len(self.stack) == 1 and not f.brace_form:
            raise self.fail(f"unexpected '{bracket}' (no block is open here)", brackets=True)
        expected = "]" if f.kind == ARRAY else "}"
        if bracket != expected:
            opener = "[" if f.kind == ARRAY else "{"
            raise self.fail(f"'{bracket}' does not close the '{opener}' opened on line {f.line} "
                            f"(expected '{expected}')", f.path if len(self.stack) > 1 else None, brackets=True)
        self.end_field(f)
        if len(self.stack) == 1:
            return True
        self.stack.pop()
        parent = self.stack[-1]
        if parent.kind == PLUGINS:
            names = parent.node.names
            assert names is not None
            parent.obj.append(f.obj)
            parent.node.lines.append(parent.key_line)  # type: ignore[union-attr]
            names.append(parent.key)
            parent.node.set_kid(len(parent.obj) - 1, f.node)
            parent.state = KEY
            return False
        self.part(parent, f.obj, tok, f.node, None)
        if f.brace_form:
            self.finish(parent)
        return False

    def include(self, f: _Frame) -> None:
        """``include …`` is complete: merge the included file's object here."""
        from .includes import read_include  # the includes module parses with this one

        f.state = KEY
        spec = "".join(f.incl)
        data, node = read_include(self, spec, f.key_line, f.path, at_root=len(self.stack) == 1)
        if data is not None and node is not None:
            merge_into(f.obj, f.node, data, node)


def parse(text: str, file: str, resolve: Resolver, findings: Findings | None = None, *,
          substitute: bool = True) -> tuple[dict[str, Any], LineNode, Findings]:
    """Parse a job file's text; raise :class:`HoconError` at the first syntax error."""
    findings = findings if findings is not None else Findings()
    data, node = Parser(text, file, resolve, findings, substitute=substitute).parse()
    return data, node, findings
