"""ClickHouse source and sink for seatunnel-py (``seatunnel-py-clickhouse``)."""

__all__: list[str] = []
