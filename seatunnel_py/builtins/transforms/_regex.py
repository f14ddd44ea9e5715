"""Java regular expressions and replacement strings, translated for pyarrow and Python.

SeaTunnel's options (Split ``separator``, Replace ``pattern``, FieldRename rules,
RegexExtract ``regex_pattern``) are ``java.util.regex`` patterns. Each one is translated
once to Python ``re`` syntax, which is the reference for its meaning; when RE2 (the
engine behind ``pyarrow.compute``) accepts the translation too, the transforms run it
vectorised, otherwise they fall back to Python ``re`` row by row.

Translated: ``\\Q…\\E`` quoting, ``(?<name>…)`` groups, POSIX classes ``\\p{Alpha}`` …,
``\\h``, ``\\z``/``\\Z``, ``\\e``, ``\\cX``, ``\\x{…}``, inline flags in the middle of a
pattern (``a(?i)b``), and ``$1`` / ``${name}`` in replacements. Java's ``\\w``, ``\\d``,
``\\s``, ``\\b`` and case folding are ASCII-only by default, as with Python's ``re.ASCII``.

Not translated (refused at plan time with the option named): class intersections
(``[a-z&&[^x]]``), Unicode ``\\p{L}`` classes, and anything else Python ``re`` rejects.
Known small differences on the RE2 route: ``$`` does not match before a final newline,
``(?i)`` folds non-ASCII letters too.
"""

from __future__ import annotations

import importlib
import re
import string
import warnings
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ...api.errors import OptionError
from ._common import OptionPath

_POSIX = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": r"\x00-\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": r"!-/:-@\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": r" \t",
    "Cntrl": r"\x00-\x1f\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": r" \t\n\x0b\f\r",
}
_HSPACE = r" \t\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000"
_JAVA_Z = r"(?=(?:\r\n|[\n\r\x85\u2028\u2029])?\Z)"
_META = set(".^$*+?()[]{}|\\-&~#")
_FLAGS = re.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])")
_SCOPED_OK = set("imsx")
_CONTROL = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


def _escape(text: str) -> str:
    """Escape ``text`` so that it matches literally, in or out of a character class."""
    return "".join("\\" + ch if ch in _META else ch for ch in text)


class _Translator:
    """One pass over a Java pattern, writing the Python equivalent."""

    def __init__(self, pattern: str) -> None:
        self.src = pattern
        self.out: list[str] = []
        self.pos = 0
        self.in_class = 0
        # one entry per open group: the inline-flag scopes opened inside it
        self.scopes: list[list[str]] = [[]]
        self.unicode = False

    def run(self) -> str:
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "\\":
                self.escape()
            elif self.in_class:
                self.class_char(ch)
            elif ch == "[":
                self.open_class()
            elif ch == "(":
                self.open_group()
            elif ch == ")":
                self.close_scopes()
                if len(self.scopes) > 1:
                    self.scopes.pop()
                self.emit(")", 1)
            elif ch == "|" and self.scopes[-1]:
                opened = self.scopes[-1]
                self.emit(")" * len(opened) + "|" + "".join(f"(?{s}:" for s in opened), 1)
            else:
                self.emit(ch, 1)
        self.close_scopes()
        return "".join(self.out)

    def emit(self, text: str, advance: int) -> None:
        self.out.append(text)
        self.pos += advance

    def close_scopes(self) -> None:
        self.out.append(")" * len(self.scopes[-1]))
        self.scopes[-1] = []

    def class_char(self, ch: str) -> None:
        if ch == "[":
            self.in_class += 1
        elif ch == "]":
            self.in_class -= 1
        self.emit(ch, 1)

    def open_class(self) -> None:
        self.in_class = 1
        self.emit("[", 1)
        if self.src.startswith("^", self.pos):
            self.emit("^", 1)
        if self.src.startswith("]", self.pos):
            self.emit("\\]", 1)

    def open_group(self) -> None:
        src, pos = self.src, self.pos
        if src.startswith("(?<", pos) and not src.startswith(("(?<=", "(?<!"), pos):
            self.scopes.append([])
            self.emit("(?P<", 3)
            return
        match = _FLAGS.match(src, pos)
        if match is None:
            self.scopes.append([])
            self.emit("(", 1)
            return
        on, off, end = match.group(1), match.group(2) or "", match.group(3)
        if "u" in on or "U" in on:
            self.unicode = True
        on = "".join(f for f in on if f in _SCOPED_OK)
        off = "".join(f for f in off if f in _SCOPED_OK)
        spec = on + (f"-{off}" if off else "")
        self.pos = match.end()
        if end == ":":  # scoped flags (?i:…)
            self.scopes.append([])
            self.out.append(f"(?{spec}:" if spec else "(?:")
        elif not spec:
            pass
        elif pos == 0 and not off:  # global flags at the start: Python takes them as they are
            self.out.append(f"(?{spec})")
        else:  # Java applies mid-pattern flags to the rest of the enclosing group
            self.scopes[-1].append(spec)
            self.out.append(f"(?{spec}:")

    def escape(self) -> None:
        src, pos = self.src, self.pos
        if pos + 1 >= len(src):
            raise re.error("trailing backslash (an escaped character is missing)")
        nxt = src[pos + 1]
        if nxt == "Q":
            end = src.find("\\E", pos + 2)
            literal = src[pos + 2 :] if end < 0 else src[pos + 2 : end]
            self.out.append(_escape(literal))
            self.pos = len(src) if end < 0 else end + 2
        elif nxt in "pP" and src.startswith("{", pos + 2):
            close = src.find("}", pos + 3)
            name = src[pos + 3 : close] if close > 0 else ""
            body = _POSIX.get(name.removeprefix("Is"))
            if body is None:
                raise re.error(f"unsupported character class \\{nxt}{{{name}}}")
            self.class_body(body, negated=nxt == "P", what=f"\\{nxt}{{{name}}}")
            self.pos = close + 1
        elif nxt in "hH":
            self.class_body(_HSPACE, negated=nxt == "H", what=f"\\{nxt}")
            self.pos += 2
        elif nxt == "z" and not self.in_class:
            self.emit("\\Z", 2)
        elif nxt == "Z" and not self.in_class:
            self.emit(_JAVA_Z, 2)
        elif nxt == "e":
            self.emit("\\x1b", 2)
        elif nxt == "c" and pos + 2 < len(src):
            self.emit(_escape(chr(ord(src[pos + 2]) ^ 64)), 3)
        elif nxt == "x" and src.startswith("{", pos + 2):
            close = src.find("}", pos + 3)
            if close < 0:
                raise re.error("unclosed \\x{…}")
            self.emit(f"\\U{int(src[pos + 3 : close], 16):08x}", close + 1 - pos)
        else:
            self.emit(src[pos : pos + 2], 2)

    def class_body(self, body: str, *, negated: bool, what: str) -> None:
        if not self.in_class:
            self.out.append(f"[{'^' if negated else ''}{body}]")
        elif negated:
            raise re.error(f"negated class {what} inside [...] is not supported")
        else:
            self.out.append(body)


def translate_pattern(pattern: str) -> tuple[str, int]:
    """Translate a Java pattern to Python syntax; returns ``(pattern, re flags)``."""
    translator = _Translator(pattern)
    translated = translator.run()
    return translated, 0 if translator.unicode else re.ASCII


def _literal_of(pattern: str) -> str | None:
    """The text a Python pattern matches when it has no metacharacters, else ``None``."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt in _CONTROL:
                out.append(_CONTROL[nxt])
            elif nxt and not nxt.isalnum() and nxt in string.punctuation:
                out.append(nxt)
            else:
                return None
            i += 2
        elif ch in ".^$*+?()[]{}|":
            return None
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _min_width_is_zero(pattern: str, flags: int) -> bool:
    """True when the pattern can match the empty string somewhere (or when unsure)."""
    try:
        parser = importlib.import_module("re._parser")
        return bool(parser.parse(pattern, flags).getwidth()[0] == 0)
    except Exception:  # private module: assume the worst, which only costs speed
        return True


def re2_accepts(pattern: str) -> bool:
    """True when ``pyarrow.compute`` (RE2) compiles ``pattern``."""
    try:
        pc.count_substring_regex(pa.array([""], pa.string()), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


@dataclass(frozen=True)
class JavaRegex:
    """A Java pattern, compiled for Python and (when possible) for pyarrow's RE2."""

    source: str
    python: re.Pattern[str]
    re2: str | None
    """The pattern for ``pyarrow.compute``, or ``None`` when RE2 cannot run it."""
    literal: str | None
    """The plain text the pattern matches when it has no metacharacters."""
    can_match_empty: bool

    @property
    def groups(self) -> int:
        """Number of capturing groups."""
        return self.python.groups


def compile_java(pattern: str, option: OptionPath) -> JavaRegex:
    """Compile a Java pattern; an ``OptionError`` naming ``option`` if it cannot be used."""
    try:
        translated, flags = translate_pattern(pattern)
        with warnings.catch_warnings():
            warnings.simplefilter("error", FutureWarning)
            compiled = re.compile(translated, flags)
    except (re.error, FutureWarning, ValueError, OverflowError) as exc:
        raise OptionError(option, f"invalid or unsupported regular expression {pattern!r}: {exc}") from None
    re2 = translated if flags == re.ASCII and re2_accepts(translated) else None
    return JavaRegex(
        source=pattern,
        python=compiled,
        re2=re2,
        literal=_literal_of(translated),
        can_match_empty=_min_width_is_zero(translated, flags),
    )


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")


@dataclass(frozen=True)
class JavaReplacement:
    """A Java replacement string (``$1``, ``${name}``, ``\\$``) in Python and RE2 form."""

    python: str
    """Template for ``re.Pattern.sub``."""
    re2: str | None
    """Rewrite string for ``pyarrow.compute.replace_substring_regex`` (``None``: not expressible)."""


def java_replacement(text: str, regex: JavaRegex, option: OptionPath) -> JavaReplacement:
    """Translate a Java ``Matcher.replaceAll`` replacement; errors as Java reports them."""
    parts: list[str | int] = []
    groups = regex.groups
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                raise OptionError(option, "character to be escaped is missing (a trailing '\\')")
            parts.append(text[i + 1])
            i += 2
        elif ch == "$":
            i += 1
            if i >= len(text):
                raise OptionError(option, "illegal group reference: group index is missing after '$'")
            if text[i] == "{":
                close = text.find("}", i)
                name = text[i + 1 : close] if close > 0 else ""
                if close < 0 or not _NAME.fullmatch(name):
                    raise OptionError(option, "illegal group reference: expected ${name} with a letter-led name")
                if name not in regex.python.groupindex:
                    raise OptionError(option, f"no group named {name!r} in the pattern")
                parts.append(regex.python.groupindex[name])
                i = close + 1
            elif text[i].isdigit() and text[i].isascii():
                number = int(text[i])
                if number > groups:
                    raise OptionError(option, f"no group {number} in the pattern (it has {groups})")
                i += 1
                while i < len(text) and text[i].isdigit() and text[i].isascii():
                    longer = number * 10 + int(text[i])
                    if longer > groups:
                        break
                    number = longer
                    i += 1
                parts.append(number)
            else:
                raise OptionError(option, "illegal group reference: '$' must be followed by a group number "
                                          "or {name} (write \\$ for a dollar sign)")
        else:
            parts.append(ch)
            i += 1
    python = "".join(f"\\g<{p}>" if isinstance(p, int) else p.replace("\\", "\\\\") for p in parts)
    if all(not isinstance(p, int) or p <= 9 for p in parts):
        re2: str | None = "".join(f"\\{p}" if isinstance(p, int) else p.replace("\\", "\\\\") for p in parts)
    else:
        re2 = None
    return JavaReplacement(python=python, re2=re2)


def java_split(text: str, pattern: re.Pattern[str], limit: int) -> list[str]:
    """Java's ``String.split(regex, limit)`` for a positive ``limit``.

    At most ``limit`` parts, the last one holding the rest of the input; trailing empty
    parts are kept; a zero-width match at the very start yields no leading empty part.
    """
    parts: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        if len(parts) >= limit - 1:
            break
        if match.end() == 0:
            continue
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    return parts


def name_all_groups(pattern: str) -> str:
    """Rename every capturing group to ``_g1``, ``_g2``… (``pyarrow.compute.extract_regex``
    needs named groups); used on the RE2 route only, where back references cannot occur."""
    out: list[str] = []
    i = 0
    count = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):
                out.append("]")
                i += 1
            continue
        if ch == "(" and pattern.startswith("(?P<", i):
            count += 1
            close = pattern.find(">", i)
            out.append(f"(?P<_g{count}>")
            i = close + 1
            continue
        if ch == "(" and not pattern.startswith("(?", i):
            count += 1
            out.append(f"(?P<_g{count}>")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)
