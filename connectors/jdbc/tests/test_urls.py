"""URL parsing and option checks (no server needed)."""

from __future__ import annotations

import pytest
from seatunnel_py_jdbc.options import JdbcSinkOptions, JdbcSourceOptions
from seatunnel_py_jdbc.urls import Dialect, parse_url


@pytest.mark.parametrize("url,dialect,host,port,database", [
    ("jdbc:postgresql://db.example:5433/shop?sslmode=disable", Dialect.POSTGRES, "db.example", 5433, "shop"),
    ("jdbc:mysql://127.0.0.1:3306/seatunnel", Dialect.MYSQL, "127.0.0.1", 3306, "seatunnel"),
    ("jdbc:mariadb://127.0.0.1/seatunnel", Dialect.MYSQL, "127.0.0.1", None, "seatunnel"),
    ("postgresql+psycopg://u:p@h:5432/d", Dialect.POSTGRES, "h", 5432, "d"),
    ("mysql+pymysql://u:p@h/d", Dialect.MYSQL, "h", None, "d"),
])
def test_network_urls(url: str, dialect: Dialect, host: str, port: int | None, database: str) -> None:
    target = parse_url(url)
    assert (target.dialect, target.host, target.port, target.database) == (dialect, host, port, database)


def test_sqlite_and_other_urls() -> None:
    assert parse_url("jdbc:sqlite:/tmp/x.db").path == "/tmp/x.db"
    assert parse_url("jdbc:sqlite::memory:").sqlalchemy() == "sqlite://"
    assert parse_url("sqlite:///rel/x.db").path == "rel/x.db"
    assert parse_url("oracle+oracledb://u:p@h/svc").dialect == Dialect.OTHER


def test_credentials_never_show_and_options_win() -> None:
    target = parse_url("jdbc:postgresql://h:5432/d?user=a&password=s3cret").with_credentials("b", "t0p", {"sslmode": "require"})
    assert (target.user, target.password) == ("b", "t0p")
    assert "t0p" not in target.display() and "t0p" not in repr(target)
    assert target.adbc_uri() == "postgresql://b:t0p@h:5432/d?sslmode=require"


def test_bad_urls_are_option_errors() -> None:
    with pytest.raises(ValueError, match="unsupported jdbc url scheme 'jdbc:oracle'"):
        parse_url("jdbc:oracle:thin:@h:1521:x")
    opts = JdbcSourceOptions.model_validate({"url": "jdbc:db2://h/x", "query": "select 1"})
    assert [e.option for e in opts.check()] == [("url",)]


def test_cross_option_checks() -> None:
    src = JdbcSourceOptions.model_validate({"url": "jdbc:sqlite::memory:", "query": "select 1", "table_path": "t",
                                            "where_condition": "id > 1"})
    assert {e.option for e in src.check()} == {("query",), ("where_condition",)}
    sink = JdbcSinkOptions.model_validate({"url": "jdbc:sqlite:/tmp/x.db", "table": "t", "generate_sink_sql": True,
                                           "is_exactly_once": True, "data_save_mode": "CUSTOM_PROCESSING"})
    assert {e.option for e in sink.check()} == {("custom_sql",)}
    sink = JdbcSinkOptions.model_validate({"url": "jdbc:sqlite:/tmp/x.db", "table": "t", "generate_sink_sql": True,
                                           "is_exactly_once": True})
    assert [e.message for e in sink.check()] == ["needs PostgreSQL or MySQL/MariaDB (two-phase commit); not available for sqlite"]
