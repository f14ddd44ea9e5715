"""Sql query shapes in-process: nested rows, maps, *, lateral views, row kinds, schemas, bad queries."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from seatunnel_py_sql.transform import SqlTransform

from seatunnel_py.api import (
    ROW_KIND_COLUMN,
    Capability,
    OptionError,
    PluginContext,
    RowKind,
    attach_row_kinds,
    split_row_kinds,
    table_id,
)
from seatunnel_py.plugins import get_registry
from seatunnel_py.registry import PluginKind

SCHEMA = pa.schema([
    pa.field("id", pa.int32()),
    pa.field("name", pa.string()),
    pa.field("c_row", pa.struct([pa.field("c_inner", pa.struct([pa.field("c_int", pa.int32())])),
                                 pa.field("label", pa.string())])),
    pa.field("c_map", pa.map_(pa.string(), pa.string())),
    pa.field("tags", pa.list_(pa.string())),
    pa.field("csv", pa.string()),
], metadata={b"seatunnel.table_id": b"shop.users", b"seatunnel.primary_key": b"id"})
KINDS = [RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE]


def people(with_kinds: bool = True) -> pa.RecordBatch:
    data = pa.RecordBatch.from_pydict({
        "id": [1, 2, 3, 4],
        "name": ["Joy Ding", "May Ding", None, "Kin Dom"],
        "c_row": [{"c_inner": {"c_int": 5}, "label": "a"}, {"c_inner": {"c_int": 6}, "label": "b"}, None,
                  {"c_inner": None, "label": "d"}],
        "c_map": [[("k", "v1"), ("z", "q")], [("k", "v2")], [], None],
        "tags": [["a", "b"], [], None, ["c"]],
        "csv": ["x,y", "z", None, ""],
    }, schema=SCHEMA)
    if not with_kinds:
        return data
    return attach_row_kinds(data, pa.array([int(k) for k in KINDS], pa.int8()))


def make(query: str) -> SqlTransform:
    return SqlTransform(SqlTransform.options_model.model_validate({"query": query}), PluginContext(label="transform.Sql"))


def run(query: str, data: pa.RecordBatch | None = None) -> pa.RecordBatch:
    data = people() if data is None else data
    plain, _ = split_row_kinds(data)
    sql = make(query)
    declared = sql.output_schema(plain.schema)
    sql.bind(plain.schema)
    out = sql.apply(data)
    assert out is not None
    out_data, _ = split_row_kinds(out)
    assert out_data.schema.equals(declared, check_metadata=True), f"{out_data.schema}\n!=\n{declared}"
    return out


def rows(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    data, _ = split_row_kinds(batch)
    return data.to_pylist()


def kinds(batch: pa.RecordBatch) -> list[int] | None:
    _, k = split_row_kinds(batch)
    return None if k is None else k.to_pylist()


def error(query: str, schema: pa.Schema = SCHEMA) -> str:
    with pytest.raises(OptionError) as info:
        make(query).output_schema(schema)
    assert info.value.option == ("query",)
    return info.value.message


def test_registered_with_capabilities() -> None:
    found = get_registry().get(PluginKind.TRANSFORM, "sql")
    assert found is not None and found.cls is SqlTransform
    assert found.distribution.startswith("seatunnel-py-sql ")
    assert {Capability.STATELESS, Capability.ROW_KINDS} <= SqlTransform.capabilities


@pytest.mark.parametrize("table", ["fake", "dual", "shop.users", "`fake`", '"fake"'])
def test_the_table_may_be_any_single_name(table: str) -> None:
    assert rows(run(f"select id from {table} where id = 2")) == [{"id": 2}]


def test_star_keeps_every_column_and_row_kinds_pass_through() -> None:
    out = run("select * from fake")
    assert out.schema.names == [*SCHEMA.names, ROW_KIND_COLUMN]
    assert kinds(out) == [int(k) for k in KINDS]
    assert rows(out) == people(with_kinds=False).to_pylist()


def test_where_keeps_the_row_kinds_of_the_rows_kept() -> None:
    out = run("select id, upper(name) as name from fake where id in (2, 4) or name like 'Joy%'")
    assert rows(out) == [{"id": 1, "name": "JOY DING"}, {"id": 2, "name": "MAY DING"}, {"id": 4, "name": "KIN DOM"}]
    assert kinds(out) == [RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.DELETE]


def test_a_batch_without_row_kinds_gets_none() -> None:
    out = run("select id from fake where id > 2", people(with_kinds=False))
    assert kinds(out) is None and rows(out) == [{"id": 3}, {"id": 4}]


def test_table_id_and_primary_key_metadata() -> None:
    out = run("select id, name from fake")
    assert table_id(out) == "shop.users"
    assert out.schema.metadata[b"seatunnel.primary_key"] == b"id"
    without_key = run("select name from fake")
    assert table_id(without_key) == "shop.users" and b"seatunnel.primary_key" not in without_key.schema.metadata


def test_nested_row_fields_and_map_lookup() -> None:
    out = run("select id, c_row.c_inner.c_int as ci, c_row.label, fake.c_row.label as l2, c_map.k as mk, "
              "c_map.missing as mm from fake")
    assert rows(out) == [
        {"id": 1, "ci": 5, "label": "a", "l2": "a", "mk": "v1", "mm": None},
        {"id": 2, "ci": 6, "label": "b", "l2": "b", "mk": "v2", "mm": None},
        {"id": 3, "ci": None, "label": None, "l2": None, "mk": None, "mm": None},
        {"id": 4, "ci": None, "label": "d", "l2": "d", "mk": None, "mm": None},
    ]
    assert out.schema.field("ci").type == pa.int32()


def test_nested_fields_in_where() -> None:
    assert rows(run("select id from fake where c_row.c_inner.c_int > 5 and c_map.k = 'v2'")) == [{"id": 2}]


def test_lateral_view_explode_multiplies_rows_with_their_kinds() -> None:
    out = run("select id, tag from fake lateral view explode(tags) as tag")
    assert rows(out) == [{"id": 1, "tag": "a"}, {"id": 1, "tag": "b"}, {"id": 4, "tag": "c"}]
    assert kinds(out) == [RowKind.INSERT, RowKind.INSERT, RowKind.DELETE]


def test_lateral_view_outer_keeps_rows_with_empty_or_null_arrays() -> None:
    out = run("select id, tag from fake lateral view outer explode(tags) as tag")
    assert [(r["id"], r["tag"]) for r in rows(out)] == [(1, "a"), (1, "b"), (2, None), (3, None), (4, "c")]
    assert kinds(out) == [0, 0, 1, 2, 3]


def test_lateral_views_chain_and_may_replace_a_column_as_in_seatunnel() -> None:
    out = run("SELECT * FROM dual LATERAL VIEW EXPLODE(SPLIT(csv, ',')) AS csv "
              "LATERAL VIEW OUTER EXPLODE(ARRAY(1, 2)) t AS num WHERE id < 3")
    assert out.schema.names == [*SCHEMA.names, "num", ROW_KIND_COLUMN]
    assert out.schema.field("csv").type == pa.string()
    assert [(r["id"], r["csv"], r["num"]) for r in rows(out)] == [
        (1, "x", 1), (1, "x", 2), (1, "y", 1), (1, "y", 2), (2, "z", 1), (2, "z", 2)]


def test_explode_outside_lateral_view_is_refused() -> None:
    assert "only allowed in LATERAL VIEW" in error("select explode(tags) from fake")


def test_empty_batch_and_a_filter_that_keeps_nothing() -> None:
    empty = people().slice(0, 0)
    assert run("select id, name from fake", empty).num_rows == 0
    out = run("select id, name from fake where id > 100")
    assert out.num_rows == 0 and kinds(out) == []


def test_backquoted_and_keyword_like_names() -> None:
    schema = pa.schema([pa.field("year", pa.int32()), pa.field("my col", pa.string()), pa.field("date", pa.date32())])
    data = pa.RecordBatch.from_pydict({"year": [2024], "my col": ["x"], "date": [None]}, schema=schema)
    out = run("select year + 1 as `apply`, `my col` as c, date is null as d, YEAR(CAST('2020-01-01' AS DATE)) y "
              "from dual", data)
    assert rows(out) == [{"apply": 2025, "c": "x", "d": True, "y": 2020}]


def test_beyond_seatunnel_duckdb_scalar_functions_and_between() -> None:
    out = run("select id, starts_with(name, 'May') as s from fake where id between 2 and 3")
    assert rows(out) == [{"id": 2, "s": True}, {"id": 3, "s": None}]


# --- bad queries: errors at plan time, on the query option, with a suggestion -----------


def test_unknown_column_with_a_suggestion() -> None:
    message = error("select id, nmae from fake")
    assert message.startswith("unknown column 'nmae' (did you mean 'name'?)"), message


def test_unknown_column_in_where() -> None:
    assert "unknown column 'agee'" in error("select id from fake where agee > 3")


def test_unknown_function_with_a_suggestion() -> None:
    assert error("select uper(name) from fake") == "unknown function 'uper' (did you mean 'UPPER'?)"
    assert error("select formatdatetim(name, 'yyyy') from fake").endswith("(did you mean 'FORMATDATETIME'?)")


def test_unknown_nested_field_with_a_suggestion() -> None:
    assert error("select c_row.lable from fake") == "row 'c_row' has no field 'lable' (did you mean 'label'?)"


def test_dotted_access_on_a_plain_column() -> None:
    assert "not a row or a map" in error("select name.first from fake")


def test_wrong_number_of_arguments() -> None:
    assert error("select lpad(name) from fake") == "LPAD takes 2 to 3 arguments (got 1)"
    assert error("select multi_if(id > 1, 'a') from fake").startswith("MULTI_IF takes 3 or more arguments")


def test_unknown_cast_type() -> None:
    assert error("select cast(id as strin) from fake").startswith("unknown CAST type 'strin' (did you mean 'STRING'?)")


@pytest.mark.parametrize(("query", "expected"), [
    ("select count(*) from fake", "aggregate function COUNT is not supported"),
    ("select sum(id) from fake", "aggregate function SUM is not supported"),
    ("select id from fake group by id", "GROUP BY is not supported"),
    ("select id from fake order by id", "ORDER BY is not supported"),
    ("select id from fake limit 3", "LIMIT is not supported"),
    ("select id from fake a join other b on a.id = b.id", "joins are not supported"),
    ("select id from fake, other", "joins are not supported"),
    ("select id from (select id from fake)", "sub-queries are not supported"),
    ("select id from fake where id in (select id from other)", "sub-queries are not supported"),
    ("select id from fake union select id from fake", "UNION is not supported"),
    ("select distinct id from fake", "SELECT DISTINCT is not supported"),
    ("select row_number() over () from fake", "window functions (OVER) are not supported"),
    ("delete from fake", "only SELECT queries are supported"),
    ("select id", "the query has no FROM"),
    ("select id from fake; drop table x", "only one statement is supported"),
    ("select 'abc from fake", "cannot read the query: unclosed quote"),
    ("select id from fake lateral view posexplode(tags) as t", "LATERAL VIEW supports EXPLODE(…) only"),
    ("select id from fake lateral view explode(tags)", "needs AS <column name>"),
    ("select formatdatetime(name, name) from fake", "FORMATDATETIME: the format must be a string literal"),
    ("select formatdatetime(name, 'yyyy-QQ') from fake", "pattern letters 'QQ'"),
    ("select id, id from fake", "two output columns are named 'id'"),
    ("select cast(name as int) + 'x' from fake", "Could not choose a best candidate function"),
])
def test_refused_queries_say_why(query: str, expected: str) -> None:
    assert expected in error(query)


def test_plan_time_schema_equals_run_time_schema_for_a_wide_query() -> None:
    run("select id, name || '!' as n, c_row, c_map, tags, cast(id as decimal(10, 2)) d, uuid() u, "
        "array(name, 'x') a, concat_ws('-', name, csv) c from fake where id > 1")


def test_each_instance_has_its_own_session() -> None:
    first, second = make("select id from fake"), make("select id from fake")
    first.bind(SCHEMA)
    second.bind(SCHEMA)
    one = first.apply(people())
    two = second.apply(people().slice(0, 2))
    assert one is not None and two is not None and one.num_rows == 4 and two.num_rows == 2


def test_bare_columns_keep_their_input_field() -> None:
    """Selected as they are, columns keep type and nullability (DuckDB would widen or rename them)."""
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("n", pa.uint32()),
                        pa.field("ts", pa.timestamp("us", tz="UTC")), pa.field("s", pa.string())])
    data = pa.RecordBatch.from_pydict({"id": [1, 2, 3], "n": [7, 8, 9], "ts": [0, 1, 2], "s": ["a", "b", None]},
                                      schema=schema)
    out = run("select id, n as m, ts, upper(s) as s from fake where n > 7", data)
    assert out.schema.field("id") == pa.field("id", pa.int64(), nullable=False)
    assert out.schema.field("m").type == pa.uint32() and out.schema.field("ts").type == pa.timestamp("us", tz="UTC")
    assert rows(out) == [{"id": 2, "m": 8, "ts": rows(out)[0]["ts"], "s": "B"}, {"id": 3, "m": 9, "ts": rows(out)[1]["ts"], "s": None}]
    assert [r["ts"].timestamp() for r in rows(out)] == [1e-6, 2e-6]


def test_a_pure_projection_reuses_the_input_arrays() -> None:
    data = people()
    out = run("select name, id as key from fake", data)
    assert out.column(0) is not None and out.column(0).equals(data.column(1))
    assert out.column(0).buffers()[1].address == data.column(1).buffers()[1].address
    assert kinds(out) == [int(k) for k in KINDS]


def test_each_batch_keeps_its_own_table_id() -> None:
    from seatunnel_py.api import with_table_id

    sql = make("select id, upper(name) as name from fake where id > 1")
    sql.bind(SCHEMA)
    other = with_table_id(people(), "shop.other")
    out = sql.apply(other)
    assert out is not None and table_id(out) == "shop.other"


def test_a_missing_duckdb_says_what_to_install() -> None:
    import subprocess
    import sys

    code = ("import sys; sys.modules['duckdb'] = None\n"
            "from seatunnel_py_sql.engine import import_duckdb\n"
            "try:\n    import_duckdb()\nexcept Exception as exc:\n    print(type(exc).__name__, exc)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.stdout.strip() == ("ConnectorError the Sql transform needs the duckdb package: pip install duckdb "
                                     "(or pip install seatunnel-py-sql)"), result.stderr


def test_where_may_name_a_select_alias() -> None:
    assert rows(run("select name as n, id from fake where n = 'May Ding'")) == [{"n": "May Ding", "id": 2}]
    assert rows(run("select upper(name) as n from fake where n = 'KIN DOM'")) == [{"n": "KIN DOM"}]


def test_duckdb_errors_become_one_plain_line() -> None:
    from seatunnel_py_sql.engine import explain

    assert explain(Exception("Invalid Input Error: Python exception occurred while executing the UDF: ValueError: no"),
                   []) == "Python exception occurred while executing the UDF: ValueError: no"
    assert explain(Exception("Conversion Error: Could not convert string 'x' to INT32\n\nLINE 1: …"), []) \
        == "Could not convert string 'x' to INT32"
