"""Masking secrets in text: URLs with passwords, password parameters, JAAS configs.

Declared secret options are never printed (``option(..., secret=True)``), but secrets
also travel inside values that are not secret as a whole: ``user:pw@host`` in a URL,
``?password=…`` in a JDBC URL, ``password="…"`` in ``sasl.jaas.config``. Everything the
engine prints — ``check`` output, error lines, log records — goes through
``mask_secrets``; connectors should pass their own messages through it too when they
quote a URL or a driver's error.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "******"
_USERINFO = re.compile(r"(?P<head>[A-Za-z][\w+.-]*://[^/\s:@'\"]*:)(?P<secret>[^@\s/'\"]+)(?=@)")
_KEYS = (r"(?:password|passwd|pwd|secret|token|api[_.-]?key|access[_.-]?key|secret[_.-]?key|"
         r"sasl\.password|ssl\.key\.password)")
_QUOTED = re.compile(rf"(?P<head>(?<![A-Za-z0-9]){_KEYS}[\"']?\s*[=:]\s*)(?P<q>[\"'])(?P<secret>.*?)(?P=q)",
                     re.IGNORECASE)
_PLAIN = re.compile(rf"(?P<head>(?<![A-Za-z0-9]){_KEYS}\s*=\s*)(?P<secret>[^\s&;,'\"}})\]]+)",
                    re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """``text`` with passwords in URLs, password parameters and JAAS passwords replaced by ``******``."""
    if not text:
        return text
    text = _USERINFO.sub(lambda m: m.group("head") + MASK, text)
    text = _QUOTED.sub(lambda m: m.group("head") + m.group("q") + MASK + m.group("q"), text)
    return _PLAIN.sub(lambda m: m.group("head") + MASK, text)


def mask_value(value: Any) -> Any:
    """``mask_secrets`` applied to every string inside ``value`` (dicts and lists included)."""
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    return value
