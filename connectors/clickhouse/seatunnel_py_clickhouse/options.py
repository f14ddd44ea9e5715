"""Option models of the Clickhouse source and sink (names as in SeaTunnel)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import SecretStr

from seatunnel_py.api import DataSaveMode, OptionError, PluginOptions, SchemaSaveMode, option
from seatunnel_py.types import SchemaError, TableSchema, parse_schema

DEFAULT_CREATE_TEMPLATE = """CREATE TABLE IF NOT EXISTS `${database}`.`${table}` (
${rowtype_fields}
) ENGINE = ${engine}
ORDER BY ${order_by}
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 10000
COMMENT '${comment}'"""
"""Default ``save_mode_create_template`` (placeholders: see the README)."""


def _split_hosts(text: str) -> list[tuple[str, int]]:
    hosts = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, port = part.rpartition(":")
        if not sep:
            name, port = part, "8123"
        if not name or not port.isdigit():
            raise ValueError(f"{part!r} is not host:port")
        hosts.append((name.strip("[]"), int(port)))
    if not hosts:
        raise ValueError("no host given")
    return hosts


class ConnectionOptions(PluginOptions):
    """Options the Clickhouse source and sink share: where the server is, who we are."""

    passthrough = ("clickhouse.config",)

    host: str = option(..., "HTTP endpoint(s) host:port, comma-separated for failover (e.g. ch1:8123,ch2:8123)")
    username: str = option(..., "ClickHouse user")
    password: SecretStr = option(..., "password of the user", secret=True)
    clickhouse_config: dict[str, Any] = option(
        {}, "ClickHouse settings sent with every request (e.g. max_insert_threads, insert_quorum)",
        alias="clickhouse.config")
    server_time_zone: str | None = option(
        None, "time zone of the server, used for DateTime values without a zone (default: the server's)")
    connect_timeout: int = option(10, "seatunnel-py: seconds to wait for a connection", gt=0)
    socket_timeout: int = option(300, "seatunnel-py: seconds to wait for an answer", gt=0)

    def hosts(self) -> list[tuple[str, int]]:
        """``host`` as (name, port) pairs, in failover order."""
        return _split_hosts(self.host)

    def connection_errors(self) -> list[OptionError]:
        """Problems with ``host``."""
        try:
            self.hosts()
        except ValueError as exc:
            return [OptionError("host", f"{exc} (expected host:port[,host2:port])")]
        return []


_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
TEMPLATE_PLACEHOLDERS = frozenset({"database", "table", "rowtype_fields", "rowtype_primary_key", "primary_key",
                                   "order_by", "engine", "comment"})


class ClickhouseSinkOptions(ConnectionOptions):
    """Options of the Clickhouse sink."""

    database: str = option(..., "target database")
    table: str = option(..., "target table")
    bulk_size: int = option(20000, "rows per INSERT (each insert is one deduplicated block)", gt=0)
    split_mode: bool = option(False, "write to the shards of a Distributed table directly (not supported)")
    sharding_key: str | None = option(None, "shard key for split_mode (not supported)")
    primary_key: str | None = option(None, "comma-separated key columns: ORDER BY of a created table, "
                                     "key of upserts and deletes")
    support_upsert: bool = option(False, "apply UPDATE_AFTER/INSERT as upserts by primary_key; a created "
                                  "table is ReplacingMergeTree(_version, _is_deleted)")
    allow_experimental_lightweight_delete: bool = option(
        False, "DELETE rows with lightweight DELETE FROM instead of ALTER TABLE … DELETE mutations")
    schema_save_mode: SchemaSaveMode = option(SchemaSaveMode.CREATE_SCHEMA_WHEN_NOT_EXIST,
                                              "what to do with the target table before writing")
    data_save_mode: DataSaveMode = option(DataSaveMode.APPEND_DATA, "what to do with rows already in the table")
    custom_sql: str | None = option(None, "SQL run before writing with data_save_mode = CUSTOM_PROCESSING")
    save_mode_create_template: str = option(DEFAULT_CREATE_TEMPLATE,
                                            "CREATE TABLE template; placeholders ${database}, ${table}, "
                                            "${rowtype_fields}, ${rowtype_primary_key}, ${primary_key}, "
                                            "${order_by}, ${engine}, ${comment}")
    low_cardinality_fields: list[str] = option(
        [], "seatunnel-py: string columns created as LowCardinality(String)")
    comment: str = option("", "seatunnel-py: table comment of a created table")

    def key_columns(self) -> list[str]:
        """``primary_key`` as a list of column names."""
        return [c.strip().strip("`") for c in (self.primary_key or "").split(",") if c.strip()]

    def check(self) -> list[OptionError]:
        """Cross-option checks."""
        errors = self.connection_errors()
        if self.split_mode:
            errors.append(OptionError("split_mode", "writing to the shards of a Distributed table is not "
                                      "supported; write to the Distributed table itself"))
        if self.data_save_mode == DataSaveMode.CUSTOM_PROCESSING and not (self.custom_sql or "").strip():
            errors.append(OptionError("custom_sql", "data_save_mode = CUSTOM_PROCESSING needs custom_sql"))
        if self.support_upsert and not self.key_columns():
            errors.append(OptionError("primary_key", "support_upsert = true needs primary_key"))
        unknown = set(_PLACEHOLDER.findall(self.save_mode_create_template)) - TEMPLATE_PLACEHOLDERS
        if unknown:
            errors.append(OptionError("save_mode_create_template", f"unknown placeholder ${{{sorted(unknown)[0]}}} "
                                      f"(expected {', '.join('${' + p + '}' for p in sorted(TEMPLATE_PLACEHOLDERS))})"))
        if "${" in self.table or "${" in self.database:
            errors.append(OptionError("table", "placeholders such as ${table_name} need a multi-table "
                                      "source, which this sink does not support yet"))
        return errors


class ClickhouseSourceOptions(ConnectionOptions):
    """Options of the Clickhouse source."""

    sql: str | None = option(None, "query to read (wins over table_path)")
    table_path: str | None = option(None, "table to read, database.table")
    filter_query: str | None = option(None, "condition added to the table_path query, e.g. \"id > 2 and type = 1\"")
    partition_list: list[str] | None = option(None, "table_path: read only these partitions (partition values "
                                              "as system.parts shows them, or partition ids)")
    batch_size: int = option(1024, "rows per record batch (max_block_size of the query)", gt=0)
    split_size: int = option(2**31 - 1, "table_path: rows per split; a partition with more rows is cut into "
                             "cityHash64(sorting key) ranges read in parallel", alias="split.size", gt=0)
    database: str | None = option(None, "seatunnel-py: database the sql runs in")
    schema_: dict[str, Any] | None = option(
        None, "seatunnel-py: declared schema { fields { name = type } }; results are cast to it and "
        "check/plan need no server (without it the schema is asked of the server)", alias="schema")

    def table_schema(self) -> TableSchema | None:
        """The declared schema (``None`` when not declared); ``SchemaError`` when bad."""
        return None if self.schema_ is None else parse_schema(self.schema_)

    def table_parts(self) -> tuple[str, str]:
        """``table_path`` as (database, table)."""
        text = self.table_path or ""
        database, _, table = text.rpartition(".")
        return (database or "default").strip("`"), table.strip("`")

    def check(self) -> list[OptionError]:
        """Cross-option checks."""
        errors = self.connection_errors()
        if not (self.sql or "").strip() and not (self.table_path or "").strip():
            errors.append(OptionError("sql", "set sql or table_path"))
        if self.table_path is not None and not self.table_parts()[1]:
            errors.append(OptionError("table_path", "expected database.table"))
        try:
            self.table_schema()
        except SchemaError as exc:
            errors.append(OptionError(("schema", *exc.path), exc.message))
        if self.sql and (self.filter_query or self.partition_list):
            name = "filter_query" if self.filter_query else "partition_list"
            errors.append(OptionError(name, f"{name} applies to table_path, not to sql (put it in the query)"))
        return errors
