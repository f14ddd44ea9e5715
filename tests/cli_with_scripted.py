"""The real CLI (``seatunnel_py.cli.main.main``) with the scripted test plugins registered.

Run as ``python tests/cli_with_scripted.py run JOB …`` by tests that need a real process,
real signals and real exit codes with a plugin that can hang. Prints ``BLOCKED`` on
stdout when a scripted reader or writer starts hanging (its ``BLOCK`` step), so a test can
place a signal exactly there.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seatunnel_py import plugins
from seatunnel_py.cli.main import main
from seatunnel_py.registry import PluginKind, Registry
from tests.scripted import RecordingSink, ScriptedSource


def register(registry: Registry) -> None:
    """Add the scripted source and the recording sink to the CLI's registry."""
    registry.add(PluginKind.SOURCE, ScriptedSource, "tests")
    registry.add(PluginKind.SINK, RecordingSink, "tests")


def announce_block() -> None:
    ScriptedSource.blocked.wait()
    print("BLOCKED", flush=True)


if __name__ == "__main__":
    register(plugins.get_registry())
    threading.Thread(target=announce_block, daemon=True).start()
    sys.argv[0] = "seatunnel-py"
    main()
