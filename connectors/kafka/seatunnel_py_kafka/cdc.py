"""Change-data envelopes (Canal, Debezium, Maxwell, Oracle GoldenGate) to rows with row kinds.

Each reader takes one decoded JSON message and returns its changes as ``(kind, row)``
pairs; DDL and control messages give none. An update gives UPDATE_BEFORE then
UPDATE_AFTER; Canal and Maxwell carry only the changed old values, merged over the new
row to rebuild the row before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from seatunnel_py.api import RowKind

from .options import MessageFormat

Change = tuple[RowKind, dict[str, Any]]


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"'{what}' is not an object")
    return value


def canal(message: Any) -> list[Change]:
    """``{"data": [..], "old": [..], "type": "INSERT|UPDATE|DELETE", "isDdl": false}``."""
    message = _object(message, "message")
    if message.get("isDdl"):
        return []
    kind = str(message.get("type", "")).upper()
    data = message.get("data") or []
    if not isinstance(data, list):
        raise ValueError("'data' is not an array")
    if kind == "INSERT":
        return [(RowKind.INSERT, _object(row, "data")) for row in data]
    if kind == "DELETE":
        return [(RowKind.DELETE, _object(row, "data")) for row in data]
    if kind == "UPDATE":
        old = message.get("old") or [{}] * len(data)
        out: list[Change] = []
        for row, changed in zip(data, old, strict=False):
            after = _object(row, "data")
            out.append((RowKind.UPDATE_BEFORE, {**after, **_object(changed or {}, "old")}))
            out.append((RowKind.UPDATE_AFTER, after))
        return out
    if kind in ("CREATE", "ALTER", "ERASE", "QUERY", "TRUNCATE", "RENAME", "CINDEX", "DINDEX"):
        return []
    raise ValueError(f"unknown type {kind!r}")


def debezium(message: Any) -> list[Change]:
    """``{"before": .., "after": .., "op": "c|r|u|d"}``, bare or in ``{"schema", "payload"}``."""
    message = _object(message, "message")
    payload = message["payload"] if "payload" in message and "op" not in message else message
    if payload is None:
        return []
    payload = _object(payload, "payload")
    op = payload.get("op")
    if op in ("c", "r"):
        return [(RowKind.INSERT, _object(payload.get("after"), "after"))]
    if op == "u":
        before = payload.get("before")
        if before is None:
            raise ValueError("an update without 'before' (for PostgreSQL set REPLICA IDENTITY FULL)")
        return [(RowKind.UPDATE_BEFORE, _object(before, "before")),
                (RowKind.UPDATE_AFTER, _object(payload.get("after"), "after"))]
    if op == "d":
        return [(RowKind.DELETE, _object(payload.get("before"), "before"))]
    if op in (None, "t", "m"):
        return []
    raise ValueError(f"unknown op {op!r}")


def maxwell(message: Any) -> list[Change]:
    """``{"type": "insert|update|delete", "data": {..}, "old": {..}}``."""
    message = _object(message, "message")
    kind = str(message.get("type", "")).lower()
    if kind in ("insert", "bootstrap-insert"):
        return [(RowKind.INSERT, _object(message.get("data"), "data"))]
    if kind == "delete":
        return [(RowKind.DELETE, _object(message.get("data"), "data"))]
    if kind == "update":
        after = _object(message.get("data"), "data")
        return [(RowKind.UPDATE_BEFORE, {**after, **_object(message.get("old") or {}, "old")}),
                (RowKind.UPDATE_AFTER, after)]
    if kind.startswith("bootstrap-") or kind in ("table-create", "table-alter", "table-drop", "database-create",
                                                 "database-drop", "heartbeat"):
        return []
    raise ValueError(f"unknown type {kind!r}")


def ogg(message: Any) -> list[Change]:
    """``{"op_type": "I|U|D|T", "before": {..}, "after": {..}}``."""
    message = _object(message, "message")
    op = str(message.get("op_type", "")).upper()
    if op == "I":
        return [(RowKind.INSERT, _object(message.get("after"), "after"))]
    if op == "U":
        return [(RowKind.UPDATE_BEFORE, _object(message.get("before"), "before")),
                (RowKind.UPDATE_AFTER, _object(message.get("after"), "after"))]
    if op == "D":
        return [(RowKind.DELETE, _object(message.get("before"), "before"))]
    if op == "T":
        return []
    raise ValueError(f"unknown op_type {op!r}")


ENVELOPES: dict[MessageFormat, Callable[[Any], list[Change]]] = {
    MessageFormat.CANAL_JSON: canal,
    MessageFormat.DEBEZIUM_JSON: debezium,
    MessageFormat.MAXWELL_JSON: maxwell,
    MessageFormat.OGG_JSON: ogg,
}
"""The reader of each change-data format."""
