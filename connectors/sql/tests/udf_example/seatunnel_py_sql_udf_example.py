"""Example UDFs for the Sql transform, registered through the ``seatunnel_py_sql_functions`` hook."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from seatunnel_py.hookspecs import hookimpl


def title(text: pa.Array) -> pa.Array:
    """Title-case every value (vectorised)."""
    return pc.utf8_title(text)


def fahrenheit(celsius: pa.Array) -> pa.Array:
    """Celsius to Fahrenheit (vectorised)."""
    return pc.add(pc.multiply(celsius, 1.8), 32.0)


@hookimpl
def seatunnel_py_sql_functions(functions) -> None:  # type: ignore[no-untyped-def]
    """Register TITLE(string) and FAHRENHEIT(double)."""
    functions.add("TITLE", title, return_type="string", parameters=["string"])
    functions.add("FAHRENHEIT", fahrenheit, return_type="double", parameters=["double"],
                  description="degrees Celsius to Fahrenheit")
