"""Connecting with clickhouse-connect (imported only here, when a job runs) and its errors."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from seatunnel_py.api import ConnectorError, TransientError

from .options import ConnectionOptions

if TYPE_CHECKING:
    from clickhouse_connect.driver.client import Client

log = logging.getLogger(__name__)
T = TypeVar("T")
INSTALL_HINT = "the Clickhouse connector needs clickhouse-connect: pip install clickhouse-connect"
_SERVER_TEXT = re.compile(r"server response:\s*(.*?)(?:\s*\(for url [^)]*\))?\s*$", re.S)


def _driver() -> Any:
    try:
        import clickhouse_connect
    except ImportError:
        raise ConnectorError(INSTALL_HINT) from None
    return clickhouse_connect


def describe_error(exc: BaseException) -> str:
    """One line for a clickhouse-connect or network exception (the server's text when there is one)."""
    text = str(exc)
    found = _SERVER_TEXT.search(text)
    if found:
        text = found.group(1)
    text = re.sub(r"\s*\(version [^)]*\)", "", text)
    if "Connection refused" in text or "NewConnectionError" in text:
        text = "connection refused"
    elif "timed out" in text.lower():
        text = "timed out"
    elif "Name or service not known" in text or "nodename nor servname" in text or "NameResolution" in text:
        text = "unknown host"
    line = " ".join(text.split())
    return line[:400] + ("…" if len(line) > 400 else "")


def _quiet_driver_logs() -> None:
    """The driver and urllib3 log retries and failures we report ourselves in one line."""
    if not log.isEnabledFor(logging.DEBUG):
        for name in ("clickhouse_connect", "urllib3"):
            logging.getLogger(name).setLevel(logging.ERROR)


def connect(opts: ConnectionOptions, database: str | None = None, settings: dict[str, Any] | None = None) -> Client:
    """A client for the first host that answers (``ConnectorError`` naming every host otherwise)."""
    driver = _driver()
    _quiet_driver_logs()
    config = {**{k: v for k, v in opts.clickhouse_config.items()}, **(settings or {})}
    problems = []
    for host, port in opts.hosts():
        try:
            return driver.get_client(
                host=host, port=port, username=opts.username, password=opts.password.get_secret_value(),
                settings=config, connect_timeout=opts.connect_timeout,
                send_receive_timeout=opts.socket_timeout, autogenerate_session_id=False, query_limit=0,
                **({"database": database} if database else {}))
        except Exception as exc:  # the driver raises several unrelated types
            problems.append(f"{host}:{port}: {describe_error(exc)}")
    message = "Clickhouse: cannot connect to " + "; ".join(problems)
    if re.search(r"authenticat|password|access denied|unknown database", message, re.IGNORECASE):
        raise ConnectorError(message)
    raise TransientError(message)  # no host answered: they may be back later (exit 75, retryable)


@contextmanager
def failing_as(what: str) -> Iterator[None]:
    """Turn any driver exception inside the block into ``ConnectorError("Clickhouse: <what>: …")``."""
    try:
        yield
    except ConnectorError:
        raise
    except Exception as exc:
        raise ConnectorError(f"Clickhouse: {what}: {describe_error(exc)}") from None


def call(what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` with driver exceptions reported as one line about ``what``."""
    with failing_as(what):
        return fn(*args, **kwargs)
    raise AssertionError("unreachable")  # pragma: no cover (for type checkers)


def quote_name(name: str) -> str:
    """A backquoted ClickHouse identifier."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def quote_string(text: str) -> str:
    """A single-quoted ClickHouse string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def qualified(database: str, table: str) -> str:
    """```database`.`table```."""
    return f"{quote_name(database)}.{quote_name(table)}"
