"""Make ``seatunnel_py_jdbc`` importable when the distribution is not installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("seatunnel_py_jdbc") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
