"""Console sink: prints rows in SeaTunnel's format."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import sys
import threading
import time
from typing import Any

import pyarrow as pa
from pydantic import Field

from ..api.capabilities import Capability
from ..api.options import PluginOptions, option
from ..api.rowkind import RowKind, row_kinds_or_insert, split_row_kinds, table_id
from ..api.sink import Sink, SinkWriter
from ..types import seatunnel_type_name

_print_lock = threading.Lock()


class ConsoleOptions(PluginOptions):
    """Options of the Console sink."""

    print_data: bool = option(True, "print every row (false: only the row type)", alias="log.print.data")
    print_delay_ms: int = Field(
        0, ge=0, alias="log.print.delay.ms", description="milliseconds to wait after each printed row"
    )


def _render(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, list):
        if value and isinstance(value[0], tuple):  # a map
            return json.dumps({str(k): _jsonable(v) for k, v in value})
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps({k: _jsonable(v) for k, v in value.items()})
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, list):
        if value and isinstance(value[0], tuple):
            return {str(k): _jsonable(v) for k, v in value}
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


class ConsoleWriter(SinkWriter):
    """Prints the rows of one pipeline task."""

    def __init__(self, options: ConsoleOptions, index: int, schema: pa.Schema) -> None:
        self.options = options
        self.index = index
        self.row_index = 0
        fields = ", ".join(f"{f.name}<{seatunnel_type_name(f.type)}>" for f in schema)
        with _print_lock:
            print(f"output rowType: {fields}", flush=True)

    def write(self, batch: pa.RecordBatch) -> None:
        if not self.options.print_data:
            self.row_index += batch.num_rows
            return
        data, _ = split_row_kinds(batch)
        kinds = row_kinds_or_insert(batch).to_pylist()
        table = table_id(batch)
        lines = []
        for kind, row in zip(kinds, data.to_pylist(), strict=True):
            self.row_index += 1
            values = ", ".join(_render(v) for v in row.values())
            lines.append(
                f"subtaskIndex={self.index}  rowIndex={self.row_index}:  SeaTunnelRow#tableId={table} "
                f"SeaTunnelRow#kind={RowKind(kind).name} : {values}"
            )
        with _print_lock:
            if self.options.print_delay_ms:
                for line in lines:
                    print(line, flush=True)
                    time.sleep(self.options.print_delay_ms / 1000)
            else:
                sys.stdout.write("\n".join(lines) + "\n")
                sys.stdout.flush()


class ConsoleSink(Sink[ConsoleOptions]):
    """Prints every row with its row kind and table id.

    At least once: rows are printed as they arrive, before their checkpoint commits, so
    after a crash the rows since the last checkpoint are printed again by the next run.
    """

    name = "Console"
    description = "Prints rows to standard output in SeaTunnel's format"
    options_model = ConsoleOptions
    capabilities = frozenset({Capability.AT_LEAST_ONCE, Capability.ROW_KINDS, Capability.MULTI_TABLE})

    def create_writer(self, task_index: int, schema: pa.Schema, state: dict[str, Any] | None = None) -> SinkWriter:
        return ConsoleWriter(self.options, task_index, schema)
