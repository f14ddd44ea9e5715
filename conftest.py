"""Settings for every test of the repository (core, connectors, integration)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_state_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test saves job state in its own directory (inherited by CLI subprocesses).

    Without it, jobs run by tests would resume each other's checkpoints from
    ``.seatunnel-py/state`` in the working directory.
    """
    store = tmp_path / "state-store"
    monkeypatch.setenv("SEATUNNEL_PY_STATE_STORE", str(store))
    return store
