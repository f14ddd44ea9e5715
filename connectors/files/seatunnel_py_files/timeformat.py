"""Java date/time patterns (``yyyy-MM-dd HH:mm:ss``) translated to ``strftime`` formats.

SeaTunnel's file connectors take Java ``DateTimeFormatter`` patterns. Arrow formats and
parses with ``strftime`` codes, so the common letters are translated: ``yyyy yy MM MMM dd
HH hh mm ss a`` and quoted literals. Fractions are supported only as ``ss.SSS`` (written
with millisecond precision); other letters are refused with a clear message.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_TOKENS: dict[str, str] = {
    "yyyy": "%Y",
    "yy": "%y",
    "MMM": "%b",
    "MM": "%m",
    "dd": "%d",
    "HH": "%H",
    "hh": "%I",
    "mm": "%M",
    "ss": "%S",
    "a": "%p",
}
_TOKEN_RE = re.compile(r"'[^']*'|ss\.SSS|yyyy|yy|MMM|MM|dd|HH|hh|mm|ss|a|[A-Za-z]|[^A-Za-z']+")


@dataclass(frozen=True)
class TimeFormat:
    """A translated pattern: the ``strftime`` string and the precision of ``%S``."""

    java: str
    strftime: str
    unit: str = "s"
    """``s`` for whole seconds, ``ms`` when the pattern ends seconds with ``.SSS``."""

    def format(self, value: dt.datetime) -> str:
        """Format a Python datetime (used for ``${now}`` in file names)."""
        text = self.strftime.replace("%S", f"{value.second:02d}.{value.microsecond // 1000:03d}") \
            if self.unit == "ms" else self.strftime
        return value.strftime(text)


def translate(pattern: str) -> TimeFormat:
    """Translate a Java pattern; ``ValueError`` names the first unsupported letter."""
    if not pattern:
        raise ValueError("the pattern is empty")
    out: list[str] = []
    unit = "s"
    pos = 0
    for match in _TOKEN_RE.finditer(pattern):
        if match.start() != pos:
            raise ValueError(f"cannot read pattern {pattern!r} at position {pos}")
        token = match.group(0)
        pos = match.end()
        if token.startswith("'"):
            literal = token[1:-1] or "'"
            out.append(literal.replace("%", "%%"))
        elif token == "ss.SSS":
            out.append("%S")
            unit = "ms"
        elif token in _TOKENS:
            out.append(_TOKENS[token])
        elif token.isalpha():
            raise ValueError(
                f"pattern letter {token!r} in {pattern!r} is not supported "
                "(supported: yyyy yy MM MMM dd HH hh mm ss ss.SSS a and quoted text)"
            )
        else:
            out.append(token.replace("%", "%%"))
    if pos != len(pattern):
        raise ValueError(f"cannot read pattern {pattern!r} at position {pos}")
    return TimeFormat(pattern, "".join(out), unit)
