"""The Kubernetes manifests of ``deploy/kubernetes``: valid against the Kubernetes schema, and saying
what the docs say (one run at a time, state outside the pod, credentials from the Secret, a grace
period that covers the final checkpoint), with job files that bind against the real plugins.

The validator is ``kubernetes-validate`` (PyPI), which carries the OpenAPI schemas of each
Kubernetes release, so no cluster is needed; ``--strict`` refuses any property the schema lacks.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from seatunnel_py.jobs import load_job

ROOT = Path(__file__).resolve().parents[1]
MANIFESTS = sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml"))
KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]  # podFailurePolicy on exit codes is GA from 1.31; beta before


def manifest(name: str) -> dict[str, Any]:
    """One document of deploy/kubernetes."""
    data: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "kubernetes" / name).read_text())
    return data


def container(pod_spec: dict[str, Any]) -> dict[str, Any]:
    (only,) = pod_spec["containers"]
    assert only["name"] == "seatunnel-py"
    return dict(only)


def env_of(spec: dict[str, Any]) -> dict[str, Any]:
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in spec.get("env", [])}


def dockerfile_user() -> str:
    users = re.findall(r"^USER\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    return str(users[-1])


def test_there_are_manifests() -> None:
    assert [p.name for p in MANIFESTS] == ["cronjob.yaml", "deployment.yaml", "jobs.yaml", "secret.example.yaml"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifest_is_valid_for_kubernetes(path: Path, version: str) -> None:
    import kubernetes_validate

    for document in yaml.safe_load_all(path.read_text()):
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{path.name} ({document['kind']}) is not valid for Kubernetes {version}: {exc.message} "
                        f"at {'.'.join(map(str, exc.path))}")


def test_the_cronjob_runs_one_job_at_a_time_with_its_state_in_postgresql() -> None:
    cron = manifest("cronjob.yaml")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    job = cron["spec"]["jobTemplate"]["spec"]
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    spec = container(pod)
    env = env_of(spec)
    assert env["SEATUNNEL_PY_STATE_STORE"] == {"secretKeyRef": {"name": "seatunnel-py", "key": "state-store"}}
    assert manifest("secret.example.yaml")["stringData"]["state-store"].startswith("postgresql://")
    # the job's password comes from a file of the mounted Secret (DB_PASSWORD_FILE), never from the manifest
    assert env["DB_PASSWORD_FILE"] == "/etc/seatunnel-py/secrets/db-password"
    mount = next(m for m in spec["volumeMounts"] if m["name"] == "secrets")
    assert mount["mountPath"] == "/etc/seatunnel-py/secrets" and mount["readOnly"]
    volume = next(v for v in pod["volumes"] if v["name"] == "secrets")
    assert volume["secret"]["items"] == [{"key": "db-password", "path": "db-password"}]
    assert set(spec["resources"]) == {"requests", "limits"}
    assert str(pod["securityContext"]["runAsUser"]) == dockerfile_user()
    # exit codes: 1 and 2 are final, 75 (retryable) counts against backoffLimit
    (fail,) = [rule for rule in job["podFailurePolicy"]["rules"] if "onExitCodes" in rule]
    assert fail["action"] == "FailJob" and fail["onExitCodes"]["values"] == [1, 2]
    assert job["backoffLimit"] >= 1 and job["activeDeadlineSeconds"] > 0


def test_the_deployment_gives_the_final_checkpoint_time_to_finish(tmp_path: Path) -> None:
    deployment = manifest("deployment.yaml")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"]["type"] == "Recreate"  # never two pods of the job at once
    pod = deployment["spec"]["template"]["spec"]
    spec = container(pod)
    job_file = spec["args"][-1]
    job = load_job(materialise(job_file, tmp_path), environ={"KAFKA_SERVERS": "kafka:9092"})
    assert job.env.job_mode.value == "STREAMING"
    assert job.env.checkpoint_timeout is not None and job.env.shutdown_timeout is not None
    needed = (job.env.checkpoint_timeout + job.env.shutdown_timeout) / 1000
    assert pod["terminationGracePeriodSeconds"] > needed
    env = env_of(spec)
    assert env["SEATUNNEL_PY_STATE_STORE"].startswith("s3://")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert env[name]["secretKeyRef"]["name"] == "seatunnel-py"
    assert str(pod["securityContext"]["runAsUser"]) == dockerfile_user()


def test_every_secret_key_and_job_file_referred_to_exists() -> None:
    secret_keys = set(manifest("secret.example.yaml")["stringData"])
    jobs = manifest("jobs.yaml")["data"]
    for name in ("cronjob.yaml", "deployment.yaml"):
        text = (ROOT / "deploy" / "kubernetes" / name).read_text()
        for key in re.findall(r"key: (\S+)", text):
            assert key in secret_keys, f"{name}: the Secret has no key {key!r}"
        document = manifest(name)
        pod = (document["spec"]["jobTemplate"]["spec"]["template"]["spec"] if document["kind"] == "CronJob"
               else document["spec"]["template"]["spec"])
        args = container(pod)["args"]
        assert args[0] == "run"
        assert args[-1].startswith("/jobs/") and args[-1][len("/jobs/"):] in jobs


@pytest.mark.parametrize("name", ["orders.conf", "orders-stream.conf"])
def test_the_job_files_bind_against_the_real_plugins(name: str, tmp_path: Path) -> None:
    secret = tmp_path / "db-password"
    secret.write_text("from-a-file\n")
    job = load_job(materialise(f"/jobs/{name}", tmp_path),
                   environ={"KAFKA_SERVERS": "kafka:9092", "DB_PASSWORD_FILE": str(secret)})
    if name == "orders.conf":
        (source,) = job.sources
        options: Any = source.options  # the Jdbc source's options model
        assert options.password.get_secret_value() == "from-a-file"


def materialise(container_path: str, folder: Path) -> Path:
    """The ConfigMap's file that the container sees at ``container_path``, written into ``folder``."""
    name = container_path.removeprefix("/jobs/")
    target = folder / name
    target.write_text(manifest("jobs.yaml")["data"][name])
    return target
