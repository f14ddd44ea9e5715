"""Helpers for testing jobs and connector plugins against the real CLI.

``seatunnel_py.testing.fixtures`` is a pytest plugin (``write_job``, a private state
store per test); the functions below run and read jobs. Nothing here is imported by the
engine or at plugin discovery.
"""

from .processes import (
    CLI,
    committed_parquet,
    committed_values,
    run_cli,
    start_job,
    statistic,
    stop_job,
    wait_for,
)

__all__ = ["CLI", "committed_parquet", "committed_values", "run_cli", "start_job", "statistic", "stop_job",
           "wait_for"]
