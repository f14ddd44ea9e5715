"""Helpers for the Sql tests: build a transform in-process, or run a job through the real CLI."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from seatunnel_py.testing import run_cli

if importlib.util.find_spec("seatunnel_py_sql") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

__all__ = ["run_cli"]


def hocon(value: Any) -> str:
    """A Python value as HOCON (JSON is valid HOCON)."""
    return json.dumps(value)


def assert_block(expected: dict[str, tuple[str, Any]], rows: int, plugin_input: str = "out") -> str:
    """An Assert sink checking each column's type and value (``None``: the value is null) and the row count."""
    rules = []
    for name, (field_type, value) in expected.items():
        check = '{ rule_type = "NULL" }' if value is None else f"{{ rule_type = NOT_NULL, equals_to = {hocon(value)} }}"
        rules.append(f"{{ field_name = {hocon(name)}, field_type = {hocon(field_type)}, field_value = [ {check} ] }}")
    return (f'Assert {{ plugin_input = "{plugin_input}", rules {{\n'
            f"  row_rules = [ {{ rule_type = MIN_ROW, rule_value = {rows} }}, {{ rule_type = MAX_ROW, rule_value = {rows} }} ]\n"
            f"  field_rules = [\n    " + "\n    ".join(rules) + "\n  ] } }")


def sql_job(fake: str, query: str, sink: str) -> str:
    """FakeSource (``plugin_output = "fake"``) → Sql (``plugin_output = "out"``) → sink, SeaTunnel style."""
    return f"""
env {{ job.mode = "BATCH" }}
source {{
  FakeSource {{
    plugin_output = "fake"
    {fake}
  }}
}}
transform {{
  Sql {{
    plugin_input = "fake"
    plugin_output = "out"
    query = {hocon(query)}
  }}
}}
sink {{
  {sink}
}}
"""
