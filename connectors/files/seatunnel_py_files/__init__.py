"""LocalFile source and sink for seatunnel-py (text, csv, json lines, parquet, orc)."""

from __future__ import annotations

__version__ = "0.1.0"
