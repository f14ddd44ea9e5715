"""Jdbc source and sink for seatunnel-py (PostgreSQL, MySQL/MariaDB, SQLite, SQLAlchemy dialects)."""

__version__ = "0.1.0"
