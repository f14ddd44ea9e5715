"""A small SQL tokenizer: enough to split SeaTunnel queries into clauses and rewrite them.

Tokens keep their source text, so a query that needs no translation is passed on as
written. Comments are dropped; back-quoted identifiers become double-quoted ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    """What a token is."""

    WORD = "word"
    """An unquoted identifier or keyword."""
    QUOTED = "quoted"
    """A quoted identifier (``"name"`` or ``\u0060name\u0060``); ``value`` is the name."""
    STRING = "string"
    """A string literal; ``value`` is its content."""
    NUMBER = "number"
    OP = "op"
    """An operator or punctuation: ``( ) , . * + - / % || = <> != < <= > >= :: [ ]``."""
    SPACE = "space"


@dataclass(frozen=True)
class Token:
    """One token: its kind, its text as written (or as translated) and its value."""

    kind: Kind
    text: str
    value: str
    pos: int = 0

    @property
    def upper(self) -> str:
        """The word in upper case (``""`` for other kinds)."""
        return self.value.upper() if self.kind == Kind.WORD else ""

    def is_op(self, *ops: str) -> bool:
        """True for one of these operators."""
        return self.kind == Kind.OP and self.value in ops

    def is_word(self, *words: str) -> bool:
        """True for one of these (upper-case) keywords."""
        return self.kind == Kind.WORD and self.value.upper() in words


class TokenizeError(ValueError):
    """The query cannot be split into tokens (an unclosed quote or comment)."""


_PATTERN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<line_comment>--[^\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<string>'(?:[^']|'')*')
  | (?P<dquoted>"(?:[^"]|"")*")
  | (?P<bquoted>`(?:[^`]|``)*`)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<word>[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)
  | (?P<op>\|\||<>|!=|<=|>=|::|->|[-+*/%=<>(),.\[\]:;?{}^&|~!])
    """,
    re.VERBOSE | re.DOTALL,
)


def quote_identifier(name: str) -> str:
    """``name`` as a DuckDB double-quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def quote_string(value: str) -> str:
    """``value`` as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens (whitespace kept as single-space tokens, comments dropped)."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _PATTERN.match(text, pos)
        if match is None:
            snippet = text[pos:pos + 20]
            if text[pos] in "'\"`":
                raise TokenizeError(f"unclosed quote at {snippet!r}")
            if text.startswith("/*", pos):
                raise TokenizeError("unclosed /* comment")
            raise TokenizeError(f"unexpected character {text[pos]!r} at {snippet!r}")
        kind = match.lastgroup
        raw = match.group()
        if kind in ("space", "line_comment", "block_comment"):
            tokens.append(Token(Kind.SPACE, " ", " ", pos))
        elif kind == "string":
            tokens.append(Token(Kind.STRING, raw, raw[1:-1].replace("''", "'"), pos))
        elif kind == "dquoted":
            name = raw[1:-1].replace('""', '"')
            tokens.append(Token(Kind.QUOTED, raw, name, pos))
        elif kind == "bquoted":
            name = raw[1:-1].replace("``", "`")
            tokens.append(Token(Kind.QUOTED, quote_identifier(name), name, pos))
        elif kind == "number":
            tokens.append(Token(Kind.NUMBER, raw, raw, pos))
        elif kind == "word":
            tokens.append(Token(Kind.WORD, raw, raw, pos))
        else:
            tokens.append(Token(Kind.OP, raw, raw, pos))
        pos = match.end()
    return tokens


def significant(tokens: list[Token]) -> list[Token]:
    """The tokens without whitespace."""
    return [t for t in tokens if t.kind != Kind.SPACE]


def join(tokens: list[Token]) -> str:
    """Tokens back to text."""
    return "".join(t.text for t in tokens).strip()


def split_top_level(tokens: list[Token], separator: str = ",") -> list[list[Token]]:
    """Split on ``separator`` operators that are not nested in brackets."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.is_op("(", "["):
            depth += 1
        elif token.is_op(")", "]"):
            depth -= 1
        if depth == 0 and token.is_op(separator):
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def matching_paren(tokens: list[Token], open_index: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``open_index`` (``-1`` when unbalanced)."""
    depth = 0
    for i in range(open_index, len(tokens)):
        if tokens[i].is_op("(", "["):
            depth += 1
        elif tokens[i].is_op(")", "]"):
            depth -= 1
            if depth == 0:
                return i
    return -1
