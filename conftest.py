"""Settings for every test of the repository (core, connectors, integration)."""

pytest_plugins = ["seatunnel_py.testing.fixtures"]
