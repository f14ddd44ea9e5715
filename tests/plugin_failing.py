"""A plugin whose register hook fails (a lazily imported module is missing)."""

from seatunnel_py import hookimpl


@hookimpl
def seatunnel_py_register(registry):  # type: ignore[no-untyped-def]
    """Import something that is not installed, as a broken connector would."""
    import a_driver_that_is_not_installed  # type: ignore[import-not-found]  # noqa: F401
