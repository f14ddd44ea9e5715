"""FakeSource: reproducible generated data of every SeaTunnel type."""
