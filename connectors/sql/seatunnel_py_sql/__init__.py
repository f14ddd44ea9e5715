"""seatunnel-py-sql: SeaTunnel's ``Sql`` transform over Arrow batches, run by DuckDB.

DuckDB is imported only when a job uses ``Sql`` (see :mod:`seatunnel_py_sql.engine`).
"""

from .udf import SqlFunction

__all__ = ["SqlFunction"]
