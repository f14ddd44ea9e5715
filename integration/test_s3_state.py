"""Job state in an object store: ``s3://`` against a real S3-compatible server.

The server is moto in server mode, started by ``integration/services/s3.sh`` on 127.0.0.1:5000
with signature checking on: a request without the access key the script created is refused, so
these tests show that the credentials really come from the AWS environment variables. The
endpoint comes from ``AWS_ENDPOINT_URL`` or from the URL's ``endpoint_override`` option.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from seatunnel_py.testing import run_cli, wait_for
from seatunnel_py.testing.processes import committed_values, start_job, statistic, stop_job

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "integration" / "services" / "s3.sh"
SERVICES = Path.home() / ".local" / "share" / "seatunnel-py" / "services"
ENDPOINT = "http://127.0.0.1:5000"
BROKER = "127.0.0.1:9092"
HINT = "start the test services first: bash integration/services.sh start"


@dataclass(frozen=True)
class S3:
    """The test server, its credentials and a bucket of this module's own."""

    key: str
    secret: str
    bucket: str

    def env(self, **extra: str) -> dict[str, str]:
        """The environment a job on this server runs with: the usual AWS variables."""
        return {"AWS_ACCESS_KEY_ID": self.key, "AWS_SECRET_ACCESS_KEY": self.secret, "AWS_REGION": "us-east-1",
                "AWS_ENDPOINT_URL": ENDPOINT, "AWS_EC2_METADATA_DISABLED": "true", **extra}

    def fs(self) -> Any:
        """A ``pyarrow`` view of the server, to look at what a job saved."""
        from pyarrow import fs

        return fs.S3FileSystem(access_key=self.key, secret_key=self.secret, endpoint_override=ENDPOINT,
                               region="us-east-1", allow_bucket_creation=True)

    def read(self, path: str) -> bytes | None:
        """An object's bytes, ``None`` when there is none."""
        from pyarrow import fs

        s3 = self.fs()
        if s3.get_file_info(path).type == fs.FileType.NotFound:
            return None
        with s3.open_input_stream(path) as stream:
            return bytes(stream.read())


def _credentials() -> dict[str, str]:
    path = Path.home() / ".local/share/seatunnel-py/services/s3/credentials"
    if not path.is_file():
        return {}
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


@pytest.fixture(scope="module")
def s3() -> S3:
    """The running server (started through its script when it does not answer) and a new bucket."""
    try:
        subprocess.run(["bash", str(SERVICE), "start"], check=True, capture_output=True, timeout=300)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        output = getattr(exc, "stderr", b"") or b""
        pytest.fail(f"the S3 server could not be started ({exc}: {output.decode(errors='replace')[-500:]}); {HINT}")
    creds = _credentials()
    server = S3(creds["AWS_ACCESS_KEY_ID"], creds["AWS_SECRET_ACCESS_KEY"], f"state-{uuid.uuid4().hex[:10]}")
    server.fs().create_dir(server.bucket)
    return server


@pytest.fixture
def csv_job(write_job: Callable[..., Path], tmp_path: Path) -> Callable[[str], Path]:
    """A BATCH job: the CSV files of ``tmp_path/in`` into parquet under ``tmp_path/out``."""
    (tmp_path / "in").mkdir()

    def make(name: str) -> Path:
        return write_job(f"""
            env {{ job.mode = "BATCH", job.name = "{name}" }}
            source {{ LocalFile {{ path = "in", file_format_type = "csv", csv_use_header_line = true,
                                  schema = {{ fields {{ id = bigint }} }} }} }}
            sink {{ LocalFile {{ path = "out", file_format_type = "parquet" }} }}
            """)

    return make


def add_csv(folder: Path, name: str, ids: range) -> None:
    """One more input file."""
    (folder / name).write_text("id\n" + "".join(f"{i}\n" for i in ids))


@pytest.mark.parametrize("endpoint", ["AWS_ENDPOINT_URL", "endpoint_override"])
def test_a_cron_run_resumes_from_state_in_s3(s3: S3, csv_job: Callable[[str], Path], tmp_path: Path,
                                             endpoint: str) -> None:
    name = f"cron_{uuid.uuid4().hex[:8]}"
    job = csv_job(name)
    if endpoint == "AWS_ENDPOINT_URL":
        store, env = f"s3://{s3.bucket}/state", s3.env()
    else:
        store, env = f"s3://{s3.bucket}/state?endpoint_override={ENDPOINT}", s3.env(AWS_ENDPOINT_URL="")
    add_csv(tmp_path / "in", "a.csv", range(0, 5))
    add_csv(tmp_path / "in", "b.csv", range(5, 10))

    first = run_cli("run", "--no-progress", "--state-store", store, job, env=env)
    assert first.returncode == 0, first.stderr
    assert statistic(first.stdout, "Total Read Count") == 10
    saved = s3.read(f"{s3.bucket}/state/{name}/checkpoint.json")
    assert saved is not None and json.loads(saved)["job_name"] == name
    assert s3.read(f"{s3.bucket}/state/{name}/lock.json") is None  # the lease ends with the run

    add_csv(tmp_path / "in", "c.csv", range(10, 13))
    second = run_cli("run", "--no-progress", "--state-store", store, job, env=env)
    assert second.returncode == 0, second.stderr
    assert statistic(second.stdout, "Total Read Count") == 3
    assert sorted(committed_values(tmp_path / "out", "id")) == list(range(13))

    shown = run_cli("state", "show", name, "--state-store", store, env=env)
    assert shown.returncode == 0, shown.stderr
    assert "c.csv" in shown.stdout or "finished" in shown.stdout


def test_wrong_credentials_fail_in_one_line_without_the_secret(s3: S3, csv_job: Callable[[str], Path],
                                                              tmp_path: Path) -> None:
    job = csv_job(f"denied_{uuid.uuid4().hex[:8]}")
    add_csv(tmp_path / "in", "a.csv", range(3))
    wrong = "wrong-" + uuid.uuid4().hex
    result = run_cli("run", "--no-progress", "--state-store", f"s3://{s3.bucket}/state", job,
                     env=s3.env(AWS_SECRET_ACCESS_KEY=wrong))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"ERROR state store s3://{s3.bucket}/state: ")
    assert "ACCESS_DENIED" in lines[0]
    assert wrong not in result.stdout + result.stderr
    assert not (tmp_path / "out").exists() or committed_values(tmp_path / "out", "id") == []


# ---- the run lock and a killed run, on a STREAMING job reading Kafka ---------------------------------------


@pytest.fixture
def topic() -> Iterator[str]:
    """A new one-partition topic on the test broker (deleted afterwards)."""
    admin = _admin()
    from confluent_kafka.admin import NewTopic

    name = f"s3state_{uuid.uuid4().hex[:10]}"
    for future in admin.create_topics([NewTopic(name, 1, 1)]).values():
        future.result(timeout=30)
    yield name
    for future in admin.delete_topics([name]).values():
        with contextlib.suppress(Exception):  # deleting is a courtesy: every test uses a new name
            future.result(timeout=30)


def _admin() -> Any:
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": BROKER})
    try:
        admin.list_topics(timeout=10)
    except Exception as exc:
        pytest.fail(f"the Kafka broker on {BROKER} does not answer ({exc}); {HINT}")
    return admin


def produce(topic: str, ids: range) -> None:
    """``{"id": i}`` messages, flushed."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": BROKER})
    for i in ids:
        producer.produce(topic, json.dumps({"id": i}).encode())
    assert producer.flush(30) == 0


def streaming_job(write_job: Callable[..., Path], name: str, topic: str) -> Path:
    """Kafka → parquet, a checkpoint every 300 ms."""
    return write_job(f"""
        env {{ job.mode = "STREAMING", job.name = "{name}", checkpoint.interval = 300 }}
        source {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{topic}", consumer.group = "{name}",
                          start_mode = earliest, format = json, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ LocalFile {{ path = "out", file_format_type = "parquet" }} }}
        """, name="stream.conf")


def test_the_lease_refuses_a_second_run_and_a_killed_run_resumes(s3: S3, topic: str, tmp_path: Path,
                                                                   write_job: Callable[..., Path]) -> None:
    name = f"stream_{uuid.uuid4().hex[:8]}"
    job = streaming_job(write_job, name, topic)
    store = f"s3://{s3.bucket}/state"
    out = tmp_path / "out"
    produce(topic, range(0, 20))

    first = start_job(job, "--state-store", store, env=s3.env())
    try:
        wait_for(lambda: sorted(committed_values(out, "id")) == list(range(20)), 60,
                 "the first run to commit 20 rows")
        lease = json.loads(s3.read(f"{s3.bucket}/state/{name}/lock.json") or b"{}")
        assert lease["pid"] == first.pid

        second = run_cli("run", "--no-progress", "--state-store", store, job, env=s3.env(), timeout=60)
        assert second.returncode == 75  # retryable (EX_TEMPFAIL): the lease is held by a live run
        lines = [line for line in second.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, second.stderr
        assert re.fullmatch(rf"ERROR job '{name}' is already running \(.*:{first.pid} holds the lease in "
                            rf"s3://{s3.bucket}/state until .*\); two runs of one job at once would corrupt its state",
                            lines[0]), lines[0]
    finally:
        first.kill()  # SIGKILL: no final checkpoint, the lease stays behind
        first.communicate(timeout=30)
    assert s3.read(f"{s3.bucket}/state/{name}/lock.json") is not None

    produce(topic, range(20, 35))
    third = start_job(job, "--state-store", store, env=s3.env())
    try:
        # the dead process's lease (same host) is taken over at once, and the run goes on from the
        # last checkpoint: what was committed is not written again, what is new is read
        wait_for(lambda: len(committed_values(out, "id")) >= 35, 60, "the resumed run to commit 35 rows")
    finally:
        stdout, stderr = stop_job(third)
    assert third.returncode == 0, stderr
    assert sorted(committed_values(out, "id")) == list(range(35))
    assert statistic(stdout, "Total Read Count") == 15
    assert s3.read(f"{s3.bucket}/state/{name}/lock.json") is None


@pytest.mark.parametrize(("uri", "environ", "expected"), [
    ("s3://b/state", {"AWS_ENDPOINT_URL": "http://h:9000"}, "s3://b/state?endpoint_override=http%3A%2F%2Fh%3A9000"),
    ("s3://b/state", {"AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_S3": "https://s3only"},
     "s3://b/state?endpoint_override=https%3A%2F%2Fs3only"),
    ("s3://b/state?region=eu-west-1", {"AWS_ENDPOINT_URL": "http://h"},
     "s3://b/state?region=eu-west-1&endpoint_override=http%3A%2F%2Fh"),
    ("s3://b/state?endpoint_override=http://mine", {"AWS_ENDPOINT_URL": "http://h"},
     "s3://b/state?endpoint_override=http://mine"),
    ("s3://b/state", {}, "s3://b/state"),
    ("gs://b/state", {"AWS_ENDPOINT_URL": "http://h"}, "gs://b/state"),
])
def test_the_endpoint_comes_from_the_url_first_then_the_aws_variables(uri: str, environ: dict[str, str],
                                                                      expected: str) -> None:
    from seatunnel_py.engine.state.objectstore import with_endpoint

    assert with_endpoint(uri, environ) == expected
