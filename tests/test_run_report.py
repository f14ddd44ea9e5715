"""The run report and the exit codes a scheduler acts on (issue 15, items 1 and 4)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from seatunnel_py.engine.outcome import ExitCode, exit_code
from seatunnel_py.engine.state import StateLocked
from seatunnel_py.jobs import run_job
from seatunnel_py.registry import Registry

from .conftest import ROOT, run_cli

SCHEMA = json.loads((ROOT / "docs" / "run-report.schema.json").read_text())
FAKE = "source { FakeSource { row.num = 5, schema = { fields { id = bigint } } } }\n"


def valid_report(path: Path) -> dict[str, Any]:
    document = json.loads(path.read_text())
    jsonschema.validate(document, SCHEMA)
    return document


def test_a_successful_run_reports_every_plugin(write_job: Callable[..., Path], tmp_path: Path) -> None:
    path = write_job('env { job.name = reported }\n' + FAKE + "transform { Copy { fields { id2 = id } } }\n"
                     "sink { Console {} }")
    result = run_cli("run", "--no-progress", "--report", tmp_path / "out" / "report.json", path)
    assert result.returncode == 0, result.stderr
    report = valid_report(tmp_path / "out" / "report.json")
    assert report["status"] == "succeeded" and report["exit_code"] == 0 and report["error"] is None
    assert report["job"] == {"file": str(path), "key": "reported", "name": "reported", "mode": "BATCH"}
    assert report["rows"] == {"read": 5, "written": 5, "rejected": 0}
    plugins = {p["label"]: p for p in report["plugins"]}
    assert plugins["source.FakeSource"]["out"]["rows"] == 5 and plugins["source.FakeSource"]["out"]["batches"] >= 1
    assert plugins["transform.Copy"]["in"]["rows"] == plugins["transform.Copy"]["out"]["rows"] == 5
    assert plugins["sink.Console"]["in"]["rows"] == 5 and plugins["sink.Console"]["in"]["bytes"] > 0
    assert report["checkpoints"] == {"taken": 1, "restored_from": None, "last_saved": 1}


def test_a_failed_run_reports_the_plugin_and_the_checkpoint_to_resume_from(
        write_job: Callable[..., Path], reg: Registry, tmp_path: Path) -> None:
    path = write_job("""
        env { job.name = failing, checkpoint.interval = 20, report = "reports/run.json" }
        source { Scripted { script = [[1, "WAIT", "WAIT", "WAIT", "FAIL"]] } }
        sink { Recording {} }
        """)
    with pytest.raises(Exception, match="scripted failure"):
        run_job(path, registry=reg)
    report = valid_report(path.parent / "reports" / "run.json")  # env.report: from the job file's folder
    assert report["status"] == "failed" and report["exit_code"] == 1
    assert report["error"]["plugin"] == "source.Scripted" and "scripted failure in s0" in report["error"]["message"]
    assert report["checkpoints"]["taken"] >= 1 and report["checkpoints"]["last_saved"] is not None


def test_a_bad_job_file_still_gets_a_report(write_job: Callable[..., Path], tmp_path: Path) -> None:
    path = write_job("env { job.mode = FAST }\n" + FAKE + "sink { Console {} }")
    result = run_cli("run", "--no-progress", "--report", tmp_path / "r.json", path)
    assert result.returncode == 2
    report = valid_report(tmp_path / "r.json")
    assert report["status"] == "invalid" and report["exit_code"] == 2 and report["run_id"] is None
    assert "env.job.mode" in report["error"]["message"]


def test_rejected_rows_exit_3_and_are_counted(write_job: Callable[..., Path], reg: Registry, tmp_path: Path) -> None:
    path = write_job("source { Scripted { reject_per_batch = 1, script = [[2, 2]] } }\nsink { Recording {} }")
    result = run_job(path, registry=reg, report=tmp_path / "r.json")
    assert exit_code(None, result.metrics) == ExitCode.SUCCEEDED_WITH_REJECTS
    report = valid_report(tmp_path / "r.json")
    assert report["status"] == "succeeded_with_rejects" and report["exit_code"] == 3
    assert report["rows"]["rejected"] == 2
    assert {p["label"]: p["rejected_rows"] for p in report["plugins"]} == {"source.Scripted": 2, "sink.Recording": 0}


def test_a_lock_held_by_another_run_is_retryable(write_job: Callable[..., Path], tmp_path: Path) -> None:
    assert exit_code(StateLocked("job 'x' is already running")) == ExitCode.RETRYABLE
    from seatunnel_py.engine.state.local import LocalStateStore

    path = write_job('env { job.name = "locked" }\n' + FAKE + "sink { Console {} }")
    store = LocalStateStore(tmp_path / "state")
    with store.locked("locked"):
        result = run_cli("run", "--no-progress", "--state-store", tmp_path / "state", "--report", tmp_path / "r.json",
                         path)
    assert result.returncode == 75, result.stderr
    assert "already running" in result.stderr
    assert valid_report(tmp_path / "r.json")["status"] == "retryable"


def test_an_unreachable_server_is_retryable(write_job: Callable[..., Path], tmp_path: Path) -> None:
    """A connection refused while running (not a wrong password) may pass later: exit 75."""
    path = write_job(FAKE + 'sink { Jdbc { url = "jdbc:postgresql://127.0.0.1:1/x", user = u, password = p, '
                            'database = x, table = t } }')
    result = run_cli("run", "--no-progress", "--report", tmp_path / "r.json", path)
    assert result.returncode == 75, result.stderr
    assert valid_report(tmp_path / "r.json")["error"]["plugin"] == "sink.Jdbc"


def test_json_logs_are_one_object_per_line_with_the_job_key(write_job: Callable[..., Path], tmp_path: Path) -> None:
    path = write_job('env { job.name = "logged" }\n' + FAKE +
                     'sink { Jdbc { url = "jdbc:postgresql://u:s3cretpw@127.0.0.1:1/x", database = x, table = t } }')
    result = run_cli("--log-format", "json", "-v", "run", "--no-progress", path)
    assert result.returncode == 75
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any(line.get("job") == "logged" for line in lines)
    failure = [line for line in lines if line["level"] == "ERROR"]
    assert failure and "sink.Jdbc failed" in failure[-1]["message"]
    assert "s3cretpw" not in result.stderr
