"""Make the helpers (and ``seatunnel_py_kafka`` when not installed) importable; share the fixtures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if importlib.util.find_spec("seatunnel_py_kafka") is None:
    sys.path.insert(0, str(HERE.parent))

from kafka_helpers import broker, new_topic  # noqa: E402, F401
