"""Assert sink: field rules on every batch, row rules when the input ends."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pyarrow as pa

from ...api.capabilities import Capability
from ...api.errors import OptionError, RuleViolation
from ...api.rowkind import split_row_kinds, table_id
from ...api.sink import Sink, SinkWriter
from ...types import parse_type, seatunnel_type_name
from .checks import check_field_rules
from .options import AssertOptions, FieldRule, RowRule, RuleType


class AssertWriter(SinkWriter):
    """Checks the batches of one pipeline task; counts rows per table for the sink."""

    def __init__(self, sink: AssertSink) -> None:
        self.sink = sink

    def write(self, batch: pa.RecordBatch) -> None:
        data, _ = split_row_kinds(batch)
        table = table_id(batch)
        check_field_rules(data, self.sink.field_rules_for(table))
        self.sink.count(table, batch.num_rows)


class AssertSink(Sink[AssertOptions]):
    """Checks rows against rules; any violation fails the job (exit code 1).

    Field rules are checked on every batch as it arrives; row-count rules and
    ``table-names`` when the whole input has been written (before any sink commits, so a
    violation leaves nothing committed), with counts summed over every parallel writer.
    Row kinds are ignored: a DELETE row counts as a row, as in SeaTunnel.

    No delivery guarantee: it keeps nothing. Its counts cover the rows of one run, so a
    run resumed from a checkpoint checks only the rows read after it.
    """

    name = "Assert"
    description = "Checks rows against field and row-count rules; a violation fails the job"
    options_model = AssertOptions
    capabilities = frozenset({Capability.NO_GUARANTEE, Capability.MULTI_TABLE, Capability.ROW_KINDS})

    def __init__(self, options: AssertOptions, context: object) -> None:
        super().__init__(options, context)  # type: ignore[arg-type]
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        if (
            options.rules.catalog_table_rule
            and options.rules.catalog_table_rule.primary_key_rule is None
            and not options.rules.catalog_table_rule.column_rule
        ):
            raise OptionError(("rules", "catalog_table_rule"), "expected column_rule or primary_key_rule")

    def field_rules_for(self, table: str) -> list[FieldRule]:
        """Global field rules plus the rules of ``table`` from ``tables_configs``."""
        rules = list(self.options.rules.field_rules)
        for tc in self.options.rules.tables_configs:
            if tc.table_path == table:
                rules.extend(tc.field_rules)
        return rules

    def count(self, table: str, rows: int) -> None:
        """Add rows written for a table (thread-safe)."""
        with self._lock:
            self._counts[table] += rows

    def check_input(self, schema: pa.Schema) -> None:
        names = schema.names
        for i, rule in enumerate(self.options.rules.field_rules):
            if rule.field_name not in names:
                raise OptionError(
                    ("rules", "field_rules", i, "field_name"),
                    f"no column {rule.field_name!r} in the input (columns: {', '.join(names)})",
                )

    def prepare(self, schema: pa.Schema) -> None:
        catalog = self.options.rules.catalog_table_rule
        if catalog is None:
            return
        for rule in catalog.column_rule:
            index = schema.get_field_index(rule.name)
            if index < 0:
                raise RuleViolation(f"catalog_table_rule: column {rule.name!r} is missing")
            fld = schema.field(index)
            if not fld.type.equals(parse_type(rule.type)):
                raise RuleViolation(
                    f"catalog_table_rule: column {rule.name!r} is {seatunnel_type_name(fld.type)} "
                    f"(expected {rule.type.upper()})"
                )
            if rule.nullable is not None and fld.nullable != rule.nullable:
                raise RuleViolation(f"catalog_table_rule: column {rule.name!r} nullable is {fld.nullable}")
        if catalog.primary_key_rule is not None:
            meta = (schema.metadata or {}).get(b"seatunnel.primary_key", b"").decode()
            actual = [c for c in meta.split(",") if c]
            if actual != catalog.primary_key_rule.primary_key_columns:
                raise RuleViolation(
                    f"catalog_table_rule: primary key is {actual} "
                    f"(expected {catalog.primary_key_rule.primary_key_columns})"
                )

    def create_writer(self, task_index: int, schema: pa.Schema, state: dict[str, Any] | None = None) -> SinkWriter:
        return AssertWriter(self)

    def before_commit(self, checkpoint_id: int, final: bool) -> None:
        """Row-count and table-name rules, once the whole input has been written."""
        if not final:
            return
        rules = self.options.rules
        total = sum(self._counts.values())
        _check_rows(rules.row_rules, total, "")
        for tc in rules.tables_configs:
            _check_rows(tc.row_rules, self._counts.get(tc.table_path, 0), tc.table_path)
        if rules.table_names is not None:
            seen = {t for t, n in self._counts.items() if n}
            if seen != set(rules.table_names):
                raise RuleViolation(f"table-names: saw tables {sorted(seen)} (expected {sorted(rules.table_names)})")

def _check_rows(rules: list[RowRule], count: int, table: str) -> None:
    where = f" of table {table}" if table else ""
    for rule in rules:
        if rule.rule_type == RuleType.MAX_ROW and count > rule.rule_value:
            raise RuleViolation(f"row num{where}: {count} fails rule MAX_ROW {rule.rule_value}")
        if rule.rule_type == RuleType.MIN_ROW and count < rule.rule_value:
            raise RuleViolation(f"row num{where}: {count} fails rule MIN_ROW {rule.rule_value}")
