"""Prometheus metrics without a Prometheus (issue 15 item 2): the endpoint a run serves, its
liveness check, the options, and that a run without metrics pays nothing.

The real Pushgateway and Prometheus are in ``integration/test_metrics.py``.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from seatunnel_py.config.issues import ConfigErrors
from seatunnel_py.engine.exporter import STATUSES, MetricsSession, split_credentials
from seatunnel_py.engine.failures import JobFailed
from seatunnel_py.engine.metrics import JobMetrics
from seatunnel_py.engine.outcome import ExitCode, exit_code
from seatunnel_py.engine.state import Checkpoint
from seatunnel_py.engine.state.local import LocalStateStore
from seatunnel_py.jobs import run_job
from seatunnel_py.registry import Registry
from seatunnel_py.testing import wait_for

from .conftest import ROOT, run_cli
from .scripted import ScriptedSource

PASSWORD = "pushgateway-s3cr3t"


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    """(status, body) of a GET; a refused connection raises ``OSError``."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text exposition: (name, labels) → value."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], metric: str, /,
          **labels: str) -> float | None:
    """The value of one sample (``None`` when absent)."""
    return found.get((metric, frozenset(labels.items())))


def poll(condition: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """``wait_for`` with the arguments in this file's order."""
    return wait_for(condition, timeout, what, every=0.02)


class Background:
    """``run_job`` in a thread: its result or its exception once it ends."""

    def __init__(self, path: Path, **kwargs: Any) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(path,), kwargs=kwargs, daemon=True)
        self.thread.start()

    def _run(self, path: Path, **kwargs: Any) -> None:
        try:
            self.result = run_job(path, **kwargs)
        except BaseException as exc:
            self.error = exc

    def join(self) -> Any:
        self.thread.join(60)
        assert not self.thread.is_alive(), "the job did not end"
        return self.result


@contextmanager
def released_at_the_end() -> Iterator[None]:
    """Free a ``BLOCK``ed scripted reader whatever the test does."""
    try:
        yield
    finally:
        ScriptedSource.release.set()


def scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    status, body = get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    return samples(body)


def health(port: int) -> tuple[int, dict[str, Any]]:
    status, body = get(f"http://127.0.0.1:{port}/healthz")
    return status, json.loads(body)


def test_a_run_without_metrics_never_imports_the_exporter_nor_prometheus_client(write_job: Callable[..., Path]) -> None:
    path = write_job("""
        source { FakeSource { row.num = 10, schema = { fields { id = bigint } } } }
        sink { Console {} }
        """)
    code = ("import sys, threading; from seatunnel_py import run_job\n"
            f"result = run_job({str(path)!r})\n"
            "assert result.metrics.written_rows == 10\n"
            "print(sorted(m for m in sys.modules if m.startswith('prometheus_client')),"
            " [t.name for t in threading.enumerate() if t.name.startswith('metrics')],"
            " 'seatunnel_py.engine.exporter' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[] [] False"


def test_pushing_never_imports_prometheus_client(write_job: Callable[..., Path]) -> None:
    path = write_job(f"""
        env {{ metrics.pushgateway = "http://127.0.0.1:{free_port()}" }}
        source {{ FakeSource {{ row.num = 10, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Console {{}} }}
        """)
    code = ("import sys; from seatunnel_py import run_job\n"
            f"assert run_job({str(path)!r}).metrics.written_rows == 10\n"
            "print(sorted(m for m in sys.modules if m.startswith('prometheus_client')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "metrics: pushing to http://127.0.0.1:" in done.stderr  # it did try, and said so once


def test_a_served_run_shows_rows_checkpoints_queues_and_status(
        write_job: Callable[..., Path], reg: Registry) -> None:
    port = free_port()
    path = write_job(f"""
        env {{ job.name = served, checkpoint.interval = 50, metrics.port = {port}, metrics.host = "127.0.0.1" }}
        source {{ Scripted {{ script = [[2, "BLOCK", 3]] }} }}
        transform {{ Copy {{ fields {{ id2 = id }} }} }}
        sink {{ Recording {{}} }}
        """)
    with released_at_the_end():
        run = Background(path, registry=reg)
        found = poll(lambda: (m := scrape_when_up(port)) and value(m, "seatunnel_py_checkpoints_total") and
                     value(m, "seatunnel_py_rows_written_total") == 2 and m, "two rows written and a checkpoint")
        assert value(found, "seatunnel_py_run_status", status="running") == 1
        assert sum(value(found, "seatunnel_py_run_status", status=s) or 0 for s in STATUSES) == 1
        assert value(found, "seatunnel_py_healthy") == 1
        assert value(found, "seatunnel_py_rows_read_total") == 2
        assert value(found, "seatunnel_py_bytes_read_total") == value(
            found, "seatunnel_py_plugin_bytes_out_total", plugin="source.Scripted", kind="source", name="Scripted") > 0
        assert value(found, "seatunnel_py_plugin_rows_in_total", plugin="transform.Copy", kind="transform",
                     name="Copy") == 2
        assert value(found, "seatunnel_py_plugin_rows_in_total", plugin="sink.Recording", kind="sink",
                     name="Recording") == 2
        assert value(found, "seatunnel_py_plugin_batches_out_total", plugin="source.Scripted", kind="source",
                     name="Scripted") == 1
        info = next(labels for (name, labels) in found if name == "seatunnel_py_run_info")
        assert ("job_key", "served") in info and ("mode", "BATCH") in info
        assert value(found, "seatunnel_py_queue_capacity_batches", plugin="source.Scripted", task="0",
                     queue="read") == 4
        assert value(found, "seatunnel_py_queue_capacity_batches", plugin="source.Scripted", task="0",
                     queue="transformed") == 2
        assert 0 <= value(found, "seatunnel_py_queue_fill_ratio", plugin="source.Scripted", task="0",
                          queue="read") <= 1
        assert value(found, "seatunnel_py_checkpoint_last_size_bytes") > 0
        assert value(found, "seatunnel_py_checkpoint_last_duration_seconds") >= 0
        assert value(found, "seatunnel_py_checkpoint_last_success_timestamp_seconds") > 0
        assert value(found, "seatunnel_py_last_success_timestamp_seconds") is None  # not before it succeeded
        status, body = health(port)
        assert status == 200 and body["healthy"] and body["status"] == "running" and body["job"] == "served"
        ScriptedSource.release.set()
        result = run.join()
    assert run.error is None and result.metrics.written_rows == 5
    with pytest.raises(OSError):  # the endpoint ended with the run, and the port is free again
        get(f"http://127.0.0.1:{port}/metrics")
    with socket.socket() as again:  # as the next run's server binds it (connections may be in TIME_WAIT)
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def scrape_when_up(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float] | None:
    """The metrics, or ``None`` while nothing listens yet."""
    try:
        return scrape(port)
    except OSError:
        return None


class StallingStore(LocalStateStore):
    """A local store whose saves hang while ``stall`` is set (a state store that stopped answering)."""

    stall = threading.Event()
    stalled = threading.Event()
    resume = threading.Event()

    def save(self, checkpoint: Checkpoint) -> int:
        if StallingStore.stall.is_set():
            StallingStore.stalled.set()
            StallingStore.resume.wait(30)
        return super().save(checkpoint)


def test_healthz_fails_while_a_checkpoint_is_overdue_and_recovers(
        write_job: Callable[..., Path], reg: Registry, tmp_path: Path) -> None:
    port = free_port()
    path = write_job(f"""
        env {{ job.name = overdue, checkpoint.interval = 50, checkpoint.timeout = 400, metrics.port = {port} }}
        source {{ Scripted {{ script = [[1, "BLOCK", 1]] }} }}
        sink {{ Recording {{}} }}
        """)
    StallingStore.stall.clear()
    StallingStore.stalled.clear()
    StallingStore.resume.clear()
    store = StallingStore(tmp_path / "state")
    with released_at_the_end():
        try:
            run = Background(path, registry=reg, state_store=store)
            poll(lambda: (m := scrape_when_up(port)) and value(m, "seatunnel_py_checkpoints_total"), "a checkpoint")
            assert health(port)[0] == 200
            StallingStore.stall.set()
            _, body = poll(lambda: (h := health(port))[0] == 503 and h, "healthz to fail")
            assert not body["healthy"] and body["status"] == "running"
            assert "checkpoint overdue" in body["reason"] and "checkpoint.interval + checkpoint.timeout" in body["reason"]
            found = scrape(port)
            assert value(found, "seatunnel_py_healthy") == 0
            assert value(found, "seatunnel_py_checkpoint_in_flight_seconds") > 0
            StallingStore.stall.clear()
            StallingStore.resume.set()
            poll(lambda: health(port)[0] == 200, "healthz to pass again once checkpoints complete")
        finally:
            StallingStore.resume.set()
            ScriptedSource.release.set()
        run.join()
    assert run.error is None


def test_healthz_fails_once_the_job_is_failing(write_job: Callable[..., Path], reg: Registry) -> None:
    port = free_port()
    path = write_job(f"""
        env {{ job.name = failing, parallelism = 2, shutdown.timeout = 60000, metrics.port = {port} }}
        source {{ Scripted {{ script = [["BLOCK"], [1, "WAIT", "FAIL"]] }} }}
        sink {{ Recording {{}} }}
        """)
    with released_at_the_end():
        run = Background(path, registry=reg)
        # one reader fails, the other hangs: the run waits for it (shutdown.timeout) and is not healthy meanwhile
        _, body = poll(lambda: scrape_when_up(port) is not None and (h := health(port))[0] == 503 and h,
                            "healthz to fail")
        assert body["reason"].startswith("failing: source.Scripted: ") and "scripted failure in s1" in body["reason"]
        assert value(scrape(port), "seatunnel_py_healthy") == 0
        ScriptedSource.release.set()
        run.join()
    assert isinstance(run.error, JobFailed) and "scripted failure" in str(run.error)


def test_a_taken_port_fails_the_run_in_one_line_and_frees_the_lock(
        write_job: Callable[..., Path], reg: Registry) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        path = write_job(f"""
            env {{ job.name = taken, metrics.port = {port}, metrics.host = "127.0.0.1" }}
            source {{ Scripted {{ script = [[1]] }} }}
            sink {{ Recording {{}} }}
            """)
        with pytest.raises(JobFailed, match=rf"metrics failed: cannot serve metrics on 127.0.0.1:{port}: ") as failed:
            run_job(path, registry=reg)
        assert exit_code(failed.value) == ExitCode.FAILED
    assert run_job(path, registry=reg).metrics.written_rows == 1  # the lock was released, the port is free now


def test_an_unreachable_pushgateway_is_a_warning_not_a_failure(
        write_job: Callable[..., Path], reg: Registry, caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://metrics:{PASSWORD}@127.0.0.1:{free_port()}"
    path = write_job(f"""
        env {{ job.name = unpushed, metrics.pushgateway = "{url}" }}
        source {{ Scripted {{ script = [[4]] }} }}
        sink {{ Recording {{}} }}
        """)
    with caplog.at_level(logging.DEBUG, logger="seatunnel_py"):
        result = run_job(path, registry=reg)
    assert result.metrics.written_rows == 4
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("metrics: pushing to http://127.0.0.1:" in w and "failed" in w for w in warnings), warnings
    assert PASSWORD not in caplog.text


def test_options_are_checked_and_the_pushgateway_password_is_never_printed(
        write_job: Callable[..., Path]) -> None:
    body = "source { FakeSource { row.num = 1, schema = { fields { id = bigint } } } }\nsink { Console {} }\n"
    bad = write_job("env { metrics.port = 0, metrics.push.interval.seconds = 0 }\n" + body, name="bad.conf")
    with pytest.raises(ConfigErrors) as errors:
        from seatunnel_py.jobs import load_job

        load_job(bad)
    text = str(errors.value)
    assert "env.metrics.port" in text and "env.metrics.push.interval.seconds" in text
    good = write_job(f'env {{ metrics.pushgateway = "http://metrics:{PASSWORD}@gateway:9091" }}\n' + body)
    checked = run_cli("-v", "check", good)
    assert checked.returncode == 0, checked.stderr
    assert PASSWORD not in checked.stdout + checked.stderr


def test_split_credentials() -> None:
    assert split_credentials("http://gw:9091") == ("http://gw:9091", None, None)
    assert split_credentials("gw:9091/prefix") == ("http://gw:9091/prefix", None, None)
    assert split_credentials(f"https://me:{PASSWORD}@gw:9091/p") == ("https://gw:9091/p", "me", PASSWORD)
    assert split_credentials("http://me@[::1]:9091") == ("http://[::1]:9091", "me", None)


def test_status_and_health_between_attempts() -> None:
    session = MetricsSession(JobMetrics())
    assert session.status() == "running" and session.health() == (True, "starting")
    session.attempt_failed()
    assert session.status() == "retrying" and session.health()[0]
    session.close(JobFailed("sink.Jdbc", ConnectionError("refused")))
    assert session.status() == "retryable" and session.health() == (False, "retryable")


def test_the_pushed_text_format_parses_as_prometheus_client_reads_it() -> None:
    from seatunnel_py.engine.exporter import Family, render_text

    odd = 'quote " backslash \\ newline \n end'
    gauge = Family("seatunnel_py_g", "gauge", "help with \\ and \n", ("a", "b"))
    gauge.add_metric(["x", odd], 1.5)
    gauge.add_metric(["y", ""], float("inf"))
    counter = Family("seatunnel_py_c_total", "counter", "a counter")
    counter.add_metric([], 3)
    empty = Family("seatunnel_py_e", "gauge", "no samples", ("a",))
    families = {f.name: f for f in text_string_to_metric_families(render_text([gauge, counter, empty]).decode())}
    assert families["seatunnel_py_g"].documentation == "help with \\ and \n"
    assert [(s.labels, s.value) for s in families["seatunnel_py_g"].samples] == [
        ({"a": "x", "b": odd}, 1.5), ({"a": "y", "b": ""}, float("inf"))]
    assert families["seatunnel_py_c"].type == "counter"
    assert [(s.name, s.value) for s in families["seatunnel_py_c"].samples] == [("seatunnel_py_c_total", 3.0)]
    assert families["seatunnel_py_e"].samples == []
