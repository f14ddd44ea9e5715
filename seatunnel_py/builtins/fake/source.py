"""FakeSource: generated or explicit rows, reproducible, every SeaTunnel type."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from ...api.capabilities import Capability
from ...api.errors import OptionError
from ...api.rowkind import ROW_KIND_TYPE, RowKind, attach_row_kinds, with_table_id
from ...api.source import Source, Split, SplitReader, State
from ...types import column_from_values, parse_schema
from .generator import ColumnGenerator
from .options import FakeSourceOptions

DEFAULT_SEED = 20221229  # SeaTunnel 2.3.0's release day: any fixed number makes runs reproducible


class FakeSource(Source[FakeSourceOptions]):
    """Generates rows of a declared schema, or emits explicit ``rows`` with their kinds.

    Total rows are ``row.num × parallelism`` (each reader covers ``row.num`` rows in
    ``split.num`` splits), and with ``rows`` every split emits the whole list, as in
    SeaTunnel. Data is reproducible: each batch is drawn from a generator seeded with
    (seed, split, batch), so a resumed split continues with the same rows. The state of a
    split is the number of rows handed out. In STREAMING mode a reader idles after its
    rows until the job is stopped (SeaTunnel's semantics): pace it with
    ``read_limit.rows_per_second`` to watch rows arrive over time.
    """

    name = "FakeSource"
    description = "Generates reproducible rows of a declared schema (or explicit rows with row kinds)"
    options_model = FakeSourceOptions
    capabilities = frozenset(
        {Capability.BOUNDED, Capability.UNBOUNDED, Capability.RESUMABLE, Capability.PARALLEL,
         Capability.ROW_KINDS, Capability.MULTI_TABLE}
    )

    def __init__(self, options: FakeSourceOptions, context: Any) -> None:
        super().__init__(options, context)
        self._tables = self._table_names()
        self._schema = self._resolve_schema()

    def _table_names(self) -> list[str]:
        o = self.options
        if o.table_names:
            return list(o.table_names)
        if o.tables_configs:
            return [str(t.get("schema", {}).get("table", f"table{i}")) for i, t in enumerate(o.tables_configs)]
        return [o.table_schema().table]

    def _resolve_schema(self) -> pa.Schema:
        o = self.options
        if o.tables_configs:
            schemas = [parse_schema(t.get("schema", {})).schema for t in o.tables_configs]
            if any(not s.equals(schemas[0]) for s in schemas[1:]):
                raise OptionError(
                    "tables_configs",
                    "tables with different schemas in one source are not "
                    "supported yet (expected the same columns in every table)",
                )
            return schemas[0]
        return o.table_schema().schema

    def output_schema(self) -> pa.Schema:
        return self._schema

    def splits(self) -> list[Split]:
        o = self.options
        out: list[Split] = []
        per_split = math.ceil(o.row_num / o.split_num) if o.row_num else 0
        for table in self._tables:
            for reader in range(self.context.parallelism):
                if o.rows is not None:
                    sizes = [len(o.rows)] * o.split_num
                else:
                    sizes = []
                    left = o.row_num
                    while left > 0:
                        sizes.append(min(per_split, left))
                        left -= sizes[-1]
                for k, size in enumerate(sizes):
                    number = len(out)
                    out.append(
                        Split(f"{table or 'fake'}-{reader}-{k}", {"rows": size, "table": table, "number": number})
                    )
        return out

    def create_reader(self, split: Split, state: State | None = None) -> SplitReader:
        return FakeSplitReader(self, split, state)


class FakeSplitReader(SplitReader):
    """Reads one FakeSource split in batches of ``batch.size`` rows."""

    def __init__(self, source: FakeSource, split: Split, state: State | None) -> None:
        self.source = source
        self.split = split
        self.rows_done = int((state or {}).get("rows_done", 0))

    def snapshot(self) -> State:
        return {"rows_done": self.rows_done}

    def _explicit(self) -> pa.RecordBatch:
        schema = self.source.output_schema()
        rows = self.source.options.rows or []
        values: list[list[Any]] = [[] for _ in schema]
        kinds = []
        for row in rows:
            fields = row.get("fields")
            if isinstance(fields, dict):
                fields = [fields.get(f.name) for f in schema]
            for i, value in enumerate(fields or []):
                values[i].append(value)
            kinds.append(RowKind.parse(str(row.get("kind", "INSERT"))))
        arrays = [column_from_values(v, f.type) for v, f in zip(values, schema, strict=True)]
        batch = pa.RecordBatch.from_arrays(arrays, schema=schema)
        if any(k != RowKind.INSERT for k in kinds):
            batch = attach_row_kinds(batch, pa.array([int(k) for k in kinds], ROW_KIND_TYPE))
        return batch

    def read(self) -> Iterator[pa.RecordBatch | None]:
        options = self.source.options
        table = self.split.payload["table"]
        total = int(self.split.payload["rows"])
        if options.rows is not None:
            batch = self._explicit()
            if self.rows_done < batch.num_rows:
                out = batch.slice(self.rows_done)
                self.rows_done = batch.num_rows
                yield with_table_id(out, table)
        else:
            schema = self.source.output_schema()
            seed = DEFAULT_SEED if options.seed is None else options.seed
            number = int(self.split.payload["number"])
            first_of_split = number * math.ceil(options.row_num / options.split_num)
            while self.rows_done < total:
                n = min(options.batch_size, total - self.rows_done)
                batch_no = self.rows_done // options.batch_size
                rng = np.random.default_rng([seed, number, batch_no])
                batch = ColumnGenerator(options, rng).batch(schema, n, first_of_split + self.rows_done)
                self.rows_done += n
                yield with_table_id(batch, table)
        if options.split_read_interval:
            time.sleep(options.split_read_interval / 1000)
        if not self.source.context.bounded:
            while True:  # unbounded: nothing more will come, but the split never ends
                yield None
