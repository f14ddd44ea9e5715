"""A small ClickHouse-HTTP-compatible server in front of chdb (the ClickHouse engine in-process).

The integration tests start it as a subprocess so that the real ``clickhouse-connect``
HTTP client talks to the real ClickHouse engine (chdb, ClickHouse 26.x)::

    python chdb_front.py --port 8123 --path /tmp/ch --user default --password secret

What it speaks (enough for clickhouse-connect and for ``curl``):

* ``GET /ping`` and ``GET /`` without a query answer ``Ok.``;
* a query comes as the ``query`` URL parameter, the POST body, or both (then the body is
  appended after a newline, as the server does);
* an insert is ``INSERT INTO t [(cols)] FORMAT <fmt>`` (in the ``query`` parameter or on the
  first line of the body) followed by binary data in any input format the engine reads
  (Native, Arrow, ArrowStream, Parquet, RowBinary, CSV …). The data is spooled to a file and
  loaded with ``INSERT INTO t (cols) SELECT * FROM file(path, fmt, '<the table's column types>')``
  so the engine parses it against the target columns, as the server does;
* URL parameters that are not transport parameters are settings, applied with ``SET`` for
  that request only (e.g. ``insert_deduplication_token``, ``mutations_sync``); ``database``
  selects the current database; ``default_format`` the output format of a query without
  ``FORMAT`` (TabSeparated otherwise);
* request bodies compressed with gzip, deflate, zstd, lz4 (frame) or br; responses are not
  compressed;
* users: one user and password (``--user``, ``--password``), given as HTTP basic auth,
  ``X-ClickHouse-User``/``X-ClickHouse-Key`` headers or ``user``/``password`` parameters;
  a wrong one gets ``Code: 516 … (AUTHENTICATION_FAILED)`` with HTTP 401, as the server;
* errors are sent as the server sends them: the engine's ``Code: N. DB::Exception: …``
  text as the body, ``X-ClickHouse-Exception-Code`` header and an HTTP status from the code;
* the ``X-ClickHouse-Summary`` / ``-Format`` / ``-Timezone`` / ``-Query-Id`` headers.

Everything else is not covered (see the connector's README): sessions (``SET`` does not
survive a request), query parameters bound on the server (``param_*``), external tables,
response compression, progress headers, cancelling a query, several users, TLS.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import re
import sys
import tempfile
import threading
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TRANSPORT_PARAMS = frozenset({
    "query", "database", "user", "password", "query_id", "session_id", "session_timeout",
    "session_check", "compress", "decompress", "enable_http_compression", "wait_end_of_query",
    "send_progress_in_http_headers", "http_headers_progress_interval_ms", "default_format",
    "client_protocol_version", "buffer_size", "quota_key", "role", "http_response_buffer_size",
})
INSERT_DATA = re.compile(
    r"^\s*INSERT\s+INTO\s+(?:TABLE\s+)?(?P<table>(?:`[^`]+`|\"[^\"]+\"|[\w.])+)\s*"
    r"(?:\((?P<columns>[^)]*)\))?\s*(?:SETTINGS\s+(?P<settings>.*?)\s*)?FORMAT\s+(?P<format>\w+)\s*$",
    re.IGNORECASE | re.DOTALL)
FORMAT_CLAUSE = re.compile(r"\bFORMAT\s+(\w+)\s*;?\s*$", re.IGNORECASE)
ERROR_CODE = re.compile(r"Code:\s*(\d+)")
HTTP_STATUS = {516: 401, 60: 404, 81: 404, 62: 400, 47: 400, 27: 400, 6: 400, 36: 400, 53: 400, 115: 400}


def _decompress(data: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return data
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "deflate":
        return zlib.decompress(data)
    if encoding == "zstd":
        try:
            from compression import zstd  # type: ignore[import-not-found]
        except ImportError:
            from backports import zstd  # type: ignore[import-not-found,no-redef]
        return bytes(zstd.decompress(data))
    if encoding == "lz4":
        import lz4.frame

        return bytes(lz4.frame.decompress(data))
    if encoding == "br":
        import brotli  # type: ignore[import-not-found]

        return bytes(brotli.decompress(data))
    raise ValueError(f"Code: 1. DB::Exception: Unknown HTTP compression method {encoding!r}. (NOT_IMPLEMENTED)")


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "`\"":
        return name[1:-1]
    return name


class Engine:
    """One chdb session shared by every request, used by one request at a time."""

    def __init__(self, path: str) -> None:
        from chdb import session

        self.session = session.Session(path)
        self.lock = threading.Lock()
        self.spool = tempfile.mkdtemp(prefix="chdb-front-")
        self.timezone = self.session.query("SELECT timezone()", "TabSeparated").bytes().decode().strip()

    def run(self, sql: str, fmt: str, settings: dict[str, str], database: str | None) -> Any:
        """Run one statement with per-request settings and current database; return the result."""
        with self.lock:
            applied: list[str] = []
            try:
                if database:
                    self.session.query(f"USE `{database}`")
                for name, value in settings.items():
                    if not re.fullmatch(r"\w+", name):
                        raise ValueError(f"Code: 115. DB::Exception: Unknown setting '{name}'. (UNKNOWN_SETTING)")
                    self.session.query(f"SET {name} = {_literal(value)}")
                    applied.append(name)
                return self.session.query(sql, fmt)
            finally:
                for name in applied:
                    self.session.query(f"SET {name} = DEFAULT")
                if database:
                    self.session.query("USE default")

    def insert(self, match: re.Match[str], data: bytes, settings: dict[str, str], database: str | None) -> Any:
        """Load ``data`` (in ``FORMAT``) into the table named by the INSERT statement."""
        table = match.group("table")
        described = self.run(f"DESCRIBE TABLE {table}", "JSONCompact", {}, database)
        rows = json.loads(described.bytes())["data"]
        types = {row[0]: row[1] for row in rows}
        if match.group("columns") and match.group("columns").strip():
            columns = [_unquote(c) for c in match.group("columns").split(",")]
        else:
            columns = [row[0] for row in rows if row[2] not in ("MATERIALIZED", "ALIAS", "EPHEMERAL")]
        unknown = [c for c in columns if c not in types]
        if unknown:
            raise ValueError(f"Code: 16. DB::Exception: No such column {unknown[0]} in table {table}. "
                             "(NO_SUCH_COLUMN_IN_TABLE)")
        structure = ", ".join(f"`{c}` {types[c]}" for c in columns)
        column_list = ", ".join(f"`{c}`" for c in columns)
        clause = f" SETTINGS {match.group('settings')}" if match.group("settings") else ""
        fd, path = tempfile.mkstemp(dir=self.spool, suffix="." + match.group("format").lower())
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            sql = (f"INSERT INTO {table} ({column_list}){clause} SELECT * FROM "
                   f"file({_literal(path)}, {_literal(match.group('format'))}, {_literal(structure)})")
            return self.run(sql, "TabSeparated", settings, database)
        finally:
            os.unlink(path)


class Handler(BaseHTTPRequestHandler):
    """One HTTP request: authenticate, decode, run, answer like ClickHouse."""

    protocol_version = "HTTP/1.1"
    server_version = "chdb-front"
    engine: Engine
    user = "default"
    password = ""

    def log_message(self, format: str, *args: Any) -> None:
        if os.environ.get("CHDB_FRONT_LOG"):
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._handle(b"")

    def do_POST(self) -> None:
        self._handle(self._body())

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(parts)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _credentials(self, params: dict[str, str]) -> tuple[str, str]:
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            return user, password
        if self.headers.get("X-ClickHouse-User"):
            return self.headers["X-ClickHouse-User"], self.headers.get("X-ClickHouse-Key", "")
        return params.get("user", "default"), params.get("password", "")

    def _handle(self, body: bytes) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        query_id = params.get("query_id") or str(uuid.uuid4())
        if url.path.rstrip("/") in ("/ping", "") and "query" not in params and not body:
            self._reply(200, b"Ok.\n", query_id, {})
            return
        try:
            user, password = self._credentials(params)
            if (user, password) != (self.user, self.password):
                raise PermissionError(f"Code: 516. DB::Exception: {user}: Authentication failed: password is "
                                      "incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)")
            body = _decompress(body, self.headers.get("Content-Encoding", ""))
            settings = {k: v for k, v in params.items() if k not in TRANSPORT_PARAMS}
            database = params.get("database") or None
            result, fmt = self._execute(params.get("query", ""), body, settings, database,
                                        params.get("default_format", "TabSeparated"))
        except Exception as exc:  # every failure is answered as the server answers it
            self._error(str(exc), query_id)
            return
        summary = {"read_rows": str(result.rows_read()), "read_bytes": str(result.bytes_read()),
                   "written_rows": str(result.rows_written()), "written_bytes": str(result.bytes_written()),
                   "total_rows_to_read": "0", "result_rows": "0", "result_bytes": "0",
                   "elapsed_ns": str(int(result.elapsed() * 1e9))}
        self._reply(200, result.bytes(), query_id, {"X-ClickHouse-Format": fmt,
                                                     "X-ClickHouse-Summary": json.dumps(summary)})

    def _execute(self, query: str, body: bytes, settings: dict[str, str], database: str | None,
                 default_format: str) -> tuple[Any, str]:
        head, data = query, body
        if not query and body:
            first, _, rest = body.partition(b"\n")
            if INSERT_DATA.match(first.decode(errors="replace")):
                head, data = first.decode(), rest
            else:
                head, data = body.decode(), b""
        match = INSERT_DATA.match(head)
        if match:
            return self.engine.insert(match, data, settings, database), "TabSeparated"
        sql = head + ("\n" + data.decode() if data else "")
        if not sql.strip():
            raise ValueError("Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)")
        found = FORMAT_CLAUSE.search(sql)
        fmt = found.group(1) if found else default_format
        return self.engine.run(sql, fmt, settings, database), fmt

    def _error(self, message: str, query_id: str) -> None:
        found = ERROR_CODE.search(message)
        code = int(found.group(1)) if found else 1001
        text = message if found else f"Code: 1001. DB::Exception: {message}. (STD_EXCEPTION)"
        self._reply(HTTP_STATUS.get(code, 500), (text.rstrip() + "\n").encode(), query_id,
                    {"X-ClickHouse-Exception-Code": str(code)})

    def _reply(self, status: int, payload: bytes, query_id: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=UTF-8" if status != 200 else "application/octet-stream")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-ClickHouse-Server-Display-Name", "chdb-front")
        self.send_header("X-ClickHouse-Query-Id", query_id)
        self.send_header("X-ClickHouse-Timezone", self.engine.timezone)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)


def main(argv: list[str] | None = None) -> None:
    """Serve until killed; print ``ready <port>`` once listening."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--path", required=True, help="chdb data directory")
    parser.add_argument("--user", default="default")
    parser.add_argument("--password", default="")
    args = parser.parse_args(argv)
    Handler.engine = Engine(args.path)
    Handler.user, Handler.password = args.user, args.password
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f"ready {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
