"""Shared fixtures of the core tests (``write_job`` and a private state store come from
``seatunnel_py.testing.fixtures``, loaded by the repository's ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from seatunnel_py.plugins import build_registry, get_registry
from seatunnel_py.registry import PluginKind, Registry
from seatunnel_py.testing import run_cli

ROOT = Path(__file__).resolve().parents[1]
__all__ = ["ROOT", "run_cli"]


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
