"""Values of a job file: strings, numbers, variables, concatenation, storing a field.

The base of :class:`~.hocon.Parser`: the parser decides where a value starts and ends,
this class turns its tokens into the value and stores it with its line.
"""

from __future__ import annotations

from typing import Any

from .frames import (
    ARRAY,
    INCLUDE,
    KEY,
    LABEL_PARTS,
    MORE,
    OBJECT,
    OMIT,
    PLUGIN_BLOCKS,
    PLUGINS,
    SEP,
    VALUE,
    Findings,
    Frame,
    HoconError,
)
from .issues import ConfigIssue, option_label, render_path
from .lexer import (
    SUBSTITUTION,
    Resolver,
    is_closed_quote,
    quoted_value,
    reference,
    substitute_in_string,
    typed_variable,
)
from .lines import LineNode, flat_node, merge_into


class ValueReader:
    """Reads values and stores fields for a parser of one file."""

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
        parent: ValueReader | None = None,
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
        self.stack: list[Frame] = []

    # --- errors ------------------------------------------------------------------
    def fail(self, message: str, path: tuple[str | int, ...] | None = None, line: int | None = None,
             *, brackets: bool = False) -> HoconError:
        """A syntax error at the current line (or ``line``), labelled with ``path``."""
        label = ""
        if path:
            label = self.label(path[:LABEL_PARTS]) + ("…" if len(path) > LABEL_PARTS else "")
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
        parser: ValueReader | None = self
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

    def describe(self, frame: Frame) -> tuple[str | int, ...]:
        """Path of the value being written in ``frame``."""
        if frame.kind == OBJECT:
            return (*frame.path, frame.key)
        return (*frame.path, len(frame.obj))

    def quoted(self, f: Frame, tok: str) -> None:
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

    def triple(self, f: Frame, tok: str) -> None:
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

    def in_string(self, f: Frame, value: str) -> str:
        """Substitute variables in a quoted string; names left as written are noted."""
        unset: list[str] = []
        result = substitute_in_string(value, self.resolve, unset)
        whole = value.strip()
        for name in unset:
            self.findings.unset_quoted.append(
                (self.file, self.line, self.describe(f), name, whole == f"${{{name}}}"))
        return result

    def substitution(self, f: Frame, tok: str) -> None:
        s = tok.rstrip()
        if f.state not in (VALUE, MORE) or f.kind == PLUGINS:
            raise self.fail(f"unexpected {s!r} (a variable stands for a value, expected key = {s})", f.path)
        match = SUBSTITUTION.fullmatch(s)
        if not match:
            raise self.fail(f"bad variable {s!r} (expected ${{name}} or ${{name:default}})", self.describe(f))
        optional = match.group(1)
        name, default = reference(match.group(2).strip(), match.group(3))
        value = self.resolve(name) if self.substitute else None
        if value is None:
            value = default
        if value is None:
            if optional:
                self.part(f, OMIT, tok, None, "")
                return
            self.findings.unresolved.append(ConfigIssue(
                self.file, self.line, "",
                f"variable ${{{name}}} is not set "
                f"(expected -i {name}=VALUE, an environment variable {name}, or ${{{name}:default}})"))
            self.part(f, None, tok, None, s)
            return
        typed, is_array = typed_variable(value)
        if is_array:
            from .hocon import Parser  # a list in a variable is read like one in the file

            try:
                data, _ = Parser(f"v = {typed}", self.file, lambda _n: None, Findings(), substitute=False).parse()
                typed = data.get("v", typed)
            except HoconError:
                typed = value
        self.part(f, typed, tok, None, value)
    # --- storing values --------------------------------------------------------------------------
    def part(self, f: Frame, value: Any, tok: str, vnode: LineNode | None, text: str | None) -> None:
        """One more piece of the value being written (most values have one)."""
        if f.state == MORE:
            if value is f.val and vnode is not None:  # `{ … } { … }` was parsed into the same object
                f.vnode = vnode
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

    def finish(self, f: Frame) -> None:
        """The value of the current field or element is complete: store it."""
        if f.parts is None:
            value, vnode = f.val, f.vnode
        else:
            value, vnode = self.concatenate(f)
        f.parts = None
        f.val = f.vnode = None
        if f.kind == ARRAY:
            f.state = VALUE
            if value is not OMIT:
                f.obj.append(value)
                f.node.lines.append(f.key_line)  # type: ignore[union-attr]
                if vnode is not None:
                    f.node.set_kid(len(f.obj) - 1, vnode)
            return
        f.state = KEY
        if value is OMIT:
            return
        if f.op == "+=":
            self.append(f, value, vnode)
            return
        obj, node, key = f.obj, f.node, f.key
        old = obj.get(key)
        if type(value) is dict and type(old) is dict and value is not old:
            old_node = node.kid(key) or flat_node(old, node.lines[key])  # type: ignore[call-overload]
            merge_into(old, old_node, value, vnode or flat_node(value, f.key_line))
            value, vnode = old, old_node
        obj[key] = value
        node.lines[key] = f.key_line  # type: ignore[call-overload]
        if vnode is not None:
            node.set_kid(key, vnode)
        elif node.kids and key in node.kids:
            del node.kids[key]

    def append(self, f: Frame, value: Any, vnode: LineNode | None) -> None:
        """``key += value``: append to the array (start one when the key is not set)."""
        if f.key not in f.obj:
            f.obj[f.key] = []
            f.node.lines[f.key] = f.key_line  # type: ignore[call-overload]
        old = f.obj[f.key]
        if not isinstance(old, list):
            raise self.fail(f"'+=' appends to an array, but {f.key} is {type(old).__name__} "
                            "(expected an array or no value before)", self.describe(f), f.key_line)
        old_node = f.node.kid(f.key)
        if old_node is None:
            old_node = flat_node(old, f.node.lines[f.key])  # type: ignore[call-overload]
            f.node.set_kid(f.key, old_node)
        old.append(value)
        old_node.lines.append(f.key_line)  # type: ignore[union-attr]
        if vnode is not None:
            old_node.set_kid(len(old) - 1, vnode)

    def concatenate(self, f: Frame) -> tuple[Any, LineNode | None]:
        """Several values on one line: join strings, append arrays, merge objects."""
        parts = [p for p in f.parts or () if p[0] is not OMIT]
        if not parts:
            return OMIT, None
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
        first, first_node = parts[0][0], parts[0][2] or flat_node(parts[0][0], f.key_line)
        for value, _, vnode, _ in parts[1:]:
            vnode = vnode or flat_node(value, f.key_line)
            if kind == "object":
                merge_into(first, first_node, value, vnode)
                continue
            offset = len(first)
            first.extend(value)
            first_node.lines.extend(vnode.lines)  # type: ignore[union-attr]
            for index, kid in (vnode.kids or {}).items():
                first_node.set_kid(offset + index, kid)
        return first, first_node
