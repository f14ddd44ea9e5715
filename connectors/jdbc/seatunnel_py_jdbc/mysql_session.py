"""The PyMySQL session of the MySQL/MariaDB connector: connect() arguments, session settings, errors.

``properties`` are PyMySQL ``connect()`` arguments, merged with the ones the connector
sets rather than passed twice (which failed with "got multiple values for keyword
argument"):

* host, port, user, password and database come from the url and the options; a
  property fills in only what they leave unset (``db`` and ``passwd``, PyMySQL's old
  names, count as ``database`` and ``password``);
* ``autocommit`` and ``charset`` stay the connector's (True, utf8mb4): its statements and
  its transactions depend on them; a property asking otherwise is ignored with a warning;
* ``init_command`` and ``sql_mode`` are the user's; the connector's own session settings
  run after them (``session_statement``);
* anything else PyMySQL's ``connect()`` accepts is passed on, as its type (``"false"`` for
  a flag, ``"10"`` for a number); other keys (JDBC-only properties) are ignored.

A sink's session is made strict: whatever ``sql_mode`` the user's properties or
``init_command`` left, ``STRICT_ALL_TABLES`` is added, so a value that does not fit its
column fails the statement instead of being stored cut or changed with a warning (300 in
a TINYINT as 127, text cut to the column's length, NULL in a NOT NULL column as '').
``NO_BACKSLASH_ESCAPES`` is removed from it: the sink quotes the values it writes with
backslash escapes.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping
from typing import Any

from seatunnel_py.api import ConnectorError, DataError

from .urls import Target

log = logging.getLogger(__name__)

FIXED: dict[str, Any] = {"autocommit": True, "charset": "utf8mb4"}
"""connect() arguments the connector's statements depend on; properties cannot change them."""
IDENTITY = ("host", "port", "user", "password", "database")
"""connect() arguments taken from the url and the options; a property only fills a gap."""
ALIASES = {"db": "database", "passwd": "password"}
STRICT = "STRICT_ALL_TABLES"
UNSAFE_MODES = {"NO_BACKSLASH_ESCAPES"}
"""Modes a sink session drops: the literals it writes escape with backslashes."""

DATA_ERRORS = {
    1048,  # Column 'c' cannot be null
    1263,  # Column set to default value; NULL supplied to NOT NULL column
    1264,  # Out of range value for column
    1265,  # Data truncated for column
    1292,  # Incorrect datetime value
    1366,  # Incorrect integer value … for column
    1367,  # Illegal … value found during parsing
    1406,  # Data too long for column
    1690,  # … value is out of range
    3140,  # Invalid JSON text (MySQL)
    4025,  # CONSTRAINT … failed (MariaDB, JSON columns included)
}
"""Server errors of a value that does not fit its column: ``DataError``, the job's bad-record failure."""


TYPED_NONE: dict[str, Any] = {"read_timeout": 0.0, "write_timeout": 0.0, "ssl_disabled": False,
                              "ssl_verify_identity": False}
"""connect() arguments whose default (None) does not tell their type: a value of that type."""


def _typed(key: str, raw: Any, parameter: inspect.Parameter) -> Any:
    default = TYPED_NONE.get(parameter.name, parameter.default)
    text = str(raw).strip()
    try:
        if isinstance(default, bool):
            if text.lower() not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                raise ValueError(text)
            return text.lower() in ("true", "1", "yes", "on")
        if isinstance(default, int):
            return int(float(text))
        if isinstance(default, float):
            return float(text)
    except ValueError:
        kind = "true or false" if isinstance(default, bool) else "a number"
        raise ConnectorError(f"Jdbc: properties.{key}: expected {kind}") from None
    return raw


def connect_arguments(target: Target, accepted: Mapping[str, inspect.Parameter]) -> dict[str, Any]:
    """PyMySQL ``connect()`` keyword arguments for ``target``: url and options, then its properties merged."""
    params = dict(target.params)
    identity: dict[str, Any] = {"host": target.host or None, "port": target.port, "user": target.user,
                                "password": target.password, "database": target.database or None}
    # LOCAL INFILE off unless asked for: the connector never loads files, and with it on a
    # server may ask the client for any file it can read
    arguments: dict[str, Any] = {"connect_timeout": 30, "local_infile": False}
    for key, raw in params.items():
        name = ALIASES.get(key, key)
        if name not in accepted or name == "self":
            continue  # JDBC-only properties (useSSL, serverTimezone …)
        value = _typed(key, raw, accepted[name])
        if name in FIXED:
            if value != FIXED[name]:
                log.warning("Jdbc: properties.%s = %r is ignored: the connector needs %s = %r",
                            key, raw, name, FIXED[name])
            continue
        if name in identity:
            if identity[name] is None:
                identity[name] = value
            continue
        arguments[name] = value
    identity["host"] = identity["host"] or "127.0.0.1"
    identity["port"] = int(identity["port"] or 3306)
    identity["user"] = identity["user"] or "root"
    identity["password"] = identity["password"] or ""
    return {**identity, **arguments, **FIXED}


def strict_mode(mode: str) -> str:
    """``mode`` (an ``sql_mode`` value) with ``STRICT_ALL_TABLES`` added and ``NO_BACKSLASH_ESCAPES`` removed."""
    modes = [m for m in (part.strip() for part in mode.split(",")) if m and m.upper() not in UNSAFE_MODES]
    if STRICT not in (m.upper() for m in modes):
        modes.append(STRICT)
    return ",".join(modes)


def setup_session(conn: Any, writing: bool, mode: str | None) -> str | None:
    """The connector's session settings, after the user's ``sql_mode`` / ``init_command``.

    Time zone UTC always (timestamps are read and written as UTC). For a writing session
    also the strict mode computed from the session's own on the first connection; returns
    it, to be passed again on reconnections (``None`` for a reading session).
    """
    cur = conn.cursor()
    try:
        if not writing:
            cur.execute("SET SESSION time_zone = '+00:00'")
            return None
        if mode is None:
            cur.execute("SELECT @@SESSION.sql_mode")
            row = cur.fetchone()
            mode = strict_mode(str(row[0] if row else ""))
        cur.execute("SET SESSION time_zone = '+00:00', SESSION sql_mode = %s", (mode,))
        return mode
    finally:
        cur.close()


def error_code(exc: BaseException) -> int | None:
    """The server's error number of a PyMySQL exception."""
    args = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def failure(target: Target, exc: BaseException, what: str = "") -> ConnectorError:
    """One line for a failed statement: ``DataError`` for a value that does not fit its column."""
    args: tuple[object, ...] = tuple(getattr(exc, "args", ()))
    message = str(args[1]) if len(args) > 1 else str(exc)
    where = f"{target.display()}: {what}: " if what else f"{target.display()}: "
    kind = DataError if error_code(exc) in DATA_ERRORS else ConnectorError
    return kind(f"Jdbc: {where}{message}")
