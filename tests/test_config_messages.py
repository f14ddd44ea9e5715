"""Messages for broken job files: the right line, one clear sentence, every problem of a block."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from seatunnel_py.config.issues import ConfigErrors
from seatunnel_py.config.loader import load_file, load_text
from seatunnel_py.jobs import check_job

SINK = "sink { Console {} }\n"


def _errors(path: Path) -> list[str]:
    with pytest.raises(ConfigErrors) as info:
        load_file(path, environ={})
    return [i.render() for i in info.value.issues]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        # JSON lines count from 1, like every other line we report
        ("trailing comma.json", '{\n  "env": {"parallelism": 1,}\n}\n',
         "2: invalid JSON: Expecting property name enclosed in double quotes (at column 28)"),
        # an unclosed block is reported where it opened, not past the end of the file
        ("unclosed.json", '{\n  "env": {\n    "parallelism": 1\n  }\n',
         "1: syntax error: the '{' opened here is never closed (expected '}' before the end of the file)"),
        ("wrong closer.json", '{\n  "source": [\n    {"plugin_name": "FakeSource"}\n}\n',
         "4: source: syntax error: '}' does not close the '[' opened on line 2 (expected ']')"),
        ("unclosed.conf", "env {\n  parallelism = 1\nsource {\n  FakeSource { row.num = 1 }\n}\n" + SINK,
         "1: env: syntax error: the '{' opened here is never closed (expected '}' before the end of the file)"),
        ("unclosed array.conf", "source {\n  FakeSource {\n    string.template = [\n      a\n  }\n}\n",
         "5: source.FakeSource.string.template: syntax error: '}' does not close the '[' opened on line 3 "
         "(expected ']')"),
        ("extra closer.conf", "env {\n  parallelism = 1\n}\n}\n" + SINK,
         "4: syntax error: unexpected '}' (no block is open here)"),
        ("unclosed string.conf", 'env {\n  job.name = "nightly\n}\n',
         "2: env.job.name: syntax error: string '\"nightly' is not closed (expected a closing '\"' on the same line)"),
        ("key without value.conf", "env {\n  parallelism\n}\n",
         "2: env.parallelism: syntax error: key 'parallelism' without a value "
         "(expected parallelism = value or parallelism { … })"),
        ("missing value.conf", "env {\n  parallelism =\n}\n",
         "2: env.parallelism: syntax error: missing value after '=' (expected a value on the same line)"),
        ("stray character.conf", "env {\n  job.name = night*ly\n}\n",
         "2: env.job.name: syntax error: unexpected character '*' (expected a quoted string: \"…\")"),
        ("plugin without block.conf", "source {\n  FakeSource\n}\n",
         "2: source: syntax error: plugin 'FakeSource' without a block (expected FakeSource { … })"),
    ],
)
def test_syntax_errors_are_located_and_explained(tmp_path: Path, name: str, text: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert _errors(path) == [f"{path}:{expected}"]


def test_a_json_job_may_start_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "job.json"
    path.write_text('\ufeff{"env": {"parallelism": 2},\n "sink": []}\n', encoding="utf-8")
    raw = load_file(path)
    assert raw.data["env"] == {"parallelism": 2}
    assert raw.line_of(("sink",)) == 2


@pytest.mark.parametrize("name", ["deep.conf", "deep.json"])
def test_deep_nesting_is_a_located_error_not_a_recursion_error(tmp_path: Path, name: str) -> None:
    depth = 3000
    if name.endswith(".json"):
        text = '{\n"env": {\n"custom_parameters": ' + '{"a": ' * depth + "1" + "}" * depth + "\n}\n}\n"
    else:
        text = "env {\n  custom_parameters = " + "{ a = " * depth + "1" + " }" * depth + "\n}\n"
    path = tmp_path / name
    path.write_text(text)
    (rendered,) = _errors(path)
    assert rendered.startswith(f"{path}:")
    line = int(rendered[len(str(path)) + 1:].split(":", 1)[0])
    assert line == (3 if name.endswith(".json") else 2)
    assert "nested more than 100 levels deep (expected at most 100 nested blocks and arrays)" in rendered
    assert len(rendered) < 300


def test_every_problem_of_a_plugin_block_is_reported_together(write_job) -> None:
    """A schema typo is reported even when another option of the same block is wrong."""
    path = write_job(
        """
        source {
          FakeSource {
            row.nm = 5
            split.num = many
            schema = { fields { id = innt } }
          }
        }
        sink { Console {} }
        """
    )
    with pytest.raises(ConfigErrors) as info:
        check_job(path)
    assert [(i.line, i.path, i.message.split(" (")[0]) for i in info.value.issues] == [
        (3, "source.FakeSource.row.nm", "unknown option"),
        (4, "source.FakeSource.split.num", "got 'many'"),
        (5, "source.FakeSource.schema.fields.id", "unknown type 'innt'"),
    ]


def test_a_misspelt_option_is_not_reported_twice(write_job) -> None:
    """``schem`` is unknown (did you mean 'schema'?); 'schema is required' would say it again."""
    path = write_job("source {\n  FakeSource {\n    schem = { fields { id = int } }\n  }\n}\n" + SINK)
    with pytest.raises(ConfigErrors) as info:
        check_job(path)
    assert [(i.line, i.path) for i in info.value.issues] == [(3, "source.FakeSource.schem")]


def test_an_unset_variable_in_a_quoted_string_is_a_warning_naming_it(
    write_job, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DAY", raising=False)
    path = write_job(
        """
        source {
          FakeSource {
            plugin_output = "fake_${DAY}"
            string.template = ["${table_name}", "${NOPE:x}", "${DAY}"]
            schema = { fields { name = string } }
          }
        }
        sink { Console {} }
        """
    )
    with caplog.at_level(logging.WARNING):
        check_job(path)  # a warning, not an error: SeaTunnel keeps such strings as written
    warnings = [r.getMessage() for r in caplog.records if "is not set" in r.getMessage()]
    assert warnings == [
        f"{path}:3: source.FakeSource.plugin_output: ${{DAY}} is not set and stays as written in the string "
        "(expected -i DAY=VALUE, an environment variable DAY, or ${DAY:default})",
        f"{path}:4: source.FakeSource.string.template[2]: ${{DAY}} is not set and stays as written in the string "
        "(expected -i DAY=VALUE, an environment variable DAY, or ${DAY:default})",
    ]


@pytest.mark.parametrize(
    "option",
    [
        'path = "/data/${database_name}/${table_name}"',
        'file_name_expression = "${transactionId}_${now}_${uuid}"',
        'partition_dir_expression = "${k0}=${v0}"',
        'topic = "${user_id}"',
        'save_mode_create_template = """CREATE TABLE `${database}`.`${table}` (${rowtype_fields}) '
        'ENGINE = ${engine} ORDER BY ${order_by}"""',
    ],
)
def test_sink_placeholders_left_in_strings_are_not_warned_about(option: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        raw = load_text(f"sink {{\n  Any {{\n    {option}\n  }}\n}}\n", "job.conf", environ={})
    assert "${" in str(raw.data["sink"][0])
    assert "is not set" not in caplog.text


def test_an_unset_variable_in_a_topic_with_more_text_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        load_text('sink {\n  Kafka {\n    topic = "events_${DAY}"\n  }\n}\n', "job.conf", environ={})
    assert "job.conf:3: sink.Kafka.topic: ${DAY} is not set" in caplog.text
