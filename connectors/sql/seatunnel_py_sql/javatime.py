"""Java ``DateTimeFormatter`` patterns (SeaTunnel's FORMATDATETIME, PARSEDATETIME …) to strftime."""

from __future__ import annotations

import re

_LETTERS: dict[str, str] = {
    "yyyy": "%Y", "uuuu": "%Y", "yy": "%y", "uu": "%y", "y": "%Y", "u": "%Y",
    "MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%-m", "LL": "%m", "L": "%-m",
    "dd": "%d", "d": "%-d", "DDD": "%j", "D": "%-j",
    "HH": "%H", "H": "%-H", "hh": "%I", "h": "%-I", "kk": "%H", "k": "%-H",
    "mm": "%M", "m": "%-M", "ss": "%S", "s": "%-S",
    "SSSSSSSSS": "%n", "SSSSSS": "%f", "SSS": "%g",
    "a": "%p", "EEEE": "%A", "EEE": "%a", "EE": "%a", "E": "%a",
    "XXX": "%z", "XX": "%z", "X": "%z", "Z": "%z", "ZZ": "%z", "ZZZ": "%z", "z": "%Z", "zzz": "%Z",
    "VV": "%Z", "ww": "%V", "w": "%V",
}
_RUN = re.compile(r"([A-Za-z])\1*")


class FormatError(ValueError):
    """A pattern letter with no strftime equivalent."""


def to_strftime(pattern: str) -> str:
    """Translate a ``DateTimeFormatter`` pattern (``yyyy-MM-dd HH:mm:ss``) to strftime (``%Y-%m-%d %H:%M:%S``)."""
    parts = to_strftime_parts(pattern, fractions=False)
    return "".join(p for p in parts if isinstance(p, str))


def to_strftime_parts(pattern: str, fractions: bool = True) -> list[str | int]:
    """Like :func:`to_strftime`, but with fractions of a second of any width (``S``, ``SS``
    …) as separate parts: an int is that many digits of the fraction."""
    out: list[str | int] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "'":
            end = pattern.find("'", i + 1)
            if end < 0:
                raise FormatError(f"unclosed quote in date/time pattern {pattern!r}")
            literal = pattern[i + 1:end] or "'"
            out.append(literal.replace("%", "%%"))
            i = end + 1
            continue
        if ch.isalpha():
            run = _RUN.match(pattern, i)
            assert run is not None
            letters = run.group()
            if fractions and letters[0] == "S":
                out.append(len(letters))
                i = run.end()
                continue
            if letters not in _LETTERS:
                raise FormatError(f"date/time pattern letters {letters!r} in {pattern!r} are not supported "
                                  "(supported: y M d D H h k m s S a E z Z X w)")
            out.append(_LETTERS[letters])
            i = run.end()
            continue
        out.append("%%" if ch == "%" else ch)
        i += 1
    merged: list[str | int] = []
    for part in out:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


def parsed_kind(pattern: str) -> str:
    """What SeaTunnel's PARSEDATETIME returns for ``pattern``: TIMESTAMP, DATE or TIME.

    SeaTunnel looks for ``yy`` (a year) and ``mm`` (minutes) in the pattern.
    """
    has_year, has_minute = "yy" in pattern, "mm" in pattern
    if has_year and has_minute:
        return "TIMESTAMP"
    if has_year:
        return "DATE"
    if has_minute:
        return "TIME"
    raise FormatError(f"pattern {pattern!r} has neither a year (yy) nor minutes (mm)")
