"""The built-in transforms: values, schemas, row kinds, nulls and plan-time errors."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pytest
from pydantic import ValidationError

from seatunnel_py.api import (
    ROW_KIND_COLUMN,
    DataError,
    OptionError,
    PluginContext,
    RowKind,
    Transform,
    attach_row_kinds,
    split_row_kinds,
    table_id,
    with_table_id,
)
from seatunnel_py.builtins.plugin import TRANSFORMS
from seatunnel_py.builtins.transforms._regex import (
    compile_java,
    java_replacement,
    java_split,
    translate_pattern,
)
from seatunnel_py.builtins.transforms.copy import CopyTransform
from seatunnel_py.builtins.transforms.field_mapper import FieldMapperTransform
from seatunnel_py.builtins.transforms.field_rename import FieldRenameTransform
from seatunnel_py.builtins.transforms.filter import FilterTransform
from seatunnel_py.builtins.transforms.filter_row_kind import FilterRowKindTransform
from seatunnel_py.builtins.transforms.json_path import JsonPathTransform
from seatunnel_py.builtins.transforms.metadata import MetadataTransform
from seatunnel_py.builtins.transforms.regex_extract import RegexExtractTransform
from seatunnel_py.builtins.transforms.replace import ReplaceTransform
from seatunnel_py.builtins.transforms.row_kind_extractor import RowKindExtractorTransform
from seatunnel_py.builtins.transforms.split import SplitTransform
from seatunnel_py.plugins import build_registry
from seatunnel_py.registry import PluginKind

KINDS = [RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE]
SCHEMA = pa.schema(
    [
        pa.field("id", pa.int32(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("age", pa.int64()),
    ],
    metadata={b"seatunnel.table_id": b"shop.users"},
)


def people(kinds: list[RowKind] | None = KINDS) -> pa.RecordBatch:
    """Four rows, one of each kind, tagged with table id ``shop.users``."""
    batch = pa.RecordBatch.from_arrays(
        [
            pa.array([1, 2, 3, 4], pa.int32()),
            pa.array(["Joy Ding", "May Ding", None, "Kin Dom"]),
            pa.array([20, None, 30, 40], pa.int64()),
        ],
        schema=SCHEMA,
    )
    if kinds is None:
        return batch
    return attach_row_kinds(batch, pa.array([int(k) for k in kinds], pa.int8()))


def make(cls: type[Transform], options: dict[str, Any]) -> Transform:
    return cls(cls.options_model.model_validate(options), PluginContext())


def run(cls: type[Transform], options: dict[str, Any], batch: pa.RecordBatch | None = None) -> pa.RecordBatch | None:
    """Plan, bind and apply like the engine; check the batch matches the declared schema."""
    batch = people() if batch is None else batch
    data, _ = split_row_kinds(batch)
    transform = make(cls, options)
    declared = transform.output_schema(data.schema)
    transform.bind(data.schema)
    out = transform.apply(batch)
    if out is not None:
        out_data, _ = split_row_kinds(out)
        assert out_data.schema.equals(declared), f"{out_data.schema}\n!=\n{declared}"
        assert table_id(out) == table_id(batch)
        assert table_id(declared) == table_id(batch)
    return out


def rows(batch: pa.RecordBatch | None) -> dict[str, list[Any]]:
    assert batch is not None
    data, _ = split_row_kinds(batch)
    return data.to_pydict()


def kinds_of(batch: pa.RecordBatch | None) -> list[int] | None:
    assert batch is not None
    _, kinds = split_row_kinds(batch)
    return None if kinds is None else kinds.to_pylist()


def plan_error(cls: type[Transform], options: dict[str, Any], schema: pa.Schema = SCHEMA) -> OptionError:
    with pytest.raises(OptionError) as info:
        make(cls, options).output_schema(schema)
    return info.value


def check_errors(cls: type[Transform], options: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    return [(e.option, e.message) for e in cls.options_model.model_validate(options).check()]


# --- registry ------------------------------------------------------------------------


def test_every_transform_is_registered_and_documented() -> None:
    assert list(TRANSFORMS) == [
        "Copy", "FieldMapper", "FieldRename", "Filter", "FilterRowKind", "Replace", "Split",
        "JsonPath", "Metadata", "RowKindExtractor", "RegexExtract",
    ]
    registry = build_registry()
    for name in TRANSFORMS:
        found = registry.get(PluginKind.TRANSFORM, name)
        assert found is not None and found.distribution.startswith("seatunnel-py ")
        cls = found.cls  # imported here: the registration names it without importing it
        assert cls.name == name
        assert cls.description and cls.__doc__
        assert cls.capabilities
        for name, field in cls.options_model.model_fields.items():
            assert field.description, f"{cls.name}.{name} has no description"


# --- Copy ----------------------------------------------------------------------------


def test_copy_appends_copies_with_same_type() -> None:
    out = run(CopyTransform, {"fields": {"name1": "name", "age1": "age", "name2": "name"}})
    assert rows(out)["name1"] == ["Joy Ding", "May Ding", None, "Kin Dom"]
    assert rows(out)["name2"] == rows(out)["name"]
    assert rows(out)["age1"] == [20, None, 30, 40]
    assert out is not None and out.schema.names[:6] == ["id", "name", "age", "name1", "age1", "name2"]
    assert out.schema.field("age1").type == pa.int64()
    assert kinds_of(out) == [0, 1, 2, 3]


def test_copy_keeps_nullability_and_legacy_options() -> None:
    out = run(CopyTransform, {"src_field": "id", "dest_field": "id_copy"})
    assert out is not None and out.schema.field("id_copy") == pa.field("id_copy", pa.int32(), nullable=False)
    assert rows(out)["id_copy"] == [1, 2, 3, 4]


def test_copy_batch_without_row_kinds() -> None:
    out = run(CopyTransform, {"fields": {"x": "id"}}, people(None))
    assert kinds_of(out) is None
    assert rows(out)["x"] == [1, 2, 3, 4]


def test_copy_errors() -> None:
    err = plan_error(CopyTransform, {"fields": {"x": "nope"}})
    assert err.option == ("fields", "x") and "no column 'nope'" in err.message and "id, name, age" in err.message
    err = plan_error(CopyTransform, {"fields": {"age": "name"}})
    assert err.option == ("fields", "age") and "already exists" in err.message
    assert check_errors(CopyTransform, {})[0][0] == ("fields",)
    assert check_errors(CopyTransform, {"src_field": "a"})[0][0] == ("dest_field",)
    assert check_errors(CopyTransform, {"fields": {}})[0][0] == ("fields",)
    with pytest.raises(ValidationError):
        CopyTransform.options_model.model_validate({"fields": {"a": "b"}, "colour": 1})


# --- FieldMapper -----------------------------------------------------------------------


def test_field_mapper_keeps_orders_and_renames() -> None:
    out = run(FieldMapperTransform, {"field_mapper": {"age": "years", "id": "key"}})
    assert out is not None
    assert out.schema.names == ["years", "key", ROW_KIND_COLUMN]
    assert rows(out) == {"years": [20, None, 30, 40], "key": [1, 2, 3, 4]}
    assert out.schema.field("key").nullable is False
    assert kinds_of(out) == [0, 1, 2, 3]


def test_field_mapper_errors() -> None:
    err = plan_error(FieldMapperTransform, {"field_mapper": {"id": "a", "nope": "b"}})
    assert err.option == ("field_mapper", "nope")
    err = plan_error(FieldMapperTransform, {"field_mapper": {"id": "same", "name": "same"}})
    assert err.option == ("field_mapper", "name") and "same" in err.message
    assert check_errors(FieldMapperTransform, {"field_mapper": {}})[0][0] == ("field_mapper",)


# --- FieldRename -----------------------------------------------------------------------


def test_field_rename_case_prefix_suffix_and_regex() -> None:
    options = {
        "convert_case": "upper",
        "prefix": "F_",
        "suffix": "_S",
        "replacements_with_regex": [{"replace_from": "^(n)ame$", "replace_to": "full_$1ame"}],
    }
    out = run(FieldRenameTransform, options)
    assert out is not None
    assert out.schema.names == ["F_ID_S", "F_FULL_NAME_S", "F_AGE_S", ROW_KIND_COLUMN]
    assert rows(out)["F_FULL_NAME_S"] == ["Joy Ding", "May Ding", None, "Kin Dom"]
    assert kinds_of(out) == [0, 1, 2, 3]


def test_field_rename_rules_see_original_names() -> None:
    schema = pa.schema([("CREATE_TIME", pa.int64()), ("ID", pa.int64())])
    batch = pa.RecordBatch.from_arrays([pa.array([1]), pa.array([2])], schema=schema)
    options = {
        "convert_case": "LOWER",
        "replacements_with_regex": [{"replace_from": "CREATE_TIME", "replace_to": "source_create_time"}],
    }
    assert rows(run(FieldRenameTransform, options, batch)) == {"source_create_time": [1], "id": [2]}


def test_field_rename_exact_and_specific_rules() -> None:
    options = {
        "replacements_with_regex": [
            {"replace_from": "a", "replace_to": "A", "is_regex": False},  # no column is exactly "a"
            {"replace_from": "age", "replace_to": "years", "is_regex": False},
        ],
        "specific": [{"field_name": "name", "target_name": "Name"}],
        "suffix": "_x",
    }
    out = run(FieldRenameTransform, options)
    assert out is not None and out.schema.names[:3] == ["id_x", "Name", "years_x"]


def test_field_rename_errors() -> None:
    err = plan_error(FieldRenameTransform, {"convert_case": "lower", "replacements_with_regex": [
        {"replace_from": "id|age", "replace_to": "x"}]})
    assert err.option == ("replacements_with_regex",) and "'x'" in err.message
    err = plan_error(FieldRenameTransform, {"replacements_with_regex": [{"replace_from": "(", "replace_to": "x"}]})
    assert err.option == ("replacements_with_regex", 0, "replace_from")
    err = plan_error(FieldRenameTransform, {"replacements_with_regex": [{"replace_from": "a", "replace_to": "$2"}]})
    assert err.option == ("replacements_with_regex", 0, "replace_to")
    with pytest.raises(ValidationError):
        FieldRenameTransform.options_model.model_validate({"convert_case": "TITLE"})


# --- Filter ----------------------------------------------------------------------------


def test_filter_include_keeps_listed_columns_in_order() -> None:
    out = run(FilterTransform, {"include_fields": ["age", "id"]})
    assert out is not None and out.schema.names == ["age", "id", ROW_KIND_COLUMN]
    assert rows(out) == {"age": [20, None, 30, 40], "id": [1, 2, 3, 4]}
    assert kinds_of(out) == [0, 1, 2, 3]


def test_filter_fallback_key_and_exclude() -> None:
    assert rows(run(FilterTransform, {"fields": ["name"]})) == {"name": ["Joy Ding", "May Ding", None, "Kin Dom"]}
    out = run(FilterTransform, {"exclude_fields": ["age"]})
    assert out is not None and out.schema.names == ["id", "name", ROW_KIND_COLUMN]


def test_filter_errors() -> None:
    assert check_errors(FilterTransform, {})[0][0] == ("include_fields",)
    both = check_errors(FilterTransform, {"include_fields": ["id"], "exclude_fields": ["age"]})
    assert both[0][0] == ("exclude_fields",) and "only one" in both[0][1]
    assert plan_error(FilterTransform, {"include_fields": ["id", "nope"]}).option == ("include_fields", 1)
    assert plan_error(FilterTransform, {"exclude_fields": ["nope"]}).option == ("exclude_fields", 0)
    assert plan_error(FilterTransform, {"include_fields": ["id", "id"]}).option == ("include_fields", 1)
    assert "every column" in plan_error(FilterTransform, {"exclude_fields": ["id", "name", "age"]}).message


# --- FilterRowKind ---------------------------------------------------------------------


def test_filter_row_kind_include() -> None:
    out = run(FilterRowKindTransform, {"include_kinds": ["INSERT", "update_after"]})
    assert rows(out)["id"] == [1, 3]
    assert kinds_of(out) == [RowKind.INSERT, RowKind.UPDATE_AFTER]


def test_filter_row_kind_exclude_and_short_names() -> None:
    out = run(FilterRowKindTransform, {"exclude_kinds": ["-D", "UPDATE_BEFORE"]})
    assert rows(out)["id"] == [1, 3]
    assert run(FilterRowKindTransform, {"include_kinds": ["DELETE"]}, people([RowKind.INSERT] * 4)) is None


def test_filter_row_kind_batch_without_kinds_is_insert() -> None:
    assert run(FilterRowKindTransform, {"exclude_kinds": ["INSERT"]}, people(None)) is None
    out = run(FilterRowKindTransform, {"include_kinds": ["INSERT"]}, people(None))
    assert rows(out)["id"] == [1, 2, 3, 4] and kinds_of(out) is None


def test_filter_row_kind_errors() -> None:
    assert check_errors(FilterRowKindTransform, {})[0][0] == ("include_kinds",)
    assert check_errors(FilterRowKindTransform, {"include_kinds": ["INSERT"], "exclude_kinds": ["DELETE"]})
    with pytest.raises(ValidationError):
        FilterRowKindTransform.options_model.model_validate({"include_kinds": ["UPSERT"]})


# --- Replace ---------------------------------------------------------------------------


def test_replace_literal_replaces_every_occurrence_and_keeps_nulls() -> None:
    out = run(ReplaceTransform, {"replace_field": "name", "pattern": "D", "replacement": "$"})
    assert rows(out)["name"] == ["Joy $ing", "May $ing", None, "Kin $om"]
    assert kinds_of(out) == [0, 1, 2, 3]
    out = run(ReplaceTransform, {"replace_field": "name", "pattern": ".", "replacement": "x", "replace_first": True})
    assert rows(out)["name"] == ["Joy Ding", "May Ding", None, "Kin Dom"]  # literal: no '.' in the data


def test_replace_regex_with_java_replacement() -> None:
    options = {"replace_field": "name", "pattern": r"(\w+) (\w+)", "replacement": r"$2, $1 \$", "is_regex": True}
    assert rows(run(ReplaceTransform, options))["name"] == ["Ding, Joy $", "Ding, May $", None, "Dom, Kin $"]
    options = {"replace_field": "name", "pattern": "[aeiou]", "replacement": "_", "is_regex": "true",
               "replace_first": "true"}
    assert rows(run(ReplaceTransform, options))["name"] == ["J_y Ding", "M_y Ding", None, "K_n Dom"]
    options = {"replace_field": "name", "pattern": "(?<first>\\w+) ", "replacement": "${first}-", "is_regex": True}
    assert rows(run(ReplaceTransform, options))["name"] == ["Joy-Ding", "May-Ding", None, "Kin-Dom"]


def test_replace_python_fallback_matches_java() -> None:
    # look-ahead: RE2 cannot run it, Python re does
    options = {"replace_field": "name", "pattern": "(?=D)", "replacement": "^", "is_regex": True}
    assert rows(run(ReplaceTransform, options))["name"] == ["Joy ^Ding", "May ^Ding", None, "Kin ^Dom"]
    # a pattern that matches the empty string behaves like Java's replaceAll
    options = {"replace_field": "name", "pattern": "o*", "replacement": "-", "is_regex": True}
    assert rows(run(ReplaceTransform, options))["name"][3] == "-K-i-n- -D--m-"


def test_replace_non_text_column_becomes_string() -> None:
    out = run(ReplaceTransform, {"replace_field": "age", "pattern": "0", "replacement": "5"})
    assert out is not None and out.schema.field("age").type == pa.string()
    assert rows(out)["age"] == ["25", None, "35", "45"]


def test_replace_keeps_large_string() -> None:
    schema = pa.schema([("s", pa.large_string())])
    batch = pa.RecordBatch.from_arrays([pa.array(["a-b", None], pa.large_string())], schema=schema)
    out = run(ReplaceTransform, {"replace_field": "s", "pattern": "-", "replacement": "+"}, batch)
    assert rows(out) == {"s": ["a+b", None]}


def test_replace_errors() -> None:
    base = {"replace_field": "name", "pattern": "a", "replacement": "b"}
    assert plan_error(ReplaceTransform, {**base, "replace_field": "nope"}).option == ("replace_field",)
    assert plan_error(ReplaceTransform, {**base, "pattern": "(", "is_regex": True}).option == ("pattern",)
    err = plan_error(ReplaceTransform, {**base, "pattern": "(a)", "replacement": "$2", "is_regex": True})
    assert err.option == ("replacement",) and "no group 2" in err.message
    err = plan_error(ReplaceTransform, {**base, "replacement": "cost $", "is_regex": True})
    assert err.option == ("replacement",)
    nested = pa.schema([("s", pa.struct([("a", pa.int32())]))])
    assert plan_error(ReplaceTransform, {**base, "replace_field": "s"}, nested).option == ("replace_field",)
    with pytest.raises(ValidationError):
        ReplaceTransform.options_model.model_validate({"replace_field": "name", "pattern": "a"})


# --- Split -----------------------------------------------------------------------------


def test_split_java_semantics() -> None:
    schema = pa.schema([("s", pa.string())])
    batch = pa.RecordBatch.from_arrays([pa.array(["a b c d", "a", None, "", " a", "a  "])], schema=schema)
    out = run(SplitTransform, {"separator": " ", "split_field": "s", "output_fields": ["x", "y", "z"]}, batch)
    assert rows(out) == {
        "s": ["a b c d", "a", None, "", " a", "a  "],
        "x": ["a", "a", None, "", "", "a"],
        "y": ["b", None, None, None, "a", ""],
        "z": ["c d", None, None, None, None, ""],
    }


def test_split_regex_separators_and_row_kinds() -> None:
    out = run(SplitTransform, {"separator": r"\s+", "split_field": "name", "output_fields": ["first", "last"]})
    assert rows(out)["first"] == ["Joy", "May", None, "Kin"]
    assert rows(out)["last"] == ["Ding", "Ding", None, "Dom"]
    assert kinds_of(out) == [0, 1, 2, 3]
    schema = pa.schema([("s", pa.string())])
    batch = pa.RecordBatch.from_arrays([pa.array(["a|b|c", "a , b"])], schema=schema)
    out = run(SplitTransform, {"separator": "\\|", "split_field": "s", "output_fields": ["x", "y"]}, batch)
    assert rows(out)["y"] == ["b|c", None]
    out = run(SplitTransform, {"separator": r"\s*[,|]\s*", "split_field": "s", "output_fields": ["x", "y", "z"]}, batch)
    assert rows(out)["x"] == ["a", "a"] and rows(out)["y"] == ["b", "b"] and rows(out)["z"] == ["c", None]


def test_split_zero_width_separator_like_java() -> None:
    schema = pa.schema([("s", pa.string())])
    batch = pa.RecordBatch.from_arrays([pa.array(["HelloWorldFoo", "abc"])], schema=schema)
    out = run(SplitTransform, {"separator": "(?=[A-Z])", "split_field": "s", "output_fields": ["x", "y"]}, batch)
    assert rows(out)["x"] == ["Hello", "abc"] and rows(out)["y"] == ["WorldFoo", None]
    out = run(SplitTransform, {"separator": "", "split_field": "s", "output_fields": ["x", "y"]}, batch)
    assert rows(out)["x"] == ["H", "a"] and rows(out)["y"] == ["elloWorldFoo", "bc"]


def test_split_number_column_as_text() -> None:
    out = run(SplitTransform, {"separator": "", "split_field": "age", "output_fields": ["tens", "ones"]})
    assert rows(out)["tens"] == ["2", None, "3", "4"] and rows(out)["ones"] == ["0", None, "0", "0"]


def test_split_errors() -> None:
    base = {"separator": ",", "split_field": "name", "output_fields": ["a", "b"]}
    assert plan_error(SplitTransform, {**base, "split_field": "nope"}).option == ("split_field",)
    assert plan_error(SplitTransform, {**base, "output_fields": ["a", "age"]}).option == ("output_fields", 1)
    assert plan_error(SplitTransform, {**base, "output_fields": ["a", "a"]}).option == ("output_fields", 1)
    assert plan_error(SplitTransform, {**base, "separator": "[a-"}).option == ("separator",)
    with pytest.raises(ValidationError):
        SplitTransform.options_model.model_validate({**base, "output_fields": []})


# --- JsonPath --------------------------------------------------------------------------

DOCS = [
    {"data": {"s": "text", "n": 42, "f": 3.5, "b": True, "d": "2023-10-29", "dec": 10.55,
              "arr": ["x", "y"], "obj": {"k": 1}, "weird key": "w"}},
    {"data": {"s": "other", "n": 7, "f": 1, "b": False, "d": "2024-01-01", "dec": 1,
              "arr": [], "obj": {}, "weird key": None}},
]


def json_batch(texts: Sequence[str | None], kinds: list[RowKind] | None = None) -> pa.RecordBatch:
    schema = pa.schema([("id", pa.int64()), ("js", pa.string())], metadata={b"seatunnel.table_id": b"t"})
    batch = pa.RecordBatch.from_arrays([pa.array(range(len(texts)), pa.int64()), pa.array(texts)], schema=schema)
    if kinds is None:
        return batch
    return attach_row_kinds(batch, pa.array([int(k) for k in kinds], pa.int8()))


def test_json_path_reads_typed_values() -> None:
    columns = [
        {"src_field": "js", "path": "$.data.s", "dest_field": "s"},
        {"src_field": "js", "path": "$.data.n", "dest_field": "n", "dest_type": "int"},
        {"src_field": "js", "path": "$.data.f", "dest_field": "f", "dest_type": "double"},
        {"src_field": "js", "path": "$.data.b", "dest_field": "b", "dest_type": "boolean"},
        {"src_field": "js", "path": "$.data.d", "dest_field": "d", "dest_type": "date"},
        {"src_field": "js", "path": "$.data.dec", "dest_field": "dec", "dest_type": "decimal(4,2)"},
        {"src_field": "js", "path": "$.data.arr", "dest_field": "arr", "dest_type": "array<string>"},
        {"src_field": "js", "path": "$.data.obj", "dest_field": "obj"},
        {"src_field": "js", "path": "$.data.arr[0]", "dest_field": "first", "column_error_handle_way": "skip"},
        {"src_field": "js", "path": "$['data']['weird key']", "dest_field": "weird"},
    ]
    texts: list[str | None] = [json.dumps(d) for d in DOCS] + [None]
    out = run(JsonPathTransform, {"columns": columns}, json_batch(texts))
    assert out is not None
    assert out.schema.field("n").type == pa.int32() and out.schema.field("dec").type == pa.decimal128(4, 2)
    got = rows(out)
    assert got["s"] == ["text", "other", None]
    assert got["n"] == [42, 7, None]
    assert got["f"] == [3.5, 1.0, None]
    assert got["b"] == [True, False, None]
    assert got["d"] == [dt.date(2023, 10, 29), dt.date(2024, 1, 1), None]
    assert got["dec"] == [decimal.Decimal("10.55"), decimal.Decimal("1.00"), None]
    assert got["arr"] == [["x", "y"], [], None]
    assert got["obj"] == ['{"k":1}', "{}", None]
    assert got["weird"] == ["w", None, None]
    assert got["first"] == ["x", None, None]  # nothing at [0] of an empty array: SKIP gives null


def test_json_path_batch_form_and_wildcards() -> None:
    columns = [{"src_field": "js", "path": "$.a;$.list[*].v;$.list[-1].v", "dest_field": "a;vs;last",
                "dest_type": "int;array<int>;string"}]
    texts = ['{"a": 1, "list": [{"v": 1}, {"w": 0}, {"v": 3}]}', '{"a": 2, "list": [{"v": 5}]}']
    got = rows(run(JsonPathTransform, {"columns": columns}, json_batch(texts)))
    assert got["a"] == [1, 2] and got["vs"] == [[1, 3], [5]] and got["last"] == ["3", "5"]
    columns = [{"src_field": "js", "path": "$.list[*]", "dest_field": "all"}]
    got = rows(run(JsonPathTransform, {"columns": columns}, json_batch(texts)))
    assert got["all"] == ['[{"v":1},{"w":0},{"v":3}]', '[{"v":5}]']


def test_json_path_fail_is_default() -> None:
    columns = [{"src_field": "js", "path": "$.a", "dest_field": "a"}]
    transform = make(JsonPathTransform, {"columns": columns})
    transform.bind(json_batch([]).schema)
    with pytest.raises(DataError, match="row 2 of a batch of 2: invalid JSON"):  # rows count from 1
        transform.apply(json_batch(['{"a": 1}', "{not json"]))
    with pytest.raises(DataError, match="nothing at the path"):
        transform.apply(json_batch(['{"b": 1}']))


def test_json_path_skip_row_drops_rows_and_their_kinds() -> None:
    columns = [{"src_field": "js", "path": "$.a", "dest_field": "a", "dest_type": "bigint"}]
    batch = json_batch(['{"a": 1}', "oops", '{"a": "x"}', '{"a": 4}'], KINDS)
    out = run(JsonPathTransform, {"columns": columns, "row_error_handle_way": "skip"}, batch)
    assert rows(out) == {"id": [0, 3], "js": ['{"a": 1}', '{"a": 4}'], "a": [1, 4]}
    assert kinds_of(out) == [RowKind.INSERT, RowKind.DELETE]
    assert run(JsonPathTransform, {"columns": columns, "row_error_handle_way": "skip"}, json_batch(["x"])) is None


def test_json_path_column_error_handling_overrides_row() -> None:
    columns = [
        {"src_field": "js", "path": "$.a", "dest_field": "a", "column_error_handle_way": "SKIP"},
        {"src_field": "js", "path": "$.b", "dest_field": "b", "column_error_handle_way": "SKIP_ROW"},
    ]
    batch = json_batch(['{"a": 1, "b": 2}', '{"b": 3}', '{"a": 5}'], KINDS[:3])
    out = run(JsonPathTransform, {"columns": columns}, batch)
    assert rows(out)["a"] == ["1", None] and rows(out)["b"] == ["2", "3"]
    assert kinds_of(out) == [RowKind.INSERT, RowKind.UPDATE_BEFORE]


def test_json_path_reads_rows_as_arrays_and_maps() -> None:
    row = pa.struct([("name", pa.string()), ("age", pa.int32())])
    schema = pa.schema([("col", row), ("m", pa.map_(pa.string(), pa.int64()))])
    batch = pa.RecordBatch.from_arrays(
        [pa.array([{"name": "a", "age": 18}, None], row), pa.array([[("k", 1)], [("k", 2)]], schema.field("m").type)],
        schema=schema,
    )
    columns = [
        {"src_field": "col", "path": "$[0]", "dest_field": "name"},
        {"src_field": "col", "path": "$[1]", "dest_field": "age", "dest_type": "int"},
        {"src_field": "m", "path": "$.k", "dest_field": "k", "dest_type": "bigint"},
    ]
    got = rows(run(JsonPathTransform, {"columns": columns}, batch))
    assert got["name"] == ["a", None] and got["age"] == [18, None] and got["k"] == [1, 2]


def test_json_path_errors() -> None:
    def column(**extra: Any) -> dict[str, Any]:
        return {"columns": [{"src_field": "js", "path": "$.a", "dest_field": "a", **extra}]}

    schema = json_batch([]).schema
    assert plan_error(JsonPathTransform, column(src_field="nope"), schema).option == ("columns", 0, "src_field")
    assert plan_error(JsonPathTransform, column(src_field="id"), schema).option == ("columns", 0, "src_field")
    err = plan_error(JsonPathTransform, column(path="$..a"), schema)
    assert err.option == ("columns", 0, "path") and "deep scan" in err.message
    assert plan_error(JsonPathTransform, column(path="$.a[?(@.x)]"), schema).option == ("columns", 0, "path")
    assert plan_error(JsonPathTransform, column(dest_type="integr"), schema).option == ("columns", 0, "dest_type")
    assert plan_error(JsonPathTransform, column(dest_field="id"), schema).option == ("columns", 0, "dest_field")
    err = plan_error(JsonPathTransform, column(path="$.a;$.b", dest_field="a;b", dest_type="int;int;int"), schema)
    assert err.option == ("columns", 0, "dest_type")
    with pytest.raises(ValidationError):
        JsonPathTransform.options_model.model_validate(column(colour="red"))
    with pytest.raises(ValidationError):
        JsonPathTransform.options_model.model_validate({**column(), "row_error_handle_way": "SKIP_ROW"})


# --- Metadata --------------------------------------------------------------------------


def test_metadata_appends_table_and_row_kind() -> None:
    fields = {"Database": "db", "Table": "tbl", "RowKind": "op", "EventTime": "ts", "Delay": "delay",
              "Partition": "part"}
    out = run(MetadataTransform, {"metadata_fields": fields})
    assert out is not None
    assert out.schema.names[3:9] == ["db", "tbl", "op", "ts", "delay", "part"]
    assert out.schema.field("ts").type == pa.int64() and out.schema.field("part").type == pa.string()
    got = rows(out)
    assert got["db"] == ["shop"] * 4 and got["tbl"] == ["users"] * 4
    assert got["op"] == ["+I", "-U", "+U", "-D"]
    assert got["ts"] == [None] * 4 and got["delay"] == [None] * 4 and got["part"] == [None] * 4
    assert kinds_of(out) == [0, 1, 2, 3]


def test_metadata_without_table_id_or_kinds() -> None:
    batch = people(None).replace_schema_metadata(None)
    out = run(MetadataTransform, {"metadata_fields": {"Table": "t", "Database": "d", "RowKind": "k"}}, batch)
    assert rows(out)["t"] == [None] * 4 and rows(out)["d"] == [None] * 4 and rows(out)["k"] == ["+I"] * 4
    out = run(MetadataTransform, {"metadata_fields": {"Table": "t", "Database": "d"}},
              with_table_id(people(None), "orders"))
    assert rows(out)["t"] == ["orders"] * 4 and rows(out)["d"] == [None] * 4
    out = run(MetadataTransform, {"metadata_fields": {"Database": "d", "Table": "t"}},
              with_table_id(people(None), "db.public.orders"))
    assert rows(out)["d"] == ["db"] * 4 and rows(out)["t"] == ["orders"] * 4


def test_metadata_errors() -> None:
    problems = check_errors(MetadataTransform, {"metadata_fields": {"database": "d", "Colour": "c"}})
    assert problems[0][0] == ("metadata_fields", "database") and "'Database'" in problems[0][1]
    assert problems[1][0] == ("metadata_fields", "Colour")
    assert plan_error(MetadataTransform, {"metadata_fields": {"Table": "name"}}).option == ("metadata_fields", "Table")
    assert plan_error(MetadataTransform, {"metadata_fields": {"tabel": "x"}}).option == ("metadata_fields", "tabel")


# --- RowKindExtractor ------------------------------------------------------------------


def test_row_kind_extractor_short_default() -> None:
    out = run(RowKindExtractorTransform, {})
    assert out is not None and ROW_KIND_COLUMN not in out.schema.names  # every row is now INSERT
    assert rows(out)["row_kind"] == ["+I", "-U", "+U", "-D"]


def test_row_kind_extractor_full_custom_name() -> None:
    out = run(RowKindExtractorTransform, {"custom_field_name": "op", "transform_type": "full"})
    assert rows(out)["op"] == ["INSERT", "UPDATE_BEFORE", "UPDATE_AFTER", "DELETE"]
    assert kinds_of(out) is None
    out = run(RowKindExtractorTransform, {"custom_field_name": "op"}, people(None))
    assert rows(out)["op"] == ["+I"] * 4


def test_row_kind_extractor_errors() -> None:
    assert plan_error(RowKindExtractorTransform, {"custom_field_name": "name"}).option == ("custom_field_name",)
    with pytest.raises(ValidationError):
        RowKindExtractorTransform.options_model.model_validate({"transform_type": "LONG"})


# --- RegexExtract ----------------------------------------------------------------------


def test_regex_extract_groups_and_defaults() -> None:
    schema = pa.schema([("email", pa.string())])
    batch = pa.RecordBatch.from_arrays([pa.array(["user1@example.com", "no mail", None, "x a@b.org"])],
                                       schema=schema)
    options = {"source_field": "email", "regex_pattern": r"([^@\s]+)@([^.]+)\.(.+)",
               "output_fields": ["user", "domain", "tld"], "default_values": ["unknown", "unknown", "?"]}
    got = rows(run(RegexExtractTransform, options, batch))
    assert got["user"] == ["user1", "unknown", "unknown", "a"]
    assert got["domain"] == ["example", "unknown", "unknown", "b"]
    assert got["tld"] == ["com", "?", "?", "org"]
    del options["default_values"]
    got = rows(run(RegexExtractTransform, options, batch))
    assert got["user"] == ["user1", None, None, "a"]


def test_regex_extract_named_groups_fallback_and_row_kinds() -> None:
    options = {"source_field": "name", "regex_pattern": r"(?<first>\w+) (?:\w+)", "output_fields": ["first"]}
    out = run(RegexExtractTransform, options)
    assert rows(out)["first"] == ["Joy", "May", None, "Kin"]
    assert kinds_of(out) == [0, 1, 2, 3]
    # look-behind runs on Python re; an optional group that did not take part is null
    options = {"source_field": "name", "regex_pattern": r"(?<= )(\w)(x)?", "output_fields": ["initial", "x"]}
    got = rows(run(RegexExtractTransform, options))
    assert got["initial"] == ["D", "D", None, "D"] and got["x"] == [None] * 4
    options = {"source_field": "age", "regex_pattern": r"(\d)0", "output_fields": ["tens"]}
    assert rows(run(RegexExtractTransform, options))["tens"] == ["2", None, "3", "4"]


def test_regex_extract_errors() -> None:
    base = {"source_field": "name", "regex_pattern": "(a)(b)", "output_fields": ["x", "y"]}
    err = plan_error(RegexExtractTransform, {**base, "output_fields": ["x"]})
    assert err.option == ("regex_pattern",) and "2 capture groups" in err.message
    assert plan_error(RegexExtractTransform, {**base, "source_field": "nope"}).option == ("source_field",)
    assert plan_error(RegexExtractTransform, {**base, "output_fields": ["x", "id"]}).option == ("output_fields", 1)
    assert plan_error(RegexExtractTransform, {**base, "regex_pattern": "(a"}).option == ("regex_pattern",)
    assert check_errors(RegexExtractTransform, {**base, "default_values": ["d"]})[0][0] == ("default_values",)
    assert check_errors(RegexExtractTransform, {**base, "default_values": [0, True]}) == []


# --- Java regex translation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("java", "text", "expected"),
    [
        (r"\Q1+1\E=2", "1+1=2", "1+1=2"),
        (r"\p{Alpha}+", "12ab3", "ab"),
        (r"[\p{Digit}x]+", "ab1x2", "1x2"),
        (r"\P{Digit}+", "12ab3", "ab"),
        (r"a(?i)b|c", "aB", "aB"),
        (r"a(?i)b|c", "C", "C"),
        (r"(?<word>\w+)\h", "hi there", "hi "),
        (r"end\z", "the end", "end"),
        (r"\x{41}", "xA", "A"),
        (r"\w+", "héllo", "h"),  # \w is ASCII-only, as in Java
    ],
)
def test_java_pattern_translation(java: str, text: str, expected: str) -> None:
    regex = compile_java(java, "pattern")
    match = regex.python.search(text)
    assert match is not None and match.group(0) == expected


def test_java_pattern_routes() -> None:
    assert compile_java(r"\|", "p").literal == "|"
    assert compile_java(r"a.b", "p").literal is None
    assert compile_java(r"\s+", "p").re2 is not None
    assert compile_java(r"(?<=a)b", "p").re2 is None
    assert compile_java("x*", "p").can_match_empty
    assert not compile_java("x+", "p").can_match_empty
    assert translate_pattern("a(?i)b|c")[0] == "a(?i:b)|(?i:c)"
    with pytest.raises(OptionError, match="intersection"):
        compile_java("[a-z&&[^x]]", "pattern")


def test_java_replacement_rules() -> None:
    regex = compile_java(r"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "p")
    assert java_replacement("$11", regex, "r").python == r"\g<11>"
    assert java_replacement("$11", regex, "r").re2 is None
    two = compile_java("(a)(b)", "p")
    assert java_replacement("$12", two, "r").python == r"\g<1>2"  # Java takes the longest valid number
    assert java_replacement(r"\\$1", two, "r").python == r"\\\g<1>"
    assert java_replacement(r"\\$1", two, "r").re2 == r"\\\1"
    for bad in ["$", "$x", "${nope}", "x\\", "$3"]:
        with pytest.raises(OptionError):
            java_replacement(bad, two, "r")


def test_java_split_rules() -> None:
    comma = compile_java(",", "p").python
    assert java_split("a,b,c", comma, 2) == ["a", "b,c"]
    assert java_split("a,,", comma, 3) == ["a", "", ""]
    assert java_split(",a", comma, 2) == ["", "a"]
    assert java_split("abc", compile_java("", "p").python, 5) == ["a", "b", "c", ""]  # as Java
    assert java_split("abc", comma, 1) == ["abc"]
