"""Built-in plugins: FakeSource, Console, Assert and the core transforms."""
