"""Prometheus metrics against the real Prometheus Pushgateway and Prometheus (issue 15 item 2).

The servers are the Debian packages run by ``integration/services/prometheus.sh``: the
Pushgateway on 127.0.0.1:9091 and Prometheus on 127.0.0.1:9090, which scrapes the
Pushgateway (``honor_labels``) and every target a test lists in a JSON file of its
``targets/`` folder (file service discovery), every second. Jobs run as real
``seatunnel-py`` processes; each test uses job names of its own and deletes its
Pushgateway group afterwards. The Kafka lag test uses the broker of
``integration/services/kafka.sh``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from seatunnel_py.testing import run_cli, start_job, statistic, wait_for

GATEWAY = "http://127.0.0.1:9091"
PROMETHEUS = "http://127.0.0.1:9090"
BROKER = "127.0.0.1:9092"
SERVICES = Path(os.environ.get("SEATUNNEL_PY_SERVICES", "~/.local/share/seatunnel-py/services")).expanduser()
TARGETS = SERVICES / "prometheus" / "targets"
HINT = "start the test services first: bash integration/services.sh start (or integration/services/prometheus.sh)"
PASSWORD = "gateway-s3cr3t-pw"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def http(url: str, method: str = "GET") -> tuple[int, str]:
    """(status, body) of one request; a refused connection raises ``OSError``."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module", autouse=True)
def servers() -> None:
    """Both servers answer (the suite's services script starts them)."""
    for url in (GATEWAY, PROMETHEUS):
        try:
            status, _ = http(f"{url}/-/ready")
        except OSError as exc:
            pytest.fail(f"{url} does not answer ({exc}); {HINT}")
        assert status == 200, f"{url} is not ready; {HINT}"


def poll(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """``wait_for`` with the arguments in this file's order."""
    return wait_for(condition, timeout, what, every=0.1)


def samples(text: str, **only: str) -> Samples:
    """The samples of a text exposition whose labels include ``only``; those labels left out of the keys."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if all(sample.labels.get(k) == v for k, v in only.items()):
                labels = frozenset((k, v) for k, v in sample.labels.items() if k not in only and k != "instance")
                found[(sample.name, labels)] = sample.value
    return found


def value(found: Samples, metric: str, /, **labels: str) -> float | None:
    """One sample's value (``None`` when absent)."""
    return found.get((metric, frozenset(labels.items())))


def group(key: str) -> Samples:
    """What the Pushgateway holds for job ``key``."""
    status, body = http(f"{GATEWAY}/metrics")
    assert status == 200
    return samples(body, job=key)


@pytest.fixture
def job_key() -> Iterator[str]:
    """A job name of the test's own; its Pushgateway group is deleted afterwards."""
    key = f"metrics_{uuid.uuid4().hex[:10]}"
    yield key
    http(f"{GATEWAY}/metrics/job/{key}", method="DELETE")


def query(expression: str) -> list[dict[str, Any]]:
    """The result vector of an instant PromQL query."""
    status, body = http(f"{PROMETHEUS}/api/v1/query?" + urllib.parse.urlencode({"query": expression}))
    assert status == 200, body
    return list(json.loads(body)["data"]["result"])


def query_value(expression: str) -> float | None:
    """The value of a query that yields one series (``None`` while it yields none)."""
    result = query(expression)
    return float(result[0]["value"][1]) if len(result) == 1 else None


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scraped(port: int) -> Samples | None:
    """What the job serves at /metrics (``None`` while nothing listens)."""
    try:
        status, body = http(f"http://127.0.0.1:{port}/metrics")
    except OSError:
        return None
    return samples(body) if status == 200 else None


STREAM = """
env {{ job.mode = STREAMING, job.name = {key}, checkpoint.interval = 300, read_limit.rows_per_second = 4000,
      {metrics} }}
source {{
  FakeSource {{
    row.num = 1000000, batch.size = 200, auto.increment.enabled = true
    schema = {{ fields {{ id = bigint, name = string }} }}
  }}
}}
sink {{ LocalFile {{ path = "{out}", file_format_type = parquet }} }}
"""


def stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGTERM (final checkpoint, exit 0); its stdout and stderr."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.communicate(timeout=60)
    finally:
        proc.kill()


def test_a_streaming_run_pushes_while_it_runs_and_its_outcome_at_the_end(
        write_job: Callable[..., Path], job_key: str, tmp_path: Path) -> None:
    gateway = f"http://metrics:{PASSWORD}@127.0.0.1:9091"  # credentials: sent as basic auth, shown nowhere
    job = write_job(STREAM.format(key=job_key, out=tmp_path / "out", metrics=(
        f'metrics.pushgateway = "{gateway}", metrics.push.interval.seconds = 1')))
    proc = start_job(job, state=tmp_path / "state")
    try:
        running = poll(lambda: (g := group(job_key)) and value(g, "seatunnel_py_run_status", status="running") == 1
                       and (value(g, "seatunnel_py_checkpoints_total") or 0) >= 1 and g, "a push while running")
        stdout, stderr = stop(proc)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert value(running, "seatunnel_py_last_success_timestamp_seconds") is None
    assert (value(running, "seatunnel_py_rows_read_total") or 0) > 0
    final = group(job_key)
    assert value(final, "seatunnel_py_run_status", status="succeeded") == 1
    assert value(final, "seatunnel_py_run_status", status="running") == 0
    written = statistic(stdout, "Total Write Count")
    assert value(final, "seatunnel_py_rows_written_total") == written == value(final, "seatunnel_py_rows_read_total")
    assert value(final, "seatunnel_py_plugin_rows_in_total", plugin="sink.LocalFile", kind="sink",
                 name="LocalFile") == written
    assert value(final, "seatunnel_py_checkpoints_total") >= value(running, "seatunnel_py_checkpoints_total")
    assert value(final, "seatunnel_py_checkpoint_last_size_bytes") > 0
    assert value(final, "seatunnel_py_last_success_timestamp_seconds") >= value(
        final, "seatunnel_py_run_start_timestamp_seconds")
    assert value(final, "push_time_seconds") > 0 and value(final, "push_failure_time_seconds") == 0
    everything = http(f"{GATEWAY}/metrics")[1] + http(f"{GATEWAY}/api/v1/metrics")[1]
    assert PASSWORD not in everything + stdout + stderr
    # Prometheus scrapes the gateway and keeps the job's own label (honor_labels)
    poll(lambda: query_value(f'seatunnel_py_rows_written_total{{job="{job_key}"}}') == written,
         "Prometheus to scrape the pushed rows from the gateway")
    assert query_value(f'seatunnel_py_run_status{{job="{job_key}", status="succeeded"}}') == 1


def test_a_failed_batch_run_pushes_failed_and_keeps_the_last_success(
        write_job: Callable[..., Path], job_key: str, tmp_path: Path) -> None:
    env = f'env {{ job.name = {job_key}, metrics.pushgateway = "{GATEWAY}" }}\n'
    source = "source { FakeSource { row.num = 1000, schema = { fields { id = bigint } } } }\n"
    sink = f'sink {{ LocalFile {{ path = "{tmp_path / "out"}", file_format_type = parquet }} }}'
    good = write_job(env + source + sink, name="good.conf")
    done = run_cli("run", "--no-progress", good)
    assert done.returncode == 0, done.stderr
    first = group(job_key)
    assert value(first, "seatunnel_py_run_status", status="succeeded") == 1
    assert value(first, "seatunnel_py_rows_written_total") == 1000
    assert value(first, "seatunnel_py_bytes_written_total") > 0
    assert value(first, "seatunnel_py_checkpoint_last_id") == value(first, "seatunnel_py_checkpoints_total") == 1
    assert value(first, "seatunnel_py_run_attempts") == 1
    succeeded_at = value(first, "seatunnel_py_last_success_timestamp_seconds")
    assert succeeded_at is not None

    assert_sink = "sink { Assert { rules { row_rules = [{ rule_type = MAX_ROW, rule_value = 10 }] } } }"
    bad = write_job(env + source + assert_sink, name="bad.conf")
    failed = run_cli("run", "--no-progress", "--ignore-state", bad)
    assert failed.returncode == 1, failed.stderr
    after = group(job_key)
    assert value(after, "seatunnel_py_run_status", status="failed") == 1
    assert value(after, "seatunnel_py_run_status", status="succeeded") == 0
    assert value(after, "seatunnel_py_rows_read_total") == 1000
    assert value(after, "seatunnel_py_plugin_rows_in_total", plugin="sink.Assert", kind="sink", name="Assert") == 1000
    # a failed run does not push the success time: the Pushgateway keeps the last successful run's
    assert value(after, "seatunnel_py_last_success_timestamp_seconds") == succeeded_at
    poll(lambda: query_value(f'time() - seatunnel_py_last_success_timestamp_seconds{{job="{job_key}"}}') is not None
         and query_value(f'seatunnel_py_run_status{{job="{job_key}", status="failed"}}') == 1,
         "Prometheus to see the failed run and the last success")


def test_a_streaming_run_is_scraped_by_prometheus(
        write_job: Callable[..., Path], job_key: str, tmp_path: Path) -> None:
    port = free_port()
    job = write_job(STREAM.format(key=job_key, out=tmp_path / "out",
                                  metrics=f'metrics.port = {port}, metrics.host = "127.0.0.1"'))
    proc = start_job(job, state=tmp_path / "state")
    target = TARGETS / f"{job_key}.json"
    try:
        poll(lambda: scraped(port), "the job to serve /metrics", timeout=30)
        TARGETS.mkdir(parents=True, exist_ok=True)
        staged = target.with_suffix(".tmp")  # Prometheus reads *.json: write it whole, then rename
        staged.write_text(json.dumps([{"targets": [f"127.0.0.1:{port}"], "labels": {"test_job": job_key}}]))
        staged.rename(target)
        selector = f'{{job="seatunnel_py", test_job="{job_key}"}}'
        poll(lambda: query_value(f"up{selector}") == 1, "Prometheus to scrape the job")
        poll(lambda: (query_value(f"seatunnel_py_checkpoints_total{selector}") or 0) >= 2
             and (query_value(f"seatunnel_py_rows_written_total{selector}") or 0) > 0,
             "scraped checkpoints and rows")
        assert query_value(f"seatunnel_py_healthy{selector}") == 1
        assert query_value(f'seatunnel_py_run_status{{status="running", test_job="{job_key}"}}') == 1
        assert query_value(f"seatunnel_py_checkpoint_last_size_bytes{selector}") > 0
        assert query_value(f'seatunnel_py_run_info{{job_key="{job_key}", mode="STREAMING", test_job="{job_key}"}}') == 1
        fill = query(f'seatunnel_py_queue_fill_ratio{{test_job="{job_key}"}}')
        assert [r["metric"]["plugin"] for r in fill] == ["source.FakeSource"]
        assert 0 <= float(fill[0]["value"][1]) <= 1
        status, body = http(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and json.loads(body)["healthy"] is True
        _, stderr = stop(proc)
    finally:
        proc.kill()
        target.unlink(missing_ok=True)
    assert proc.returncode == 0, stderr
    assert scraped(port) is None  # the endpoint ends with the run
    poll(lambda: query_value(f"up{selector}") == 0, "Prometheus to see the target down")


def test_kafka_lag_is_reported_until_the_source_catches_up(
        write_job: Callable[..., Path], job_key: str, tmp_path: Path) -> None:
    if subprocess.run(["kcat", "-b", BROKER, "-L", "-m", "3"], capture_output=True).returncode != 0:
        pytest.fail(f"the Kafka broker does not answer on {BROKER}; {HINT}")
    topic = f"lag_{uuid.uuid4().hex[:10]}"
    messages = 3000
    produced = subprocess.run(["kcat", "-b", BROKER, "-P", "-t", topic, "-p", "0"],
                              input="".join(f"m{i}\n" for i in range(messages)), text=True, capture_output=True)
    assert produced.returncode == 0, produced.stderr
    port = free_port()
    job = write_job(f"""
        env {{ job.mode = STREAMING, job.name = {job_key}, checkpoint.interval = 500,
              read_limit.rows_per_second = 300, metrics.port = {port}, metrics.host = "127.0.0.1" }}
        source {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{topic}", consumer.group = "{job_key}",
                          start_mode = earliest, format = text, batch_size = 50 }} }}
        sink {{ LocalFile {{ path = "{tmp_path / 'out'}", file_format_type = parquet }} }}
        """)
    proc = start_job(job, state=tmp_path / "state")
    split = f"{topic}-0"
    try:
        def lag() -> float | None:
            found = scraped(port)
            return None if found is None else value(found, "seatunnel_py_source_lag_records", plugin="source.Kafka",
                                                    split=split)

        # batches of 50 at 300 rows/s: the source's position stays behind the end for about 10 s
        behind = poll(lambda: (v := lag()) is not None and v > 0 and v, "a lag while the source reads (rate-limited)")
        assert behind <= messages
        poll(lambda: lag() == 0, "the lag to reach 0 once every message is read", timeout=120)
        assert value(scraped(port) or {}, "seatunnel_py_rows_read_total") == messages
        _, stderr = stop(proc)
    finally:
        proc.kill()
        with_admin_delete(topic)
    assert proc.returncode == 0, stderr


def with_admin_delete(topic: str) -> None:
    """Delete the test's topic (a courtesy: names are unique)."""
    from confluent_kafka.admin import AdminClient

    for future in AdminClient({"bootstrap.servers": BROKER}).delete_topics([topic]).values():
        with contextlib.suppress(Exception):
            future.result(10)
