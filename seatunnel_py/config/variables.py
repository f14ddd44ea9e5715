"""Job variables: ``-i key=value`` (SeaTunnel's splitting rules), environment variables and secret files.

``${NAME}`` is looked up in this order: ``-i NAME=value``; the environment variable ``NAME``;
the contents of the file that the environment variable ``NAME_FILE`` names (the convention of
Docker secrets and of Kubernetes secrets mounted as files: the value never has to sit in the
environment or on a command line). One trailing newline of the file is dropped. Setting both
``NAME`` and ``NAME_FILE`` is an error, so which one counts is never a guess.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

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


FILE_SUFFIX = "_FILE"
"""``NAME_FILE=/path`` gives ``${NAME}`` the contents of ``/path``."""

MAX_SECRET_FILE_BYTES = 1 << 20


def read_secret_file(name: str, path: str, where: str | None = None) -> str:
    """The value of ``${name}`` kept in the file ``path`` (from ``NAME_FILE``), one trailing newline dropped.

    Errors name the variable and the file, never what the file holds.
    """
    where = where or f"variable ${{{name}}}: {name}{FILE_SUFFIX}={path}"
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_SECRET_FILE_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{where}: cannot read the file ({exc.strerror or exc})") from None
    if len(data) > MAX_SECRET_FILE_BYTES:
        raise UsageError(f"{where}: the file is larger than 1 MiB (expected a secret value)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{where}: the file is not UTF-8 text") from None
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


def make_resolver(variables: Mapping[str, str], environ: Mapping[str, str] | None = None) -> Resolver:
    """Look a name up in the ``-i`` variables, then in the environment, then in a ``NAME_FILE`` file.

    ``env:NAME`` is the environment variable only; ``file:PATH`` the contents of a file
    (one trailing newline dropped), for secrets mounted as files.
    """
    env = os.environ if environ is None else environ

    def resolve(name: str) -> str | None:
        if name.startswith("env:"):
            return env.get(name[4:])
        if name.startswith("file:"):
            return read_secret_file(name, name[5:], f"${{{name}}}")
        if name in variables:
            return variables[name]
        if name in RESERVED:
            return None
        value = env.get(name)
        file = env.get(name + FILE_SUFFIX)
        if file is None or file == "":
            return value
        if value is not None:
            raise UsageError(f"variable ${{{name}}}: both {name} and {name}{FILE_SUFFIX} are set in the "
                             "environment (expected one of them)")
        return read_secret_file(name, file)

    return resolve
