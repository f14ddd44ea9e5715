"""A pytest plugin for tests of jobs and plugins: job files in the test's folder, private state.

Load it from a ``conftest.py`` with ``pytest_plugins = ["seatunnel_py.testing.fixtures"]``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_state_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test saves job state in its own directory (inherited by CLI subprocesses).

    Without it, jobs run by tests would resume each other's checkpoints from the
    user's default store (``~/.local/state/seatunnel-py/state``).
    """
    store = tmp_path / "state-store"
    monkeypatch.setenv("SEATUNNEL_PY_STATE_STORE", str(store))
    return store


@pytest.fixture
def write_job(tmp_path: Path) -> Callable[..., Path]:
    """Write a job file (dedented) into the test's folder and return its path."""

    def write(text: str, name: str = "job.conf") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write
