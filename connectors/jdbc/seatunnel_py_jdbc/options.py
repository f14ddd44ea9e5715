"""Option models of the Jdbc source and sink (names as in SeaTunnel, a few seatunnel-py additions)."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from seatunnel_py.api import DataSaveMode, OptionError, PluginOptions, SchemaSaveMode, option

from .urls import Dialect, Target, parse_url


class ConnectionOptions(PluginOptions):
    """Options the Jdbc source and sink share: where to connect and as whom."""

    passthrough = ("properties",)

    url: str = option(..., "jdbc:postgresql://, jdbc:mysql://, jdbc:mariadb://, jdbc:sqlite: URL or a "
                      "SQLAlchemy URL", fallback="base-url")
    driver: str | None = option(None, "JDBC driver class: accepted for compatibility and ignored "
                                "(the driver follows from the url)")
    username: str | None = option(None, "database user", fallback="user")
    password: SecretStr | None = option(None, "database password", secret=True)
    properties: dict[str, Any] = option({}, "extra connection parameters passed to the driver "
                                        "(libpq keywords for PostgreSQL, connect() arguments otherwise)")
    connection_check_timeout_sec: int = option(30, "seconds to wait when connecting", gt=0)

    def target(self) -> Target:
        """The parsed url with the user, password and properties applied."""
        secret = self.password.get_secret_value() if self.password is not None else None
        props = {str(k): str(v) for k, v in self.properties.items()}
        props.setdefault("connect_timeout", str(self.connection_check_timeout_sec))
        return parse_url(self.url).with_credentials(self.username, secret, props)

    def url_errors(self) -> list[OptionError]:
        """Problems with the url (never echoes the password)."""
        try:
            parse_url(self.url)
        except ValueError as exc:
            return [OptionError("url", str(exc))]
        return []


class TableOptions(PluginOptions):
    """One entry of ``table_list``: a table or query with its own split settings."""

    table_path: str | None = option(None, "table to read: table, schema.table or db.schema.table")
    query: str | None = option(None, "SQL query to read instead of a table")
    where_condition: str | None = option(None, "condition appended to the query, starting with 'where'")
    partition_column: str | None = option(None, "numeric column the table is split on")
    partition_num: int | None = option(None, "number of splits", gt=0)
    partition_lower_bound: float | None = option(None, "lower bound used to cut the splits")
    partition_upper_bound: float | None = option(None, "upper bound used to cut the splits")
    split_size: int = option(8096, "rows per split when splitting a table_path", alias="split.size", gt=0)
    incremental_column: str | None = option(
        None, "seatunnel-py: cursor column for incremental reads; its last value read is the "
        "split state, so a later run of the same job.name reads only rows with a greater value")
    incremental_start: str | None = option(
        None, "seatunnel-py: read only rows whose incremental_column is greater than this on a fresh start")

    def table_errors(self, prefix: tuple[str | int, ...] = ()) -> list[OptionError]:
        """Cross-option checks of one table entry."""
        errors: list[OptionError] = []
        if bool(self.table_path) == bool(self.query):
            errors.append(OptionError((*prefix, "query"), "set exactly one of 'query' and 'table_path'"))
        where = (self.where_condition or "").strip()
        if where and not where.lower().startswith("where"):
            errors.append(OptionError((*prefix, "where_condition"), "must start with 'where'"))
        if self.incremental_column and self.partition_column:
            errors.append(OptionError((*prefix, "incremental_column"), "an incremental read is one "
                                      "ordered split; do not combine it with partition_column"))
        lo, hi = self.partition_lower_bound, self.partition_upper_bound
        if lo is not None and hi is not None and lo > hi:
            errors.append(OptionError((*prefix, "partition_lower_bound"), "greater than partition_upper_bound"))
        return errors


class JdbcSourceOptions(TableOptions, ConnectionOptions):
    """Options of the Jdbc source."""

    passthrough = ("properties",)

    table_list: list[dict[str, Any]] | None = option(
        None, "several tables in one job: a list of { table_path = …, query = …, partition_column = … }")
    use_regex: bool = option(False, "table_path as a regular expression: not supported (use table_list)")
    compatible_mode: str | None = option(None, "accepted for compatibility and ignored (the url decides)")
    dialect: str | None = option(None, "accepted for compatibility and ignored (the url decides)")
    int_type_narrowing: bool = option(True, "MySQL TINYINT(1) reads as boolean (always on)")
    decimal_type_narrowing: bool = option(True, "accepted for compatibility (Oracle only) and ignored")
    handle_blob_as_string: bool = option(False, "accepted for compatibility (Oracle only) and ignored")
    use_select_count: bool = option(False, "accepted for compatibility and ignored")
    skip_analyze: bool = option(False, "accepted for compatibility and ignored")
    split_factor_lower: float = option(0.05, "accepted for compatibility and ignored (ranges are even)",
                                       alias="split.even-distribution.factor.lower-bound")
    split_factor_upper: float = option(100.0, "accepted for compatibility and ignored (ranges are even)",
                                       alias="split.even-distribution.factor.upper-bound")
    split_sample_threshold: int = option(1000, "accepted for compatibility and ignored",
                                         alias="split.sample-sharding.threshold")
    split_inverse_sampling: int = option(1000, "accepted for compatibility and ignored",
                                         alias="split.inverse-sampling.rate")
    split_string_mode: str | None = option(None, "accepted for compatibility; string split columns are "
                                           "not supported (use an integer column)", alias="split.string_split_mode")
    split_string_collate: str | None = option(None, "accepted for compatibility and ignored",
                                              alias="split.string_split_mode_collate")
    fetch_size: int = option(0, "rows per record batch; 0 = the driver's batches for PostgreSQL "
                             "(about 16 MB each), 8192 rows for the others", ge=0)
    max_tied_rows: int = option(
        1_000_000, "seatunnel-py: most rows a reader holds back while they share one value of "
        "incremental_column / partition_column and no primary key breaks the tie (such rows are handed out "
        "together, so a restart can resume after the whole value); more fail the split", gt=0)

    def tables(self) -> list[TableOptions]:
        """The table entries to read (``table_list`` entries inherit the top-level split options)."""
        if not self.table_list:
            return [self]
        inherited = {"where_condition": self.where_condition, "split.size": self.split_size}
        return [TableOptions.model_validate({**inherited, **entry}) for entry in self.table_list]

    def batch_rows(self) -> int:
        """Rows per record batch (0: as the driver delivers them, where it delivers Arrow)."""
        return self.fetch_size

    def check(self) -> list[OptionError]:
        """Url, one of query/table_path/table_list, bounds, where_condition."""
        errors = self.url_errors()
        if self.use_regex:
            errors.append(OptionError("use_regex", "regular expressions in table_path are not supported; "
                                      "name the tables in table_list"))
        if self.table_list is not None:
            if self.query or self.table_path:
                errors.append(OptionError("table_list", "set either table_list or query/table_path"))
            if not self.table_list:
                errors.append(OptionError("table_list", "must name at least one table"))
            for i, entry in enumerate(self.table_list):
                try:
                    table = TableOptions.model_validate(entry)
                except ValueError as exc:
                    errors.append(OptionError(("table_list", i), str(exc).splitlines()[0]))
                    continue
                errors.extend(table.table_errors(("table_list", i)))
        else:
            errors.extend(self.table_errors())
        return errors


class JdbcSinkOptions(ConnectionOptions):
    """Options of the Jdbc sink."""

    passthrough = ("properties",)

    query: str | None = option(None, "explicit INSERT statement with '?' placeholders in field order")
    generate_sink_sql: bool = option(False, "build INSERT/UPSERT/DELETE from database, table and the schema")
    database: str | None = option(None, "database (MySQL) or schema (PostgreSQL: schema.table also works in 'table')")
    table: str | None = option(None, "target table; supports ${table_name}, ${database_name}, ${schema_name}")
    primary_keys: list[str] = option([], "key columns: INSERT/UPDATE_AFTER upsert, DELETE deletes, "
                                     "UPDATE_BEFORE is dropped")
    enable_upsert: bool = option(True, "use the dialect's upsert when primary_keys are set")
    support_upsert_by_insert_only: bool = option(False, "plain INSERT even with primary_keys")
    batch_size: int = option(1000, "flush when this many rows are buffered (and at every checkpoint)", gt=0)
    max_retries: int = option(0, "accepted for compatibility (failed flushes fail the job)", ge=0)
    is_exactly_once: bool = option(
        False, "commit data and the checkpoint id in one two-phase transaction (PostgreSQL PREPARE "
        "TRANSACTION, MySQL/MariaDB XA)")
    xa_data_source_class_name: str | None = option(None, "accepted for compatibility and ignored")
    max_commit_attempts: int = option(3, "commit attempts of a prepared transaction", gt=0)
    transaction_timeout_sec: int = option(-1, "accepted for compatibility and ignored")
    auto_commit: bool = option(True, "accepted for compatibility (writes commit per flush unless exactly-once)")
    schema_save_mode: SchemaSaveMode = option(SchemaSaveMode.CREATE_SCHEMA_WHEN_NOT_EXIST,
                                              "what to do with the target table before writing")
    data_save_mode: DataSaveMode = option(DataSaveMode.APPEND_DATA, "what to do with rows already there")
    custom_sql: str | None = option(None, "SQL run before writing when data_save_mode = CUSTOM_PROCESSING")
    use_copy_statement: bool = option(False, "accepted: PostgreSQL writes always use binary COPY")
    field_ide: str | None = option(None, "accepted for compatibility and ignored (names are kept)")
    is_primary_key_updated: bool = option(True, "accepted for compatibility (upserts update every column)")
    support_upsert_by_query_primary_key_exist: bool = option(False, "accepted for compatibility and ignored")
    create_index: bool = option(True, "accepted: created tables always get the primary key")
    compatible_mode: str | None = option(None, "accepted for compatibility and ignored (the url decides)")
    dialect: str | None = option(None, "accepted for compatibility and ignored (the url decides)")

    def check(self) -> list[OptionError]:
        """Url, generate_sink_sql/table/query, custom_sql, exactly-once support."""
        errors = self.url_errors()
        if self.generate_sink_sql and not self.table:
            errors.append(OptionError("table", "required when generate_sink_sql = true"))
        if not self.generate_sink_sql and not self.query and not self.table:
            errors.append(OptionError("query", "set query, or generate_sink_sql = true with table"))
        if self.data_save_mode == DataSaveMode.CUSTOM_PROCESSING and not self.custom_sql:
            errors.append(OptionError("custom_sql", "required when data_save_mode = CUSTOM_PROCESSING"))
        if self.is_exactly_once and not errors:
            dialect = parse_url(self.url).dialect
            if dialect not in (Dialect.POSTGRES, Dialect.MYSQL):
                errors.append(OptionError("is_exactly_once", "needs PostgreSQL or MySQL/MariaDB "
                                          f"(two-phase commit); not available for {dialect.value}"))
        return errors
