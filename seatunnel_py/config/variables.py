"""Job variables: ``-i key=value`` (SeaTunnel's splitting rules) and environment variables."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

from .issues import UsageError
from .lexer import Resolver

RESERVED = frozenset(
    {
        "database_name",
        "schema_name",
        "table_name",
        "schema_full_name",
        "table_full_name",
        "primary_key",
        "unique_key",
        "field_names",
        "comment",
    }
)
"""Sink placeholders SeaTunnel forbids as ``-i`` variables."""

SINK_PLACEHOLDERS = RESERVED | frozenset(
    {
        # LocalFile: file_name_expression
        "transactionId",
        "now",
        "uuid",
        # Clickhouse: save_mode_create_template
        "database",
        "table",
        "rowtype_fields",
        "rowtype_primary_key",
        "order_by",
        "engine",
    }
)
"""Names that sinks substitute themselves, so a quoted ``${name}`` left unset is expected.

Besides these: ``${k0}``/``${v0}``… (LocalFile ``partition_dir_expression``) and a
Kafka ``topic = "${field}"`` that routes by a column (any name, as the whole value).
"""

_PARTITION_PLACEHOLDER = re.compile(r"[kv](\d+|n|N)")


def is_sink_placeholder(name: str, key: str | int | None, whole: bool) -> bool:
    """Whether ``${name}`` left in a quoted string is one a sink fills in at run time.

    ``key`` is the option it stands in; ``whole`` says the placeholder is the whole value.
    """
    if name in SINK_PLACEHOLDERS or _PARTITION_PLACEHOLDER.fullmatch(name):
        return True
    return key == "topic" and whole


def split_parameter(value: str) -> list[str]:
    """Split one ``-i`` value on commas outside ``"…"`` and ``[…]`` (SeaTunnel's ParameterSplitter)."""
    parts: list[str] = []
    current: list[str] = []
    in_quotes = False
    depth = 0
    for ch in value:
        if ch == '"':
            in_quotes = not in_quotes
        elif ch == "[" and not in_quotes:
            depth += 1
        elif ch == "]" and not in_quotes and depth:
            depth -= 1
        if ch == "," and not in_quotes and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def parse_variables(values: Iterable[str]) -> dict[str, str]:
    """Turn repeated ``-i`` values into a dict; each pair splits at its first ``=``."""
    out: dict[str, str] = {}
    for value in values:
        for pair in split_parameter(value):
            if "=" not in pair:
                raise UsageError(f"-i {pair!r}: expected key=value")
            key, val = pair.split("=", 1)
            key = key.strip()
            if not key:
                raise UsageError(f"-i {pair!r}: the variable name is empty")
            if key in RESERVED:
                raise UsageError(f"-i {key}: '{key}' is a sink placeholder and cannot be set as a variable")
            if len(val) >= 2 and val[0] == val[-1] == '"':
                val = val[1:-1]
            out[key] = val
    return out


def make_resolver(variables: Mapping[str, str], environ: Mapping[str, str] | None = None) -> Resolver:
    """Look a name up in the ``-i`` variables, then in the environment."""
    env = os.environ if environ is None else environ

    def resolve(name: str) -> str | None:
        if name in variables:
            return variables[name]
        if name in RESERVED:
            return None
        return env.get(name)

    return resolve
