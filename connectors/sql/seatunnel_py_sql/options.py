"""Option model of the Sql transform (names as in SeaTunnel)."""

from __future__ import annotations

from pydantic import field_validator

from seatunnel_py.api import PluginOptions, option


class SqlOptions(PluginOptions):
    """Options of :class:`seatunnel_py_sql.transform.SqlTransform`."""

    query: str = option(
        ..., "one `SELECT … FROM <table> [LATERAL VIEW [OUTER] EXPLODE(…) AS col …] [WHERE …]` run over "
        "every batch; the table is the plugin_input name, the catalog table name or `dual`")

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty (expected a SELECT query)")
        return value
