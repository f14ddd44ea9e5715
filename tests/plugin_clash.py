"""A plugin module that registers a name the built-ins already use (for the clash test)."""

from seatunnel_py import hookimpl
from seatunnel_py.builtins.fake.source import FakeSource


class OtherFakeSource(FakeSource):
    """Same name, different class."""


@hookimpl
def seatunnel_py_register(registry):  # type: ignore[no-untyped-def]
    """Register a clashing FakeSource."""
    registry.add_source(OtherFakeSource)
