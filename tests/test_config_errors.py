"""Bad job files: every problem located as FILE:LINE: path: message (expected …)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seatunnel_py.config.issues import ConfigErrors
from seatunnel_py.jobs import check_job
from seatunnel_py.testing import run_cli

FAKE = 'FakeSource { plugin_output = "fake", schema = { fields { name = string, age = int } } }'

CASES = {
    "unknown plugin": (
        "source {\n  FakeSorce { row.num = 5 }\n}\nsink { Console {} }",
        ["2: source.FakeSorce: unknown source plugin 'FakeSorce' (did you mean 'FakeSource'?)"],
    ),
    "unknown option": (
        "source {\n  FakeSource {\n    row.nm = 5\n    schema = { fields { a = int } }\n  }\n}\nsink { Console {} }",
        ["3: source.FakeSource.row.nm: unknown option (did you mean 'row.num'?)"],
    ),
    "wrong type": (
        "source {\n  FakeSource {\n    row.num = many\n    schema = { fields { a = int } }\n  }\n}\nsink { Console {} }",
        ["3: source.FakeSource.row.num: got 'many' (expected a valid integer, unable to parse string as an integer)"],
    ),
    "below minimum": (
        f"env {{\n  parallelism = 0\n}}\nsource {{ {FAKE} }}\nsink {{ Console {{}} }}",
        ["2: env.parallelism: got 0 (expected greater than or equal to 1)"],
    ),
    "bad enum": (
        f'env {{\n  job.mode = "FAST"\n}}\nsource {{ {FAKE} }}\nsink {{ Console {{}} }}',
        ["2: env.job.mode: got 'FAST' (expected 'BATCH' or 'STREAMING')"],
    ),
    "unknown env key": (
        f'env {{\n  job.nmae = "x"\n}}\nsource {{ {FAKE} }}\nsink {{ Console {{}} }}',
        ["2: env.job.nmae: unknown option (did you mean 'job.name'?)"],
    ),
    "missing required option": (
        f"source {{ {FAKE} }}\nsink {{\n  Assert {{}}\n}}",
        ["3: sink.Assert.rules: required option is missing"],
    ),
    "unknown type name": (
        'source {\n  FakeSource {\n    schema = { fields {\n      a = "strng"\n    } }\n  }\n}\nsink { Console {} }',
        [
            "4: source.FakeSource.schema.fields.a: unknown type 'strng' (expected one of bigint, boolean, bytes, date, "
            "double, float, int, null, smallint, string, time, timestamp, timestamp_tz, tinyint, decimal(p, s), "
            "array<T>, map<K, V> or a row of named fields ({ name = type }))"
        ],
    ),
    "decimal without scale": (
        'source {\n  FakeSource {\n    schema = { fields { d = "decimal(10)" } }\n  }\n}\nsink { Console {} }',
        ["3: source.FakeSource.schema.fields.d: 'decimal(10)': decimal needs precision and scale, e.g. decimal(10, 2)"],
    ),
    "schema missing": (
        "source {\n  FakeSource { row.num = 3 }\n}\nsink { Console {} }",
        ["2: source.FakeSource.schema: exactly one of 'schema' and 'tables_configs' is required"],
    ),
    "template mode without template": (
        "source {\n  FakeSource {\n    string.fake.mode = template\n    schema = { fields { a = string } }\n  }\n}\n"
        "sink { Console {} }",
        ["3: source.FakeSource.string.fake.mode: template mode needs string.template (expected a non-empty list)"],
    ),
    "syntax error": (
        "source {\n  FakeSource {\n    row.num = 3\n}\nsink { Console {} }\n",
        None,
    ),
    "no sink block": (
        f"source {{ {FAKE} }}\n",
        ["sink: the job has no sink block (expected sink { Name { … } })"],
    ),
    "unknown top-level block": (
        f"source {{ {FAKE} }}\nsinks {{\n  Console {{}}\n}}\nsink {{ Console {{}} }}",
        ["2: sinks: unknown top-level block (did you mean 'sink'?)"],
    ),
    "unknown plugin_input": (
        f"source {{ {FAKE} }}\nsink {{\n  Console {{\n    plugin_input = fak\n  }}\n}}",
        ["4: sink.Console.plugin_input: no source or transform has plugin_output = 'fak' (did you mean 'fake'?)"],
    ),
    "sink with an output": (
        f'source {{ {FAKE} }}\nsink {{\n  Console {{\n    plugin_output = "x"\n  }}\n}}',
        ["4: sink.Console.plugin_output: a sink has no output (expected plugin_input)"],
    ),
    "duplicate output name": (
        f"source {{\n  {FAKE}\n  {FAKE}\n}}\nsink {{ Console {{ plugin_input = fake }} }}",
        ["3: source[1].FakeSource.plugin_output: the name 'fake' is already the output of source[0].FakeSource"],
    ),
    "bad rule type": (
        f"source {{ {FAKE} }}\nsink {{ Assert {{ rules {{\n  row_rules = [\n    {{ rule_type = MAXX_ROW, rule_value = 1 }}\n  ]\n}} }} }}",
        [
            "4: sink.Assert.rules.row_rules[0].rule_type: got 'MAXX_ROW' (expected 'NULL', 'NOT_NULL', 'MIN', 'MAX', "
            "'MIN_LENGTH', 'MAX_LENGTH', 'MIN_ROW' or 'MAX_ROW')"
        ],
    ),
    "assert on a missing column": (
        f"source {{ {FAKE} }}\nsink {{ Assert {{ rules {{ field_rules = [\n  {{ field_name = nme, field_value = [ {{ rule_type = NOT_NULL }} ] }}\n] }} }} }}",
        ["3: sink.Assert.rules.field_rules[0].field_name: no column 'nme' in the input (columns: name, age)"],
    ),
    "explicit row of the wrong width": (
        "source {\n  FakeSource {\n    schema = { fields { a = int, b = string } }\n    rows = [\n"
        '      { kind = INSERT, fields = [1, "x"] }\n      { kind = INSERT, fields = [2] }\n    ]\n  }\n}\n'
        "sink { Console {} }",
        ["6: source.FakeSource.rows[1].fields: expected a list of 2 values (a, b)"],
    ),
    "bad row kind": (
        "source {\n  FakeSource {\n    schema = { fields { a = int } }\n    rows = [\n"
        "      { kind = UPSERT, fields = [1] }\n    ]\n  }\n}\nsink { Console {} }",
        [
            "5: source.FakeSource.rows[0].kind: unknown row kind 'UPSERT' (expected one of INSERT, UPDATE_BEFORE, "
            "UPDATE_AFTER, DELETE)"
        ],
    ),
    "unset variable": (
        "source {\n  FakeSource {\n    row.num = ${rows}\n  }\n}\nsink { Console {} }",
        ["3: variable ${rows} is not set (expected -i rows=VALUE, an environment variable rows, or ${rows:default})"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_job_file_is_reported_at_its_line(case: str, write_job) -> None:
    text, expected = CASES[case]
    path = write_job(text)
    with pytest.raises(ConfigErrors) as info:
        check_job(path)
    rendered = [i.render() for i in info.value.issues]
    if expected is None:  # syntax errors: the line is known, pyparsing's wording is not ours to freeze
        assert len(rendered) == 1 and rendered[0].startswith(f"{path}:") and "syntax error" in rendered[0]
        return
    prefix = f"{path}:"
    assert rendered == [prefix + e if e[0].isdigit() else f"{path}: {e}" for e in expected]


def test_every_problem_of_a_file_is_reported_at_once(write_job) -> None:
    path = write_job(
        """
        env {
          job.mode = "FAST"
          parallelism = 0
        }
        source {
          FakeSorce { row.num = 5 }
          FakeSource {
            row.nm = 5
            row.num = abc
          }
        }
        sink {
          Console { plugin_output = "x" }
        }
        """
    )
    with pytest.raises(ConfigErrors) as info:
        check_job(path)
    lines = [(i.line, i.path) for i in info.value.issues]
    assert lines == [
        (2, "env.job.mode"),
        (3, "env.parallelism"),
        (6, "source.FakeSorce"),
        (7, "source.FakeSource.schema"),  # the block has no schema: reported with its other problems
        (8, "source.FakeSource.row.nm"),
        (9, "source.FakeSource.row.num"),
        (13, "sink.Console.plugin_output"),
    ]


def test_secrets_never_appear_in_errors(write_job, registry) -> None:
    """A secret option's value is not echoed when it is wrong (LocalFile has none; use a test model)."""
    from pydantic import SecretStr, ValidationError

    from seatunnel_py.api.options import PluginOptions, option
    from seatunnel_py.config.binding import pydantic_messages

    class WithSecret(PluginOptions):
        password: SecretStr = option(..., "a password", secret=True)
        port: int = option(1, "a port")

    with pytest.raises(ValidationError) as info:
        WithSecret.model_validate({"password": ["hunter2"], "port": "x"})
    messages = pydantic_messages(info.value, WithSecret.secret_names())
    text = " ".join(m for _, m in messages)
    assert "hunter2" not in text
    assert "a secret value" in text


def test_binding_and_wiring_problems_are_reported_together_without_knock_on_errors(write_job) -> None:
    """A plugin that fails to bind is wired around: its downstream plugins are not blamed."""
    path = write_job(
        """
        source {
          FakeSource { plugin_output = "a", row.nm = 3, schema = { fields { x = int } } }
          FakeSource { plugin_output = "b", schema = { fields { y = int } } }
        }
        transform {
          Filter { plugin_input = "a", plugin_output = "fa", fields = [zzz] }
          Filter { plugin_input = "b", plugin_output = "fb", fields = [nope] }
          Copy { fields = { y2 = y } }
        }
        sink {
          Console { plugin_input = "fa" }
          Console { plugin_input = "missing" }
          Console {}
        }
        """
    )
    with pytest.raises(ConfigErrors) as info:
        check_job(path)
    assert [(i.line, i.path) for i in info.value.issues] == [
        (2, "source[0].FakeSource.row.nm"),
        (7, "transform[1].Filter.include_fields[0]"),
        (12, "sink[1].Console.plugin_input"),
    ]


def test_a_json_job_gets_its_hints_in_json(write_job: Callable[..., Path]) -> None:
    path = write_job('{"source": [{"plugin_name": "FakeSource", "schema": {"fields": {"id": "bigintt"}}}],'
                     ' "sink": [{"plugin_name": "Console"}]}', name="job.json")
    result = run_cli("check", path)
    assert result.returncode == 2
    assert 'a row of named fields ({ "name": "type" })' in result.stderr, result.stderr
    assert "name = type" not in result.stderr
