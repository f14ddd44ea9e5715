"""seatunnel-py: SeaTunnel-style HOCON jobs on an Apache Arrow pipeline.

The public API is what this module re-exports; everything else is private.
"""

__version__ = "0.1.0"

from .hookspecs import hookimpl
from .jobs import check_job, load_job, run_job

__all__ = ["__version__", "check_job", "hookimpl", "load_job", "run_job"]
