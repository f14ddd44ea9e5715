"""Assert sink rules, checked on real batches."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from seatunnel_py.api import PluginContext, RuleViolation
from seatunnel_py.builtins.assertion.options import AssertOptions
from seatunnel_py.builtins.assertion.sink import AssertSink

BATCH = pa.RecordBatch.from_pydict(
    {
        "name": pa.array(["alpha", "beta", None]),
        "age": pa.array([20, 30, 40], pa.int32()),
        "day": pa.array([dt.date(2012, 12, 21)] * 3),
        "tags": pa.array([["a"], ["a"], None], pa.list_(pa.string())),
    }
)


def sink(rules: dict) -> AssertSink:
    return AssertSink(AssertOptions.model_validate({"rules": rules}), PluginContext())


def field(name: str, *values: dict, field_type: str | None = None) -> dict:
    rule: dict = {"field_name": name, "field_value": list(values)}
    if field_type:
        rule["field_type"] = field_type
    return {"field_rules": [rule]}


def write(s: AssertSink, batch: pa.RecordBatch = BATCH) -> None:
    writer = s.create_writer(0, batch.schema)
    writer.write(batch)
    s.before_commit(1, final=True)


@pytest.mark.parametrize(
    "rules",
    [
        field(
            "age",
            {"rule_type": "NOT_NULL"},
            {"rule_type": "MIN", "rule_value": 20},
            {"rule_type": "MAX", "rule_value": 40},
        ),
        field("name", {"rule_type": "MIN_LENGTH", "rule_value": 0}, {"rule_type": "MAX_LENGTH", "rule_value": 5}),
        field("day", {"equals_to": "2012-12-21"}, field_type="date"),
        field("tags", {"equals_to": ["a"]}, field_type="array<string>"),
        {"row_rules": [{"rule_type": "MIN_ROW", "rule_value": 3}, {"rule_type": "MAX_ROW", "rule_value": 3}]},
    ],
)
def test_passing_rules(rules: dict) -> None:
    write(sink(rules))


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            field("name", {"rule_type": "NOT_NULL"}),
            "row {'name': None, 'age': 40, 'day': datetime.date(2012, 12, 21), 'tags': None} fails rule: field name fails NOT_NULL",
        ),
        (field("age", {"rule_type": "MAX", "rule_value": 35}), "fails rule: field age fails MAX 35"),
        (field("age", {"rule_type": "NULL"}), "fails rule: field age fails NULL"),
        (field("name", {"rule_type": "MIN_LENGTH", "rule_value": 5}), "'name': 'beta'"),
        (field("age", {"equals_to": 20}), "field age is 30, fails equals_to 20"),
        (field("age", field_type="bigint"), "field age has type INT (expected BIGINT)"),
        (field("name", {"rule_type": "MIN", "rule_value": 1}), "field name is not a number"),
        ({"row_rules": [{"rule_type": "MAX_ROW", "rule_value": 2}]}, "row num: 3 fails rule MAX_ROW 2"),
        ({"row_rules": [{"rule_type": "MIN_ROW", "rule_value": 4}]}, "row num: 3 fails rule MIN_ROW 4"),
        ({"table-names": ["db.t1"]}, "table-names: saw tables [''] (expected ['db.t1'])"),
    ],
)
def test_violations_name_the_row_and_rule(rules: dict, message: str) -> None:
    s = sink(rules)
    with pytest.raises(RuleViolation) as info:
        write(s, BATCH.slice(0, 3))
    assert message in str(info.value)


def test_row_counts_are_summed_over_parallel_writers() -> None:
    s = sink({"row_rules": [{"rule_type": "MIN_ROW", "rule_value": 6}, {"rule_type": "MAX_ROW", "rule_value": 6}]})
    for index in range(2):
        s.create_writer(index, BATCH.schema).write(BATCH)
    s.before_commit(1, final=True)


def test_catalog_table_rule_checks_columns() -> None:
    s = sink({"catalog_table_rule": {"column_rule": [{"name": "age", "type": "bigint"}]}})
    with pytest.raises(RuleViolation, match="column 'age' is INT"):
        s.prepare(BATCH.schema)
    sink({"catalog_table_rule": {"column_rule": [{"name": "age", "type": "int"}]}}).prepare(BATCH.schema)


def test_an_empty_rules_block_is_a_config_error() -> None:
    problems = AssertOptions.model_validate({"rules": {}}).check()
    assert [p.message for p in problems] == [
        "Assert rule config is empty (expected row_rules, field_rules, table-names, tables_configs or catalog_table_rule)"
    ]
