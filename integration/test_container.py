"""The image, built from the project's Dockerfile and run by a real Docker engine.

``integration/services/docker.sh`` installs and starts the engine (Debian's docker.io, no bridge
network) and makes the base image the Dockerfile's FROM names; ``deploy/image.sh`` builds the
image as ``make image`` does. The containers run with ``--network host`` to reach the test
services (PostgreSQL, Kafka) or ``--network none``. The schedules in ``deploy/`` are run the way
their scheduler runs them: the crontab line with cron's bare environment, the systemd unit's
ExecStart, the DolphinScheduler Shell task after its parameters are substituted.

When the engine cannot start on a machine, every test here is skipped with the reason the
service script recorded (never silently); anything else that goes wrong fails.
"""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import seatunnel_py
from seatunnel_py.testing import run_cli, wait_for
from seatunnel_py.testing.processes import committed_values, statistic

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
SERVICES = Path(os.environ.get("SEATUNNEL_PY_SERVICES", Path.home() / ".local/share/seatunnel-py/services"))
IMAGE = "seatunnel-py:test"
BROKER = "127.0.0.1:9092"
PG_STORE = "postgresql://seatunnel:seatunnel@127.0.0.1:5432/seatunnel"
HINT = "start the test services first: bash integration/services.sh start"

pytestmark = pytest.mark.slow


def docker(*args: str, timeout: float = 120, check: bool = False) -> subprocess.CompletedProcess[str]:
    """``docker ARGS`` to its end, output captured."""
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {shlex.join(args)} exited {result.returncode}: {result.stderr}")
    return result


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The engine started, the image built from the project's Dockerfile; its tag."""
    try:
        started = subprocess.run(["bash", str(ROOT / "integration/services/docker.sh"), "start"],
                                 capture_output=True, text=True, timeout=900, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("integration/services/docker.sh start did not end within 15 minutes")
    unavailable = SERVICES / "docker" / "unavailable"
    if unavailable.is_file():
        pytest.skip(f"container tests skipped: {unavailable.read_text().strip()}")
    if started.returncode != 0:
        pytest.fail(f"integration/services/docker.sh start failed ({started.returncode}):\n"
                    f"{started.stdout[-2000:]}{started.stderr[-2000:]}")
    log = tmp_path_factory.mktemp("build") / "build.log"
    built = subprocess.run(["bash", str(DEPLOY / "image.sh")], capture_output=True, text=True, timeout=1800,
                           check=False, env={**os.environ, "IMAGE": IMAGE, "BUILD_LOG": str(log)})
    if built.returncode != 0:
        build_log = log.read_text()[-3000:] if log.exists() else ""
        pytest.fail(f"deploy/image.sh failed ({built.returncode}):\n{built.stdout[-2000:]}{built.stderr[-2000:]}"
                    f"\n{build_log}")
    return IMAGE


@dataclass
class Folders:
    """Host folders mounted into the containers: /jobs, /data (in, out) and /state."""

    jobs: Path
    data: Path
    state: Path

    @property
    def out(self) -> Path:
        return self.data / "out"

    def job(self, text: str, name: str = "job.conf") -> str:
        (self.jobs / name).write_text(text)
        return name

    def mounts(self, state: bool = True) -> list[str]:
        volumes = ["-v", f"{self.jobs}:/jobs:ro", "-v", f"{self.data}:/data"]
        return [*volumes, "-v", f"{self.state}:/state"] if state else volumes

    def config(self, image: str, network: str = "none") -> Path:
        """A ``run.env`` for deploy/run-container.sh naming these folders."""
        path = self.jobs.parent / "run.env"
        path.write_text(f"SEATUNNEL_PY_IMAGE={image}\nSEATUNNEL_PY_JOBS={self.jobs}\nSEATUNNEL_PY_STATE={self.state}\n"
                        f"SEATUNNEL_PY_DATA={self.data}\nSEATUNNEL_PY_NETWORK={network}\nSEATUNNEL_PY_STOP_TIMEOUT=20\n")
        return path


@pytest.fixture
def folders(tmp_path: Path) -> Folders:
    """Empty folders the image's user (uid 10001) may write to, as a host would prepare them."""
    made = Folders(tmp_path / "jobs", tmp_path / "data", tmp_path / "state")
    for folder in (made.jobs, made.data, made.data / "in", made.state):
        folder.mkdir(parents=True)
    for folder in (made.data, made.data / "in", made.state):
        folder.chmod(0o777)
    return made


def add_csv(folders: Folders, name: str, ids: range) -> None:
    """One more input file under /data/in."""
    (folders.data / "in" / name).write_text("id\n" + "".join(f"{i}\n" for i in ids))


def csv_job(name: str) -> str:
    """A BATCH job: CSV files of /data/in into parquet under /data/out."""
    return f"""
env {{ job.mode = "BATCH", job.name = "{name}" }}
source {{ LocalFile {{ path = "/data/in", file_format_type = "csv", csv_use_header_line = true,
                      schema = {{ fields {{ id = bigint }} }} }} }}
sink {{ LocalFile {{ path = "/data/out", file_format_type = "parquet" }} }}
"""


def nonblank(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# ---- the image --------------------------------------------------------------------------------------------


def test_version_check_and_what_the_image_holds(image: str, folders: Folders) -> None:
    version = docker("run", "--rm", "--network", "none", image, "--version", check=True)
    assert version.stdout.strip() == f"seatunnel-py {seatunnel_py.__version__}"

    good = folders.job(csv_job("checked"))
    checked = docker("run", "--rm", "--network", "none", *folders.mounts(), image, "check", f"/jobs/{good}")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("/jobs/job.conf: OK (BATCH, job key = checked)")
    bad = folders.job('env { job.mode = "FAST" }\nsource { FakeSource { row.nm = 3 } }\nsink { Console {} }\n',
                      "bad.conf")
    refused = docker("run", "--rm", "--network", "none", *folders.mounts(), image, "check", f"/jobs/{bad}")
    assert refused.returncode == 2
    assert "/jobs/bad.conf:1: env.job.mode: got 'FAST'" in refused.stderr
    assert "/jobs/bad.conf:2: source.FakeSource.row.nm: unknown option (did you mean 'row.num'?)" in refused.stderr

    config = json.loads(docker("image", "inspect", image, check=True).stdout)[0]["Config"]
    assert config["User"] == "10001"
    assert config["Entrypoint"] == ["dumb-init", "--", "seatunnel-py"]
    assert set(config["Volumes"]) == {"/jobs", "/state"}
    assert "SEATUNNEL_PY_STATE_STORE=/state" in config["Env"]
    labels = config["Labels"]
    assert labels["org.opencontainers.image.version"] == seatunnel_py.__version__
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    if head.returncode == 0:
        assert labels["org.opencontainers.image.revision"] == head.stdout.strip()
    assert labels["seatunnel-py.connectors"] == "clickhouse files jdbc kafka sql"

    # nothing to compile with; in what the build added (the base image's own files aside): no wheels,
    # caches or build leftovers, no pip in the venv
    leftovers = docker("run", "--rm", "--network", "none", "--entrypoint", "sh", image, "-c",
                       "for t in gcc cc c++ g++ ld strip make; do command -v $t; done; "
                       "ls /opt/seatunnel-py/bin/pip* 2>/dev/null; "
                       "find /opt /home /root /tmp /jobs /state /wheels /src \\( -name '*.whl' -o -name .cache "
                       "-o -name '*.egg-info' -o -name tests -o -name build \\) -print 2>/dev/null; true", check=True)
    assert leftovers.stdout == ""


# ---- BATCH: state in a volume, through the schedules of deploy/ -------------------------------------------------


def cron_command(folders: Folders, job: str, log: Path) -> tuple[str, dict[str, str]]:
    """The command of deploy/cron's job line, for this checkout and these folders, and cron's environment."""
    lines = [line for line in (DEPLOY / "cron" / "seatunnel-py").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    variables = dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z_]+=", line))
    entries = [line for line in lines if not re.match(r"^[A-Z_]+=", line)]
    assert len(entries) == 1, entries
    fields = entries[0].split(None, 6)
    assert fields[:5] == ["*/15", "*", "*", "*", "*"] and fields[5] == "root"
    command = fields[6]
    assert "%" not in command.replace("\\%", "")  # cron would cut the command at a bare %
    command = (command.replace("/opt/seatunnel-py/deploy/", f"{DEPLOY}/")
               .replace("orders.conf", job).replace("/var/log/seatunnel-py/orders.log", str(log)))
    # what cron passes: its own few variables and those of the file, nothing of ours
    env = {"HOME": "/root", "LOGNAME": "root", "SHELL": "/bin/sh", **variables,
           "SEATUNNEL_PY_CONFIG": str(folders.jobs.parent / "run.env")}
    return command, env


def systemd_command(job_stem: str) -> tuple[list[str], dict[str, str]]:
    """The ExecStart of deploy/systemd's service for instance ``job_stem``, and its Environment=."""
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "systemd" / "seatunnel-py@.service")
    service = unit["Service"]
    assert int(service["TimeoutStopSec"]) >= 60
    argv = shlex.split(service["ExecStart"].replace("%i", job_stem))
    argv[0] = argv[0].replace("/opt/seatunnel-py/deploy/", f"{DEPLOY}/")
    name, value = service["Environment"].split("=", 1)
    return argv, {name: value}


def test_systemd_units_verify(tmp_path: Path) -> None:
    """``systemd-analyze verify`` accepts the service and the timer (as an instance, run from this checkout)."""
    for suffix in ("service", "timer"):
        text = (DEPLOY / "systemd" / f"seatunnel-py@.{suffix}").read_text()
        (tmp_path / f"seatunnel-py@orders.{suffix}").write_text(text.replace("/opt/seatunnel-py/deploy/",
                                                                            f"{DEPLOY}/"))
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "seatunnel-py@orders.timer"),
                             str(tmp_path / "seatunnel-py@orders.service")],
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
    calendar = subprocess.run(["systemd-analyze", "calendar", "*:0/15"], capture_output=True, text=True,
                              check=False, timeout=60)
    assert "Normalized form: *-*-* *:00/15:00" in calendar.stdout


def test_batch_job_resumes_from_the_state_volume_by_hand_cron_and_systemd(image: str, folders: Folders,
                                                                           tmp_path: Path) -> None:
    name = f"cron_{uuid.uuid4().hex[:8]}"
    job = folders.job(csv_job(name), f"{name}.conf")
    add_csv(folders, "a.csv", range(0, 5))
    add_csv(folders, "b.csv", range(5, 10))

    # 1. by hand, read-only root filesystem as in the Kubernetes manifests
    first = docker("run", "--rm", "--network", "none", "--read-only", "--tmpfs", "/tmp", *folders.mounts(), image,
                   "run", "--no-progress", f"/jobs/{job}")
    assert first.returncode == 0, first.stderr
    assert statistic(first.stdout, "Total Read Count") == 10
    assert (folders.state / name / "checkpoint.json").is_file()

    # 2. the crontab line, as cron runs it
    folders.config(image)
    add_csv(folders, "c.csv", range(10, 13))
    command, env = cron_command(folders, job, tmp_path / "cron.log")
    cron = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    log = (tmp_path / "cron.log").read_text()
    assert cron.returncode == 0, log
    assert statistic(log, "Total Read Count") == 3

    # 3. the systemd service's ExecStart, with its Environment= (pointed at these folders)
    add_csv(folders, "d.csv", range(13, 20))
    argv, unit_env = systemd_command(Path(job).stem)
    assert unit_env == {"SEATUNNEL_PY_CONFIG": "/etc/seatunnel-py/run.env"}
    timer = subprocess.run(argv, env={"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
                                      "SEATUNNEL_PY_CONFIG": str(folders.jobs.parent / "run.env")},
                           capture_output=True, text=True, timeout=120, check=False)
    assert timer.returncode == 0, timer.stderr
    assert statistic(timer.stdout, "Total Read Count") == 7
    assert sorted(committed_values(folders.out, "id")) == list(range(20))


def test_batch_job_keeps_its_state_in_postgresql_without_a_volume(image: str, folders: Folders,
                                                                    tmp_path: Path) -> None:
    name = f"pgstate_{uuid.uuid4().hex[:8]}"
    job = folders.job(csv_job(name))
    env_file = tmp_path / "secrets.env"  # the store's password stays off the command line
    env_file.write_text(f"SEATUNNEL_PY_STATE_STORE={PG_STORE}\n")
    env_file.chmod(0o600)
    run = ["run", "--rm", "--network", "host", "--env-file", str(env_file), *folders.mounts(state=False), image,
           "run", "--no-progress", f"/jobs/{job}"]
    try:
        add_csv(folders, "a.csv", range(0, 4))
        first = docker(*run)
        assert first.returncode == 0, first.stderr
        assert statistic(first.stdout, "Total Read Count") == 4
        add_csv(folders, "b.csv", range(4, 6))
        second = docker(*run)
        assert second.returncode == 0, second.stderr
        assert statistic(second.stdout, "Total Read Count") == 2
        assert "Resumed From Checkpoint" in second.stdout
        assert ":seatunnel@" not in first.stdout + first.stderr + second.stdout + second.stderr
        assert sorted(committed_values(folders.out, "id")) == list(range(6))
        shown = run_cli("state", "show", name, "--state-store", PG_STORE)
        assert shown.returncode == 0, shown.stderr
    finally:
        run_cli("state", "reset", name, "--yes", "--state-store", PG_STORE)


# ---- STREAMING: docker stop, a restart, the lock ------------------------------------------------------------


@pytest.fixture
def topic() -> Iterator[str]:
    """A new one-partition topic on the test broker (deleted afterwards)."""
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": BROKER})
    try:
        admin.list_topics(timeout=10)
    except Exception as exc:
        pytest.fail(f"the Kafka broker on {BROKER} does not answer ({exc}); {HINT}")
    name = f"container_{uuid.uuid4().hex[:10]}"
    for future in admin.create_topics([NewTopic(name, 1, 1)]).values():
        future.result(timeout=30)
    yield name
    for future in admin.delete_topics([name]).values():
        with contextlib.suppress(Exception):  # a courtesy: every test uses a new name
            future.result(timeout=30)


def produce(topic: str, ids: range) -> None:
    """``{"id": i}`` messages, flushed."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": BROKER})
    for i in ids:
        producer.produce(topic, json.dumps({"id": i}).encode())
    assert producer.flush(30) == 0


@contextlib.contextmanager
def detached(*args: str) -> Iterator[str]:
    """``docker run -d ARGS``; the container is removed at the end whatever happens."""
    started = docker("run", "-d", *args, check=True)
    cid = started.stdout.strip()
    try:
        yield cid
    finally:
        docker("rm", "-f", cid)


def exit_code(cid: str) -> int:
    """The exit code of a container that has ended."""
    return int(docker("wait", cid, check=True).stdout.strip())


def test_streaming_job_stops_with_docker_stop_and_continues(image: str, folders: Folders, topic: str) -> None:
    name = f"stream_{uuid.uuid4().hex[:8]}"
    job = folders.job(f"""
env {{ job.mode = "STREAMING", job.name = "{name}", checkpoint.interval = 500 }}
source {{ Kafka {{ bootstrap.servers = "{BROKER}", topic = "{topic}", consumer.group = "{name}",
                  start_mode = earliest, format = json, schema = {{ fields {{ id = bigint }} }} }} }}
sink {{ LocalFile {{ path = "/data/out", file_format_type = "parquet" }} }}
""", f"{name}.conf")
    produce(topic, range(0, 30))
    with detached("--network", "host", *folders.mounts(), image, "run", "--no-progress", f"/jobs/{job}") as cid:
        wait_for(lambda: sorted(committed_values(folders.out, "id")) == list(range(30)), 90,
                 "the container to commit 30 rows")
        checkpoint = json.loads((folders.state / name / "checkpoint.json").read_text())
        stopped = docker("stop", cid, timeout=60)  # SIGTERM, then SIGKILL after docker's 10 s grace period
        assert stopped.returncode == 0, stopped.stderr
        assert exit_code(cid) == 0
        state = json.loads(docker("inspect", cid, check=True).stdout)[0]["State"]
        assert not state["OOMKilled"]
        logs = docker("logs", cid, check=True)
        assert re.search(r"^Stopped By\s*:\s*signal$", logs.stdout, re.MULTILINE), logs.stdout
    final = json.loads((folders.state / name / "checkpoint.json").read_text())
    assert final["checkpoint_id"] > checkpoint["checkpoint_id"]  # the final checkpoint was taken

    # restarted through deploy/run-container.sh, stopped as systemd stops a service: SIGTERM to the script
    produce(topic, range(30, 45))
    folders.config(image, network="host")
    script = subprocess.Popen(["bash", str(DEPLOY / "run-container.sh"), job], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "SEATUNNEL_PY_CONFIG": str(folders.jobs.parent / "run.env")})
    try:
        wait_for(lambda: len(committed_values(folders.out, "id")) >= 45, 90, "the restarted container to commit")
    finally:
        script.send_signal(signal.SIGTERM)
        stdout, stderr = script.communicate(timeout=60)
    assert script.returncode == 0, stderr
    assert statistic(stdout, "Total Read Count") == 15  # it continued where it stopped
    assert sorted(committed_values(folders.out, "id")) == list(range(45))
    assert docker("ps", "-q", "--filter", f"label=seatunnel-py.job={job}").stdout.strip() == ""


def test_a_second_container_of_a_running_job_is_refused_in_one_line(image: str, folders: Folders) -> None:
    name = f"locked_{uuid.uuid4().hex[:8]}"
    job = folders.job(f"""
env {{ job.mode = "STREAMING", job.name = "{name}", checkpoint.interval = 200 }}
source {{ FakeSource {{ row.num = 5, schema = {{ fields {{ id = bigint }} }} }} }}
sink {{ Console {{}} }}
""")
    run = ["--network", "none", *folders.mounts(), image, "run", "--no-progress", f"/jobs/{job}"]
    with detached(*run) as first:
        wait_for(lambda: (folders.state / name / "checkpoint.json").is_file(), 60,
                 "the first container to save a checkpoint")
        second = docker("run", "--rm", *run)
        assert second.returncode == 75  # retryable: EX_TEMPFAIL
        lines = nonblank(second.stderr)
        assert len(lines) == 1, second.stderr
        assert re.fullmatch(rf"ERROR job '{name}' is already running \(pid \d+ holds the lock on its state in "
                            r"/state\); two runs of one job at once would corrupt it", lines[0]), lines[0]
        docker("stop", first, check=True)
        assert exit_code(first) == 0


# ---- DolphinScheduler ----------------------------------------------------------------------------------------


def dolphinscheduler_script(params: dict[str, str]) -> str:
    """The Shell task's script after DolphinScheduler substituted its parameters."""
    text = (DEPLOY / "dolphinscheduler" / "shell-task.sh").read_text()
    for key, value in params.items():
        text = text.replace("${" + key + "}", value)
    left = [line for line in text.splitlines() if "${" in line and not line.lstrip().startswith("#")]
    assert left == [], f"placeholders DolphinScheduler would substitute too: {left}"
    return text


@pytest.mark.parametrize("case", ["succeeds", "bad job file"])
def test_dolphinscheduler_shell_task_maps_exit_codes(image: str, folders: Folders, tmp_path: Path,
                                                    case: str) -> None:
    name = f"ds_{uuid.uuid4().hex[:6]}"
    if case == "succeeds":
        job = folders.job(f"""
env {{ job.mode = "BATCH", job.name = "{name}_${{bizdate}}" }}
source {{ FakeSource {{ row.num = 3, schema = {{ fields {{ id = bigint }} }} }} }}
sink {{ Console {{}} }}
""")
    else:
        job = folders.job('source { FakeSource { row.nm = 3 } }\nsink { Console {} }\n')
    script = tmp_path / "task.sh"
    script.write_text(dolphinscheduler_script({"jobFile": job, "image": image, "system.biz.date": "20261205"}))
    task = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "SEATUNNEL_PY_JOBS": str(folders.jobs),
                               "SEATUNNEL_PY_STATE": str(folders.state), "SEATUNNEL_PY_ENV_FILE": "/nonexistent"})
    if case == "succeeds":
        assert task.returncode == 0, task.stdout + task.stderr
        assert nonblank(task.stdout)[-1] == "seatunnel-py: job.conf succeeded"
        report: dict[str, Any] = json.loads(next(line for line in task.stdout.splitlines()
                                                 if line.startswith("run report: "))[len("run report: "):])
        assert report["status"] == "succeeded" and report["exit_code"] == 0
        assert f"{name}_20261205" in json.dumps(report["job"])
    else:
        assert task.returncode == 2
        assert nonblank(task.stdout)[-1] == ("seatunnel-py: job.conf was not run: bad job file or usage (exit 2); "
                                             "fix it, a retry cannot help")
        assert "unknown option (did you mean 'row.num'?)" in task.stderr
