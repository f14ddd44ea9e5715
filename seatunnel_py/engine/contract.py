"""Run-time checks of the plugin contract, each failure blamed on the plugin that broke it.

* Every batch a source or transform hands out has the schema it declared at plan time
  (names and types; nullability and metadata aside), optionally followed by the row-kind
  column. A mismatch would otherwise surface later as a sink error, or not at all.
* Split states, writer states and commit infos survive a JSON round trip at every
  checkpoint (they are persisted as JSON and handed to a later process after a crash);
  the round-tripped value is what the engine keeps, so a restore within the run sees
  exactly what a restore in a new process would.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from ..api.errors import ConnectorError
from ..api.rowkind import ROW_KIND_COLUMN, ROW_KIND_TYPE


class ContractViolation(ConnectorError):
    """A plugin broke the connector contract (wrong batch schema, state that is not JSON)."""


class SchemaCheck:
    """Checks batches against a declared schema; cheap for the schemas already seen."""

    def __init__(self, declared: pa.Schema | None) -> None:
        self.declared = declared
        self._accepted: list[pa.Schema] = []

    def check(self, batch: pa.RecordBatch) -> None:
        """Raise ``ContractViolation`` when ``batch`` does not have the declared schema."""
        declared = self.declared
        if declared is None:
            return
        schema = batch.schema
        for seen in self._accepted:
            if schema.equals(seen):
                return
        problem = schema_problem(declared, schema)
        if problem is not None:
            raise ContractViolation(f"a batch does not match the declared output schema: {problem}")
        if len(self._accepted) < 8:
            self._accepted.append(schema)


def schema_problem(declared: pa.Schema, got: pa.Schema) -> str | None:
    """What differs between ``got`` and ``declared`` (names and types), or ``None``."""
    fields = list(got)
    if fields and fields[-1].name == ROW_KIND_COLUMN and ROW_KIND_COLUMN not in declared.names:
        if fields[-1].type != ROW_KIND_TYPE:
            return f"column {ROW_KIND_COLUMN!r} is {fields[-1].type} (expected {ROW_KIND_TYPE})"
        fields = fields[:-1]
    names = [f.name for f in fields]
    if names != declared.names:
        return f"columns {names} (declared {declared.names})"
    for field, want in zip(fields, declared, strict=True):
        if not field.type.equals(want.type):
            return f"column {field.name!r} is {field.type} (declared {want.type})"
    return None


def json_round_trip(value: Any, what: str) -> Any:
    """``value`` as it comes back from the state store; ``ContractViolation`` naming ``what`` if it cannot be saved."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ContractViolation(f"{what} cannot be saved as JSON ({exc}); "
                                "states and commit infos must be dicts of strings, numbers, booleans, "
                                "None, lists and dicts") from None
