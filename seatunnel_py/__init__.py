"""seatunnel-py: SeaTunnel-style HOCON jobs on an Apache Arrow pipeline.

The public API is what this module re-exports; everything else is private.
"""

from .hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = ["__version__", "hookimpl"]
