"""How a run's metrics leave the process: pushes to a Pushgateway, the ``/metrics`` server, Kafka lag.

Each works in a thread of its own so the run never waits on the network. Part of the
exporter (``exporter.py``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ..api.secrets import mask_secrets
from .failures import describe
from .metric_families import LAG_REFRESH_SECONDS, PUSH_TIMEOUT, render_text

if TYPE_CHECKING:
    from .exporter import MetricsSession
    from .runner import JobRunner


log = logging.getLogger(__name__)


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without its ``user:password@`` part, and the user and password (``None`` when absent)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.username is None and parts.password is None:
        return urlunsplit(parts), None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit(parts._replace(netloc=netloc)), parts.username, parts.password


class Bridge:
    """The run's metrics as a ``prometheus_client`` collector (for ``/metrics``)."""

    def __init__(self, session: MetricsSession) -> None:
        self.session = session

    def collect(self) -> Iterator[Any]:
        """``prometheus_client`` metric families of ``MetricsSession.families``."""
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        for family in self.session.families():
            kind = CounterMetricFamily if family.kind == "counter" else GaugeMetricFamily
            made = kind(family.name, family.doc, labels=list(family.labels))
            for values, value in family.samples:
                made.add_metric(list(values), value)
            yield made


class LagWatch:
    """Asks the sources that define ``split_lag`` how far behind they are, in a thread of its own."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], int] = {}
        self._thread: threading.Thread | None = None
        self._last = 0.0
        self._failed: set[str] = set()

    def refresh(self, runner: JobRunner) -> None:
        """Start a refresh unless one runs or the last one is recent; the values come later."""
        sources = [node for node in runner.plan.sources if callable(getattr(node.plugin, "split_lag", None))]
        if not sources or (self._thread is not None and self._thread.is_alive()):
            return
        if time.monotonic() - self._last < LAG_REFRESH_SECONDS:
            return
        self._last = time.monotonic()
        self._thread = threading.Thread(target=self._refresh, args=(runner, sources), name="metrics-lag",
                                        daemon=True)
        self._thread.start()

    def _refresh(self, runner: JobRunner, sources: list[Any]) -> None:
        from .runner import state_key_of

        values: dict[tuple[str, str], int] = {}
        failed = False
        for node in sources:
            positions: dict[str, Any] = {}
            try:
                positions.update(runner.coordinator.split_states.get(state_key_of(node), {}))
                for task in list(runner.tasks):
                    if task.source is node:
                        for pump in list(task.reader.pumps.values()):
                            known = pump.known_state()
                            if known is not None:
                                positions[pump.split.split_id] = known
                lag = node.plugin.split_lag(positions)
            except Exception as exc:  # the metrics must never fail the job
                if node.label not in self._failed:
                    self._failed.add(node.label)
                    log.warning("metrics: %s cannot tell its lag: %s", node.label, describe(exc))
                failed = True
                continue
            values.update({(node.label, str(split)): int(records) for split, records in lag.items()})
        self.values = values
        # nothing to tell yet (no split open, nothing asked of the cluster): ask again at the next collection
        self._last = time.monotonic() if values or failed else 0.0


class Pusher:
    """Pushes the metrics to a Pushgateway every interval, in a thread, and once more at the end.

    A POST of the text format to ``/metrics/job/<job key>`` (the job key base64-encoded when
    it holds a character a URL path cannot), with basic auth when the URL carried
    credentials, over ``http.client``.
    """

    def __init__(self, session: MetricsSession, url: str, interval: float, key: str) -> None:
        self.session = session
        self.url, user, password = split_credentials(url)
        self.key = key
        self.interval = interval
        self._authorization = None if user is None and password is None else _basic(user or "", password or "")
        self._stopping = threading.Event()
        self._failures = 0
        self._thread = threading.Thread(target=self._loop, name="metrics-push", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            self.push()
            if self._stopping.wait(self.interval):
                return

    def push(self) -> bool:
        """Push once; a failure is logged (a warning the first time in a row, then at debug level)."""
        try:
            self._post(render_text(self.session.families()))
        except Exception as exc:  # the gateway away or refusing: the job goes on
            self._failures += 1
            level = logging.WARNING if self._failures == 1 else logging.DEBUG
            log.log(level, "metrics: pushing to %s failed: %s", self.url, mask_secrets(describe(exc)))
            return False
        if self._failures:
            log.info("metrics: pushing to %s works again", self.url)
        self._failures = 0
        return True

    def _post(self, body: bytes) -> None:
        import http.client

        parts = urlsplit(self.url)
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(parts.hostname or "localhost", parts.port, timeout=PUSH_TIMEOUT)
        headers = {"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}
        if self._authorization:
            headers["Authorization"] = self._authorization
        try:
            connection.request("POST", f"{parts.path.rstrip('/')}/metrics/job{_job_segment(self.key)}", body, headers)
            response = connection.getresponse()
            answer = response.read(500).decode("utf-8", "replace").strip()
        finally:
            connection.close()
        if response.status >= 300:
            raise ConnectionError(f"HTTP {response.status} {response.reason}" + (f": {answer}" if answer else ""))

    def stop(self) -> None:
        """Stop the periodic pushes and push the final values (bounded by ``PUSH_TIMEOUT``)."""
        self._stopping.set()
        self._thread.join(PUSH_TIMEOUT + 1)
        if not self.push() and self._failures > 1:
            log.warning("metrics: the final push to %s failed too", self.url)


def _job_segment(key: str) -> str:
    """``/<key>``, or ``@base64/<key in URL-safe base64>`` when the key is not a plain path segment."""
    if key and all(c.isascii() and (c.isalnum() or c in "-_.~") for c in key):
        return f"/{key}"
    import base64

    return "@base64/" + base64.urlsafe_b64encode(key.encode()).decode()


def _basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class MetricsServer:
    """``/metrics`` and ``/healthz`` on ``host:port``: bound at once, each request answered in a thread of its own.

    The socket is bound when the run starts (a taken port fails the run there); ``http.server``
    and ``prometheus_client`` are imported by the first request. Stopping closes the socket,
    which ends the accepting thread at once.
    """

    def __init__(self, session: MetricsSession, host: str, port: int) -> None:
        import socket

        self.session = session
        family = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
        self.sock = socket.create_server((host, port), family=family, backlog=16)
        self.port = int(self.sock.getsockname()[1])
        self._thread = threading.Thread(target=self._accept, name="metrics-http", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, address = self.sock.accept()
            except OSError:  # closed: the run ended
                return
            threading.Thread(target=self._answer, args=(connection, address), name="metrics-request",
                             daemon=True).start()

    def _answer(self, connection: Any, address: Any) -> None:
        try:
            connection.settimeout(10)
            _handler_class()(connection, address, self)
        except Exception:  # a client gone mid-request: nothing to tell anyone
            log.debug("metrics: answering %s failed", address, exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        """Stop answering and free the port."""
        import socket

        with suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.sock.close()
        self._thread.join(1)


_HANDLER: type | None = None


def _handler_class() -> type:
    """The request handler (``http.server`` is imported on the first request, not with the engine)."""
    global _HANDLER
    if _HANDLER is None:
        from http.server import BaseHTTPRequestHandler

        class Handler(BaseHTTPRequestHandler):
            server: MetricsServer  # type: ignore[assignment]

            def do_GET(self) -> None:
                """``/metrics``: the metrics; ``/healthz``: 200 or 503 with a JSON reason; ``/``: an index."""
                session = self.server.session
                path = self.path.split("?", 1)[0].rstrip("/") or "/"
                if path == "/metrics":
                    exposition, content_type = session.exposition(self.headers.get("Accept"))
                    self._send(200, content_type, exposition)
                elif path in ("/healthz", "/livez"):
                    healthy, reason = session.health()
                    body = json.dumps({"healthy": healthy, "status": session.status(), "reason": reason,
                                       "job": session.key}) + "\n"
                    self._send(200 if healthy else 503, "application/json", body.encode())
                elif path == "/":
                    self._send(200, "text/plain; charset=utf-8", b"seatunnel-py: /metrics (Prometheus), /healthz\n")
                else:
                    self._send(404, "text/plain; charset=utf-8", b"not found: /metrics or /healthz\n")

            def _send(self, code: int, content_type: str, body: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Requests are logged at debug level only (a scrape every few seconds is no news)."""
                log.debug("metrics: %s %s", self.address_string(), format % args)

        _HANDLER = Handler
    return _HANDLER
