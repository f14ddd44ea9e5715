"""Option checks and CREATE TABLE templates (no server needed)."""

from __future__ import annotations

import pyarrow as pa
from seatunnel_py_clickhouse.options import ClickhouseSinkOptions, ClickhouseSourceOptions
from seatunnel_py_clickhouse.table import create_statement

BASE = {"host": "127.0.0.1:8123", "username": "u", "password": "secret-pw", "database": "db", "table": "t"}
SCHEMA = pa.schema([pa.field("id", pa.int64()), pa.field("name", pa.string()), pa.field("at", pa.timestamp("ms"))])


def sink_options(**extra: object) -> ClickhouseSinkOptions:
    return ClickhouseSinkOptions.model_validate({**BASE, **extra})


def problems(opts: ClickhouseSinkOptions | ClickhouseSourceOptions) -> dict[str, str]:
    return {e.option[0]: e.message for e in opts.check()}


def test_custom_template_with_separate_key_columns():
    template = ("CREATE TABLE `${database}`.`${table}` (${rowtype_primary_key}, ${rowtype_fields}) "
                "ENGINE = ReplicatedMergeTree('/ch/${table}', '{replica}') ORDER BY (${primary_key}) "
                "COMMENT '${comment}'")
    opts = sink_options(primary_key="id", save_mode_create_template=template, server_time_zone="Asia/Tokyo",
                        low_cardinality_fields=["name"], comment="it's")
    assert create_statement(opts, SCHEMA) == (
        "CREATE TABLE `db`.`t` (`id` Int64, `name` LowCardinality(Nullable(String)),\n"
        "  `at` Nullable(DateTime64(3, 'Asia/Tokyo'))) ENGINE = ReplicatedMergeTree('/ch/t', '{replica}') "
        "ORDER BY (`id`) COMMENT 'it\\'s'")


def test_default_template_upsert_engine():
    text = create_statement(sink_options(primary_key="id, name", support_upsert=True), SCHEMA)
    assert "ENGINE = ReplacingMergeTree(`_version`, `_is_deleted`)" in text
    assert "ORDER BY (`id`, `name`)" in text
    assert "`id` Int64,\n  `name` String," in text  # key columns are not Nullable
    assert "`_version` UInt64,\n  `_is_deleted` UInt8" in text
    assert "non_replicated_deduplication_window = 10000" in text


def test_no_key_orders_by_tuple():
    assert "ORDER BY tuple()" in create_statement(sink_options(), SCHEMA)


def test_sink_option_problems():
    found = problems(sink_options(support_upsert=True, data_save_mode="custom_processing", split_mode=True,
                                  save_mode_create_template="CREATE ${nope}", host="a:b"))
    assert found == {
        "host": "'a:b' is not host:port (expected host:port[,host2:port])",
        "split_mode": "writing to the shards of a Distributed table is not supported; write to the "
                      "Distributed table itself",
        "custom_sql": "data_save_mode = CUSTOM_PROCESSING needs custom_sql",
        "primary_key": "support_upsert = true needs primary_key",
        "save_mode_create_template": found["save_mode_create_template"],
    }
    assert found["save_mode_create_template"].startswith("unknown placeholder ${nope}")


def test_source_option_problems():
    opts = ClickhouseSourceOptions.model_validate({**{k: BASE[k] for k in ("host", "username", "password")},
                                                   "sql": "SELECT 1", "filter_query": "x > 1",
                                                   "schema": {"fields": {"a": "nosuchtype"}}})
    found = problems(opts)
    assert set(found) == {"filter_query", "schema"}
    none = ClickhouseSourceOptions.model_validate({k: BASE[k] for k in ("host", "username", "password")})
    assert problems(none) == {"sql": "set sql or table_path"}


def test_hosts_and_secret():
    opts = sink_options(host="ch1:8123, ch2:9000,ch3")
    assert opts.hosts() == [("ch1", 8123), ("ch2", 9000), ("ch3", 8123)]
    assert "secret-pw" not in repr(opts)
    assert ClickhouseSinkOptions.secret_names() == {"password"}
