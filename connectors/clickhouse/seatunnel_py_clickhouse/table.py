"""The target table: what the server says about it, CREATE TABLE from a template, save modes."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import pyarrow as pa

from seatunnel_py.api import ROW_KIND_COLUMN, ConnectorError

from .client import call, qualified, quote_name, quote_string
from .options import ClickhouseSinkOptions, DataSaveMode, SchemaSaveMode
from .typemap import column_definitions

if TYPE_CHECKING:
    from clickhouse_connect.driver.client import Client

log = logging.getLogger(__name__)
VERSION_COLUMN = "_version"
DELETED_COLUMN = "_is_deleted"


class ChangeMode(str, Enum):
    """How the writer applies change data (row kinds) to the table."""

    APPEND = "append"
    """No primary_key: every row is inserted, its kind ignored."""
    REPLACING = "replacing"
    """ReplacingMergeTree(version, is_deleted): every change is an insert with a version, deletes marked."""
    MUTATIONS = "mutations"
    """A key and no is_deleted column: inserts, deletes by key (lightweight DELETE or ALTER … DELETE)."""


@dataclass(frozen=True)
class TableInfo:
    """A table as the server describes it."""

    database: str
    name: str
    engine: str
    engine_full: str
    columns: dict[str, str]
    version_column: str | None
    deleted_column: str | None

    @property
    def qualified(self) -> str:
        """```database`.`table```."""
        return qualified(self.database, self.name)

    @property
    def deduplicates(self) -> bool:
        """Whether inserts with the same deduplication token are dropped (see README)."""
        if "MergeTree" not in self.engine:
            return False
        if self.engine.startswith("Replicated") or self.engine.startswith("Shared"):
            return "replicated_deduplication_window = 0" not in self.engine_full
        found = re.search(r"non_replicated_deduplication_window\s*=\s*(\d+)", self.engine_full)
        return bool(found and int(found.group(1)) > 0)

    def change_mode(self, keys: list[str]) -> ChangeMode:
        """How row kinds are applied with these key columns."""
        if not keys:
            return ChangeMode.APPEND
        if self.deleted_column and self.version_column:
            return ChangeMode.REPLACING
        return ChangeMode.MUTATIONS


def _engine_args(engine_full: str, engine: str) -> list[str]:
    found = re.match(rf"{engine}\((.*?)\)", engine_full)
    if not found:
        return []
    return [a.strip().strip("`") for a in found.group(1).split(",") if a.strip()]


def describe(client: Client, database: str, table: str) -> TableInfo | None:
    """The table, or ``None`` when it does not exist."""
    what = f"cannot describe {database}.{table}"
    rows = call(what, client.query, "SELECT engine, engine_full FROM system.tables WHERE database = "
                f"{quote_string(database)} AND name = {quote_string(table)}").result_rows
    if not rows:
        return None
    engine, engine_full = str(rows[0][0]), str(rows[0][1])
    columns = call(what, client.query, "SELECT name, type FROM system.columns WHERE database = "
                   f"{quote_string(database)} AND table = {quote_string(table)} "
                   "AND default_kind NOT IN ('MATERIALIZED', 'ALIAS') ORDER BY position").result_rows
    version = deleted = None
    if engine.endswith("ReplacingMergeTree"):
        args = _engine_args(engine_full, engine)
        if engine.startswith("Replicated"):
            args = args[2:]
        version = args[0] if args else None
        deleted = args[1] if len(args) > 1 else None
    return TableInfo(database, table, engine, engine_full, {str(n): str(t) for n, t in columns}, version, deleted)


def create_statement(opts: ClickhouseSinkOptions, schema: pa.Schema) -> str:
    """The CREATE TABLE statement of ``save_mode_create_template`` for ``schema``."""
    keys = opts.key_columns()
    template = opts.save_mode_create_template
    definitions = column_definitions(schema, opts.server_time_zone, opts.low_cardinality_fields, keys)
    by_name = dict(zip(schema.names, definitions, strict=True))
    separate_keys = "${rowtype_primary_key}" in template
    fields = [d for n, d in by_name.items() if not (separate_keys and n in keys)]
    upsert = opts.support_upsert and bool(keys)
    if upsert:
        fields += [f"{quote_name(VERSION_COLUMN)} UInt64", f"{quote_name(DELETED_COLUMN)} UInt8"]
    engine = (f"ReplacingMergeTree({quote_name(VERSION_COLUMN)}, {quote_name(DELETED_COLUMN)})" if upsert
              else "MergeTree()")
    key_names = ", ".join(quote_name(k) for k in keys)
    values = {
        "database": opts.database, "table": opts.table,
        "rowtype_fields": ",\n  ".join(fields),
        "rowtype_primary_key": ",\n  ".join(by_name[k] for k in keys),
        "primary_key": key_names or "tuple()",
        "order_by": (key_names if len(keys) == 1 else f"({key_names})") if keys else "tuple()",
        "engine": engine, "comment": opts.comment.replace("'", "\\'"),
    }
    return re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def apply_save_modes(client: Client, opts: ClickhouseSinkOptions, schema: pa.Schema) -> None:
    """schema_save_mode then data_save_mode, as SeaTunnel applies them before a job."""
    name = f"{opts.database}.{opts.table}"
    target = qualified(opts.database, opts.table)
    exists = describe(client, opts.database, opts.table) is not None
    created = False
    mode = opts.schema_save_mode
    if mode == SchemaSaveMode.ERROR_WHEN_SCHEMA_NOT_EXIST and not exists:
        raise ConnectorError(f"Clickhouse: table {name} does not exist "
                             "(schema_save_mode = ERROR_WHEN_SCHEMA_NOT_EXIST)")
    if mode in (SchemaSaveMode.RECREATE_SCHEMA, SchemaSaveMode.CREATE_SCHEMA_WHEN_NOT_EXIST):
        call(f"cannot create database {opts.database}", client.command,
             f"CREATE DATABASE IF NOT EXISTS {quote_name(opts.database)}")
        if mode == SchemaSaveMode.RECREATE_SCHEMA and exists:
            call(f"cannot drop {name}", client.command, f"DROP TABLE IF EXISTS {target} SYNC")
            exists = False
        if not exists:
            statement = create_statement(opts, schema)
            log.info("Clickhouse: creating %s: %s", name, " ".join(statement.split()))
            call(f"cannot create {name}", client.command, statement)
            created = True
    data = opts.data_save_mode
    if data == DataSaveMode.DROP_DATA and not created:
        call(f"cannot truncate {name}", client.command, f"TRUNCATE TABLE IF EXISTS {target}")
    elif data == DataSaveMode.CUSTOM_PROCESSING:
        call(f"custom_sql failed on {name}", client.command, opts.custom_sql or "")
    elif data == DataSaveMode.ERROR_WHEN_DATA_EXISTS and not created:
        rows = call(f"cannot count the rows of {name}", client.query, f"SELECT count() FROM {target}").result_rows
        if rows and int(rows[0][0]) > 0:
            raise ConnectorError(f"Clickhouse: table {name} already has data (data_save_mode = ERROR_WHEN_DATA_EXISTS)")


def check_columns(info: TableInfo, schema: pa.Schema) -> None:
    """Every input column must be a column of the table."""
    missing = [n for n in schema.names if n not in info.columns and n != ROW_KIND_COLUMN]
    if missing:
        raise ConnectorError(f"Clickhouse: table {info.database}.{info.name} has no column "
                             f"{', '.join(repr(m) for m in missing)} (columns: {', '.join(info.columns)})")
