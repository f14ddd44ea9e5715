"""Example plugin package: a ``Reverse`` transform."""
