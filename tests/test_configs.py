"""Every example job in configs/ validates, and every one that needs no server runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ROOT, run_cli

CONFIGS = sorted(p for p in (ROOT / "configs").iterdir() if p.suffix in (".conf", ".json"))
#: jobs that need a server: checked here, run by their connector's tests (which start or find the server)
NEEDS_SERVER = {p.name for p in CONFIGS if p.name.startswith(("jdbc_", "kafka_", "clickhouse_"))}


def test_there_are_examples() -> None:
    assert {p.name for p in CONFIGS} >= {"quickstart.conf", "fake_to_console.conf"}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_example_passes_check(path: Path) -> None:
    result = run_cli("check", path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", [p for p in CONFIGS if p.name not in NEEDS_SERVER], ids=lambda p: p.name)
def test_example_runs(path: Path, tmp_path: Path) -> None:
    result = run_cli("run", path, env={"OUT_DIR": str(tmp_path / "out")})
    assert result.returncode == 0, result.stderr
    assert "Job Statistic Information" in result.stdout
