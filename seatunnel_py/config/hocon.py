"""A one-pass parser for SeaTunnel's HOCON dialect, keeping the line of every key and element.

SeaTunnel's HOCON differs from the standard (reference §1.2): dotted keys are literal
(``row.num``), and the ``source`` / ``transform`` / ``sink`` blocks are ordered lists in
which a plugin name may repeat (``source { A { … } B { … } }``); inside an array, ``{ … }``
followed by ``{ … }`` on one line are two elements (job files often omit the comma).

This parser replaced pyhocon (which took about 19 s per megabyte of rows: pyparsing tries every
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

import gc
from collections.abc import Iterator
from itertools import chain
from typing import Any

from .frames import (
    ARRAY,
    INCLUDE,
    KEY,
    MAX_DEPTH,
    MORE,
    OBJECT,
    PLUGIN_BLOCKS,
    PLUGINS,
    ROOT_BRACE,
    SEP,
    VALUE,
    Findings,
    Frame,
    HoconError,
)
from .lexer import Resolver, token_chunks, unquoted_value
from .lines import LineNode, flat_node, merge_into
from .values import ValueReader

__all__ = ["MAX_DEPTH", "PLUGIN_BLOCKS", "Findings", "HoconError", "Parser", "parse"]


class Parser(ValueReader):
    """Parse one file's text into ``(data, lines)``; :meth:`parse` raises :class:`HoconError`."""

    # --- main loop -----------------------------------------------------------------
    def tokens(self) -> Iterator[str]:
        """The file's tokens; the ``{`` that wraps a whole file is marked, a root array refused."""
        chunks = token_chunks(self.text)
        seen: list[list[str]] = []
        line = 1
        for chunk in chunks:
            seen.append(chunk)
            for i, tok in enumerate(chunk):
                c = tok[0]
                if c == "\n":
                    line += tok.count("\n")
                    continue
                if c == "#" or tok.startswith("//"):
                    continue
                if c == "{":
                    chunk[i] = ROOT_BRACE
                elif c == "[":
                    raise self.fail("a job file is an object, not an array (expected key = value, blocks in { })",
                                    line=line)
                return chain(chain.from_iterable(seen), chain.from_iterable(chunks))
        return chain.from_iterable(seen)

    def parse(self) -> tuple[dict[str, Any], LineNode]:
        """The file's object and the lines of its keys; raise :class:`HoconError` at a syntax error."""
        root = Frame(OBJECT, {}, LineNode({}), self.base_path, 1)
        stack = self.stack
        stack.append(root)
        closed = False
        it = self.tokens()
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
            if tok == ROOT_BRACE:
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

    def end_of_file(self, root: Frame) -> None:
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

    def end_field(self, f: Frame) -> None:
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
    def comma(self, f: Frame) -> None:
        if f.state == MORE or f.state == INCLUDE or f.state == SEP or (f.state == VALUE and f.kind != ARRAY):
            self.end_field(f)

    def equals(self, f: Frame, op: str) -> None:
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

    def unexpected(self, f: Frame, tok: str) -> None:
        char = tok.strip() or repr(tok[0])
        hint = "a quoted string: \"…\"" if char != "$" else "${name}"
        where = self.describe(f) if f.state in (VALUE, MORE) and f.kind != PLUGINS else f.path
        raise self.fail(f"unexpected character {char!r} (expected {hint})", where)

    def unquoted(self, f: Frame, tok: str) -> None:
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

    def separator(self, f: Frame, s: str, tok: str) -> None:
        """``:`` after a key, possibly glued to the start of the value (``a:1``)."""
        f.state = VALUE
        f.op = "="
        rest = s[1:]
        if rest:
            if f.kind == PLUGINS:
                raise self.fail(f"{rest!r} after plugin {f.key!r} (expected {f.key} {{ … }})", f.path)
            ws = tok[len(tok.rstrip()):]
            self.part(f, unquoted_value(rest), rest + ws, None, rest)

    # --- blocks ------------------------------------------------------------------------
    def open(self, f: Frame, bracket: str) -> None:
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
        if st == VALUE and f.kind == OBJECT and f.op == "=" and type(f.obj.get(f.key)) is dict:
            old = f.obj[f.key]  # `key { … }` again: the objects merge
            node = f.node.kid(f.key) or flat_node(old, f.node.lines[f.key])  # type: ignore[call-overload]
            self.push(OBJECT, old, node, path, brace_form=brace_form).fresh = False
        elif st == MORE and type(f.val) is dict and f.parts is None:  # `{ … } { … }`: the objects merge
            self.push(OBJECT, f.val, f.vnode or flat_node(f.val, self.line), path, brace_form=brace_form).fresh = False
        else:
            self.push(OBJECT, {}, LineNode({}), path, brace_form=brace_form)

    def push(self, kind: int, obj: Any, node: LineNode, path: tuple[str | int, ...], *,
             brace_form: bool = False) -> Frame:
        if len(self.stack) + self.depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep (expected at most {MAX_DEPTH} nested "
                            "blocks and arrays)", path, brackets=True)
        frame = Frame(kind, obj, node, path, self.line)
        frame.brace_form = brace_form
        self.stack.append(frame)
        return frame

    def close(self, f: Frame, bracket: str, tok: str) -> bool:
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
        # a container written on one line needs no lines of its own: its key's line says it all
        node = None if f.fresh and f.line == self.line and f.kind != PLUGINS else f.node
        self.part(parent, f.obj, tok, node, None)
        if f.brace_form:
            self.finish(parent)
        return False

    def include(self, f: Frame) -> None:
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
    collecting = gc.isenabled()
    gc.disable()  # the parse only creates objects: collecting while it runs costs a third of its time
    try:
        data, node = Parser(text, file, resolve, findings, substitute=substitute).parse()
    finally:
        if collecting:
            gc.enable()
    return data, node, findings
