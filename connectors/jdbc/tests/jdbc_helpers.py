"""Helpers the Jdbc tests share (made importable by ``conftest.py``)."""

from __future__ import annotations

from typing import Any

from seatunnel_py_jdbc.sink import JdbcSink

from seatunnel_py.api import PluginContext

CONN = {"user": "seatunnel", "password": "seatunnel"}
"""The test servers' login, as sink options."""


def exactly_once_sink(db: Any, table: str, job_key: str, restored: int | None = None, *,
                      label: str = "sink.Jdbc", job_name: str | None = None) -> JdbcSink:
    """An ``is_exactly_once`` sink into ``table`` of ``db`` for the job ``job_key`` (``job_name``: the same)."""
    options = JdbcSink.options_model.model_validate(
        {"url": db.url, **CONN, "generate_sink_sql": True, "table": table, "is_exactly_once": True})
    return JdbcSink(options, PluginContext(job_name=job_name or job_key, job_key=job_key, label=label,
                                           restored_checkpoint_id=restored))
