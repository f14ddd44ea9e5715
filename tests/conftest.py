"""Shared fixtures: write job files, run them in-process or through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from seatunnel_py.plugins import build_registry, get_registry
from seatunnel_py.registry import PluginKind, Registry

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "seatunnel_py.cli"]


@pytest.fixture
def registry() -> Registry:
    """The registry of every installed plugin (built-ins and connectors)."""
    return get_registry()


@pytest.fixture
def reg() -> Iterator[Registry]:
    """Every installed plugin plus the scripted source and recording sink of the engine tests."""
    from .scripted import RecordingSink, ScriptedSource

    registry = build_registry()
    registry.add(PluginKind.SOURCE, ScriptedSource, "tests")
    registry.add(PluginKind.SINK, RecordingSink, "tests")
    RecordingSink.reset()
    yield registry
    RecordingSink.reset()


@pytest.fixture
def write_job(tmp_path: Path) -> Callable[..., Path]:
    """Write a job file (dedented) into the test's folder and return its path."""

    def write(text: str, name: str = "job.conf") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


def run_cli(
    *args: str | Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``seatunnel-py`` as a separate process and capture its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, env=full_env, timeout=timeout, cwd=ROOT, check=False
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """The real CLI in a subprocess."""
    return run_cli
