"""The ClickHouse the tests talk to: the chdb HTTP front (a subprocess), or a real server.

Set ``SEATUNNEL_PY_CLICKHOUSE_URL=http://user:password@host:8123`` to run the same tests
against a real ClickHouse server (e.g. ``docker compose up clickhouse``); otherwise
``chdb_front.py`` is started on a free 127.0.0.1 port with its data in a temporary folder.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

if importlib.util.find_spec("seatunnel_py_clickhouse") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # ch_helpers

FRONT = Path(__file__).resolve().parent / "chdb_front.py"
URL_VARIABLE = "SEATUNNEL_PY_CLICKHOUSE_URL"


@dataclass
class ClickHouse:
    """Where the server is and how to log in; ``client()`` gives an independent clickhouse-connect client."""

    host: str
    port: int
    user: str
    password: str
    real_server: bool

    @property
    def address(self) -> str:
        """``host:port`` as the connector's ``host`` option takes it."""
        return f"{self.host}:{self.port}"

    def client(self) -> Any:
        """A clickhouse-connect client (the checker, independent from the connector)."""
        import clickhouse_connect

        return clickhouse_connect.get_client(host=self.host, port=self.port, username=self.user,
                                             password=self.password, autogenerate_session_id=False)

    def options(self, **extra: Any) -> dict[str, Any]:
        """Connection options of a source or sink, plus ``extra``."""
        return {"host": self.address, "username": self.user, "password": self.password, **extra}

    def hocon(self) -> str:
        """The connection lines of a job file."""
        return f'host = "{self.address}"\n    username = "{self.user}"\n    password = "{self.password}"'


def _start_front(tmp: Path) -> tuple[subprocess.Popen[str], int]:
    if importlib.util.find_spec("chdb") is None:
        pytest.fail("the ClickHouse tests need chdb (pip install -e 'connectors/clickhouse[test]') "
                    f"or {URL_VARIABLE} pointing at a ClickHouse server", pytrace=False)
    proc = subprocess.Popen([sys.executable, str(FRONT), "--port", "0", "--path", str(tmp / "chdb"),
                             "--user", "default", "--password", "front-secret"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("ready "):
        proc.kill()
        raise RuntimeError(f"chdb front did not start: {line}{proc.stderr.read() if proc.stderr else ''}")
    return proc, int(line.split()[1])


@pytest.fixture(scope="session")
def clickhouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClickHouse]:
    """The server of this test session."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        parts = urlsplit(url)
        yield ClickHouse(parts.hostname or "127.0.0.1", parts.port or 8123, parts.username or "default",
                         parts.password or "", True)
        return
    proc, port = _start_front(tmp_path_factory.mktemp("clickhouse"))
    try:
        yield ClickHouse("127.0.0.1", port, "default", "front-secret", False)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


_counter = itertools.count()


@pytest.fixture
def database(clickhouse: ClickHouse) -> Iterator[str]:
    """A fresh database for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:8]}_{next(_counter)}"
    client = clickhouse.client()
    client.command(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        client.command(f"DROP DATABASE IF EXISTS {name}")
        client.close()
