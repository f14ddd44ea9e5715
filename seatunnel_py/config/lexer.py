"""Tokens of SeaTunnel's HOCON and the values they stand for.

The whole text is cut into tokens by one regular expression (``findall`` runs in C), so
the parser's Python loop only looks at the first character of each token. Every token
carries the horizontal whitespace that follows it, which value concatenation needs
(``a = foo  bar`` is ``"foo  bar"``); a newline token carries the blank lines and the
indentation after it. Every character of the text belongs to exactly one token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

TOKEN = re.compile(
    r"""
    (?: \n\s*                              # newlines, with the blank lines and indentation after them
      | \#[^\n]* | //[^\n]*                # comments
      | \"\"\"[\s\S]*?\"\"\"+              # triple-quoted string (quotes before the closing three belong to it)
      | \"\"\"[\s\S]*                      # ... never closed: runs to the end (reported as an error)
      | "(?:[^"\\\n]|\\[^\n])*"?           # quoted string (without its closing quote when never closed)
      | \$\{[^}\n]*\}?                     # substitution
      | \+= | [{}\[\],=]
      | (?:[^\s{}\[\],="\#$\\`^?!@*&+]|\+(?!=))+   # unquoted text (':' and '/' included, as pyhocon reads it)
      | .                                  # any other character (an error where it stands)
    ) [^\S\n]*
    """,
    re.VERBOSE,
)

LEADING_SPACE = re.compile(r"[^\S\n]*")
CHUNK = 1 << 20

NUMBER = re.compile(r"[+-]?(?:\d*\.\d+|\d+(?:\.\d+)?)(?:[eE][+-]?\d+)?")

SUBSTITUTION = re.compile(r"\$\{(\??)([^{}:]+?)(?::([^}]*))?\}")
"""``${name}``, ``${?name}``, ``${name:default}`` (the default is SeaTunnel's extension)."""

_TYPED = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null", re.IGNORECASE)
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}

Resolver = Callable[[str], "str | None"]
"""Looks a variable up (``-i`` variables, then the environment); ``None`` when unset."""


def token_chunks(text: str, chunk: int = CHUNK) -> Iterator[list[str]]:
    """The tokens of ``text``, a list per ``chunk`` characters or so (a byte-order mark is skipped).

    Cutting the text keeps memory small (a list of every token of 10 MB holds 2.5 million
    strings). Chunks end before a newline, where no token but a \"\"\" string continues;
    a chunk that ends inside one is cut before that string instead.
    """
    pos = 1 if text.startswith("\ufeff") else 0
    start = LEADING_SPACE.match(text, pos)
    pos = start.end() if start else pos
    size = len(text)
    while pos < size:
        end = text.find("\n", pos + chunk)
        end = size if end < 0 else end
        tokens = TOKEN.findall(text, pos, end)
        last = tokens[-1] if tokens else ""
        if end < size and last.startswith('"""') and not _closed_triple(last):
            tokens.pop()
            pos = end - len(last)
            close = text.find('"""', pos + 3)
            if tokens:
                yield tokens
            if close < 0:  # never closed: the rest of the text is one token
                yield TOKEN.findall(text, pos)
                return
            end = text.find("\n", close + 3)
            end = size if end < 0 else end
            tokens = TOKEN.findall(text, pos, end)
        if tokens:
            yield tokens
        pos = end


def _closed_triple(token: str) -> bool:
    body = token.rstrip()
    return len(body) >= 6 and body.endswith('"""')


def unquoted_value(text: str) -> object:
    """The value of an unquoted token: a number, ``true``/``false``/``null`` (any case) or the text."""
    first = text[0]
    if first in "0123456789+-." and NUMBER.fullmatch(text):
        try:
            return int(text, 10)
        except ValueError:
            return float(text)
    if len(text) <= 5 and first in "tTfFnN":
        lowered = text.lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
        if lowered == "null":
            return None
    return text


def _unescape(match: re.Match[str]) -> str:
    char = match.group(1)
    return _ESCAPES.get(char, char)


def quoted_value(token: str) -> str:
    """The text of a complete quoted token (``"…"``, trailing whitespace already removed).

    JSON escapes are decoded as SeaTunnel decodes them; any other escaped character
    stands for itself (``\\=``, ``\\#``, as pyhocon reads them).
    """
    body = token[1:-1]
    if "\\" not in body:
        return body
    try:
        value = json.loads(token)
    except ValueError:
        return _ESCAPE.sub(_unescape, body)
    return value if isinstance(value, str) else body


def is_closed_quote(token: str) -> bool:
    """Whether a quoted token (whitespace removed) ends with its own closing quote."""
    if len(token) < 2 or token[-1] != '"':
        return False
    if token[-2] != "\\":
        return True
    backslashes = len(token) - 1 - len(token[:-1].rstrip("\\"))
    return backslashes % 2 == 0


PREFIXES = ("env", "file")
"""``${env:NAME}`` (an environment variable) and ``${file:PATH}`` (a file's contents, for
mounted secrets) are references, not a variable ``env`` with a default."""


def reference(name: str, default: str | None) -> tuple[str, str | None]:
    """``(name, default)`` of a ``${…}``, with ``env:`` / ``file:`` references kept whole as the name."""
    if name in PREFIXES and default:
        return f"{name}:{default.strip()}", None
    return name, default


def substitute_in_string(text: str, resolve: Resolver, unset: list[str] | None = None) -> str:
    """Replace ``${name}`` / ``${name:default}`` inside a quoted string.

    A name no variable defines and without a default is kept as written, so sink
    placeholders such as ``${table_name}`` survive (SeaTunnel keeps them too); its name
    is added to ``unset`` when given.
    """

    def replace(match: re.Match[str]) -> str:
        name, default = reference(match.group(2).strip(), match.group(3))
        value = resolve(name)
        if value is None:
            value = default
        if value is None:
            if unset is not None:
                unset.append(name)
            return match.group(0)
        return value

    return SUBSTITUTION.sub(replace, text)


def typed_variable(value: str) -> tuple[object, bool]:
    """What an unquoted ``${name}`` stands for: ``(value, is_inline_array_text)``.

    A value that reads as a number, boolean or null keeps that type; ``[a, b]`` on one
    line is an array (the caller parses it); anything else is a string, as written.
    """
    text = value.strip()
    if _TYPED.fullmatch(text):
        return unquoted_value(text), False
    if text.startswith("[") and text.endswith("]") and "\n" not in text:
        return text, True
    return value, False
