"""Job-file parsing: SeaTunnel's HOCON dialect, JSON form, variables, case-insensitivity."""

from __future__ import annotations

import json

import pytest

from seatunnel_py.config.issues import ConfigErrors, UsageError
from seatunnel_py.config.loader import load_text
from seatunnel_py.config.variables import parse_variables, split_parameter
from seatunnel_py.jobs import load_job


def test_dotted_keys_are_literal_everywhere() -> None:
    raw = load_text(
        """
        env { job.mode = "BATCH" }
        source { FakeSource { row.num = 7, kafka.config { max.poll.records = 5, a.b.c = x } } }
        sink { Console {} }
        """,
        "job.conf",
    )
    source = raw.data["source"][0]
    assert raw.data["env"] == {"job.mode": "BATCH"}
    assert source["row.num"] == 7
    assert source["kafka.config"] == {"max.poll.records": 5, "a.b.c": "x"}


def test_repeated_plugin_blocks_stay_separate_and_ordered() -> None:
    raw = load_text(
        """
        source {
          FakeSource { plugin_output = "a" }
          FakeSource { plugin_output = "b" }
          FakeSource = { plugin_output = "c" }
        }
        sink { Console {} Console {} }
        """,
        "job.conf",
    )
    assert [s["plugin_output"] for s in raw.data["source"]] == ["a", "b", "c"]
    assert [raw.plugin_names[("source", i)] for i in range(3)] == ["FakeSource"] * 3
    assert len(raw.data["sink"]) == 2


def test_objects_in_arrays_without_commas_are_separate_elements() -> None:
    raw = load_text(
        """
        source { FakeSource {
          rows = [
            { kind = INSERT, fields = [1] } { kind = DELETE, fields = [2] }
            { kind = INSERT, fields = [3] }
          ]
        } }
        """,
        "job.conf",
    )
    rows = raw.data["source"][0]["rows"]
    assert [r["fields"][0] for r in rows] == [1, 2, 3]
    assert raw.line_of(("source", 0, "rows", 1)) == 4  # the text starts with a newline
    assert raw.line_of(("source", 0, "rows", 2)) == 5


def test_lines_are_recorded_for_keys_and_elements() -> None:
    raw = load_text('env {\n  job.mode = "BATCH"\n}\nsource {\n  FakeSource {\n    row.num = 5\n  }\n}\n', "j.conf")
    assert raw.line_of(("env", "job.mode")) == 2
    assert raw.line_of(("source", 0)) == 5
    assert raw.line_of(("source", 0, "row.num")) == 6
    assert raw.line_of(("source", 0, "row.num", "deeper")) == 6


def test_variables_in_quoted_and_unquoted_positions_with_defaults() -> None:
    raw = load_text(
        """
        env { job.name = "${name}_job", parallelism = ${par} }
        source { FakeSource { row.num = ${rows:3}, plugin_output = "${out:fake}", t = ${list}, keep = "${table_name}" } }
        """,
        "job.conf",
        variables={"name": "nightly", "par": "2", "list": "[abc,def]"},
        environ={},
    )
    assert raw.data["env"] == {"job.name": "nightly_job", "parallelism": 2}
    source = raw.data["source"][0]
    assert source["row.num"] == 3
    assert source["plugin_output"] == "fake"
    assert source["t"] == ["abc", "def"]
    assert source["keep"] == "${table_name}", "sink placeholders are kept for the sink"


def test_environment_variables_are_used_after_cli_variables() -> None:
    text = 'env { job.name = "${WHO}" }\nsource { FakeSource { n = ${COUNT} } }'
    raw = load_text(text, "j.conf", variables={"WHO": "cli"}, environ={"WHO": "env", "COUNT": "4"})
    assert raw.data["env"]["job.name"] == "cli"
    assert raw.data["source"][0]["n"] == 4


def test_unset_unquoted_variable_is_a_located_error() -> None:
    with pytest.raises(ConfigErrors) as info:
        load_text("env {\n  parallelism = ${par}\n}\n", "j.conf", environ={})
    assert [i.render() for i in info.value.issues] == [
        "j.conf:2: variable ${par} is not set (expected -i par=VALUE, an environment variable par, or ${par:default})"
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["a=1,b=2"], {"a": "1", "b": "2"}),
        (["strTemplate=[abc,def]"], {"strTemplate": "[abc,def]"}),
        (['q="x,y"', "url=jdbc:x?a=b"], {"q": "x,y", "url": "jdbc:x?a=b"}),
        (["a=1", "a=2"], {"a": "2"}),
    ],
)
def test_cli_variable_splitting_follows_seatunnel(values: list[str], expected: dict[str, str]) -> None:
    assert parse_variables(values) == expected


def test_split_parameter_keeps_brackets_and_quotes() -> None:
    assert split_parameter('a=[1,2],b="c,d",e=f') == ["a=[1,2]", 'b="c,d"', "e=f"]


@pytest.mark.parametrize("bad", ["novalue", "=x", "table_name=t"])
def test_bad_cli_variables_are_usage_errors(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_variables([bad])


def test_json_form_is_read_with_lines(tmp_path) -> None:
    job = {
        "env": {"job.mode": "batch"},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "fake",
                "row.num": 3,
                "schema": {"fields": {"name": "string"}},
            }
        ],
        "sink": [
            {
                "plugin_name": "Assert",
                "plugin_input": "fake",
                "rules": {"row_rules": [{"rule_type": "MIN_ROW", "rule_value": 3}]},
            }
        ],
    }
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job, indent=2))
    loaded = load_job(path)
    assert loaded.sources[0].name == "FakeSource"
    assert loaded.sources[0].options.row_num == 3  # type: ignore[attr-defined]
    assert loaded.env.job_mode.value == "BATCH"


def test_plugin_names_enums_and_booleans_are_case_insensitive(write_job) -> None:
    path = write_job(
        """
        env { job.mode = "batch" }
        source { fakesource { schema = { fields { a = INT } }, string.fake.mode = "TEMPLATE", string.template = [x] } }
        sink { CONSOLE { log.print.data = "FALSE" } }
        """
    )
    job = load_job(path)
    assert job.sources[0].name == "FakeSource"
    assert job.sinks[0].name == "Console"
    assert job.sinks[0].options.print_data is False  # type: ignore[attr-defined]
    assert job.env.job_mode.value == "BATCH"


def test_list_option_given_as_string_is_split(write_job, caplog) -> None:
    path = write_job(
        """
        source { FakeSource { schema = { fields { a = string } }, string.template = "x, y,z" } }
        sink { Console {} }
        """
    )
    job = load_job(path)
    assert job.sources[0].options.string_template == ["x", "y", "z"]  # type: ignore[attr-defined]


def test_old_wiring_names_are_accepted(write_job) -> None:
    path = write_job(
        """
        source { FakeSource { result_table_name = "f", schema = { fields { a = int } } } }
        transform { Copy { source_table_name = "f", result_table_name = "g", fields = { b = a } } }
        sink { Console { source_table_name = "g" } }
        """
    )
    job = load_job(path)
    assert job.sources[0].output == "f"
    assert job.transforms[0].inputs == ["f"] and job.transforms[0].output == "g"
    assert job.sinks[0].inputs == ["g"]


def test_foreign_env_keys_are_ignored_with_a_warning(write_job, caplog) -> None:
    path = write_job(
        """
        env { spark.app.name = "x", flink.parallelism = 3, execution.parallelism = 2 }
        source { FakeSource { schema = { fields { a = int } } } }
        sink { Console {} }
        """
    )
    job = load_job(path)
    assert job.env.parallelism == 2
    assert "spark.app.name" in caplog.text
