"""A plugin package registering by ``"module:Class"``: one target is missing, one misnamed."""

from seatunnel_py import hookimpl


@hookimpl
def seatunnel_py_register(registry):  # type: ignore[no-untyped-def]
    """Register a source whose module is not installed and a sink under the wrong name."""
    registry.add_source("tests.a_module_that_does_not_exist:Nope", name="Nope")
    registry.add_sink("seatunnel_py.builtins.console:ConsoleSink", name="Misnamed")
