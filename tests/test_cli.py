"""The real CLI in a subprocess: exit codes, statistics, SeaTunnel-style jobs."""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import run_cli

ASSERT_OK = """
env { job.mode = "BATCH", parallelism = 2 }
source {
  FakeSource {
    plugin_output = "fake"
    row.num = 100
    split.num = 3
    int.min = 10
    int.max = 20
    schema = { fields { name = string, age = int, score = "decimal(10, 2)" } }
  }
}
sink {
  Assert {
    plugin_input = "fake"
    rules {
      row_rules = [ { rule_type = MAX_ROW, rule_value = 200 }, { rule_type = MIN_ROW, rule_value = 200 } ]
      field_rules = [
        { field_name = name, field_type = string,
          field_value = [ { rule_type = NOT_NULL }, { rule_type = MIN_LENGTH, rule_value = 5 }, { rule_type = MAX_LENGTH, rule_value = 5 } ] }
        { field_name = age, field_type = int, field_value = [ { rule_type = MIN, rule_value = 10 }, { rule_type = MAX, rule_value = 20 } ] }
      ]
    }
  }
}
"""


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"seatunnel-py \d+\.\d+\.\d+\n", result.stdout)


def test_a_passing_job_exits_0_and_prints_seatunnels_statistics(write_job) -> None:
    result = run_cli("run", write_job(ASSERT_OK))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for label in (
        "Start Time",
        "End Time",
        "Total Time(s)",
        "Total Read Count",
        "Total Write Count",
        "Total Failed Count",
        "Read Rows Per Second",
    ):
        assert re.search(rf"^{re.escape(label)}\s*: ", out, re.M), label
    assert "Total Read Count          :                 200" in out
    assert "Total Write Count         :                 200" in out
    assert "           Job Statistic Information" in out
    assert "Traceback" not in result.stderr


def test_a_rule_violation_exits_1_with_one_line(write_job) -> None:
    result = run_cli(
        "run",
        write_job(
            ASSERT_OK.replace("rule_value = 200 }, { rule_type = MIN_ROW", "rule_value = 150 }, { rule_type = MIN_ROW")
        ),
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert errors == ["ERROR job failed: sink.Assert failed: row num: 200 fails rule MAX_ROW 150"]
    assert "Traceback" not in result.stderr
    assert "Job Statistic Information" not in result.stdout


def test_a_field_rule_violation_names_the_row(write_job) -> None:
    result = run_cli("run", write_job(ASSERT_OK.replace("rule_value = 20 }", "rule_value = 15 }")))
    assert result.returncode == 1
    assert re.search(
        r"sink.Assert failed: row \{'name': '\w{5}', 'age': 1[6-9]|20.*fails rule: field age fails MAX 15",
        result.stderr,
    )


def test_a_bad_job_file_exits_2_listing_every_error(write_job) -> None:
    path = write_job(
        'env {\n  job.mode = "FAST"\n}\nsource {\n  FakeSource { row.nm = 1, schema = { fields { a = int } } }\n}\nsink { Console {} }\n'
    )
    for command in ("check", "run"):
        result = run_cli(command, path)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert lines == [
            f"{path}:2: env.job.mode: got 'FAST' (expected 'BATCH' or 'STREAMING')",
            f"{path}:5: source.FakeSource.row.nm: unknown option (did you mean 'row.num'?)",
            "2 error(s) in the job file",
        ]


def test_a_missing_job_file_exits_2() -> None:
    result = run_cli("check", "/nonexistent/job.conf")
    assert result.returncode == 2
    assert (
        result.stderr.strip().splitlines()[0]
        == "/nonexistent/job.conf: cannot read the job file: No such file or directory"
    )


def test_usage_errors_exit_2(write_job) -> None:
    assert run_cli("run").returncode == 2
    assert run_cli("run", write_job(ASSERT_OK), "-i", "novalue").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_variables_and_job_name_from_the_command_line(write_job) -> None:
    path = write_job(
        ASSERT_OK.replace("row.num = 100", "row.num = ${rows}").replace("rule_value = 200", "rule_value = ${total}")
    )
    result = run_cli("run", path, "-i", "rows=10,total=20", "-n", "nightly")
    assert result.returncode == 0, result.stderr
    assert "Total Write Count         :                  20" in result.stdout


def test_check_prints_the_plan_without_running(write_job) -> None:
    path = write_job(ASSERT_OK)
    result = run_cli("check", path)
    assert result.returncode == 0, result.stderr
    # the key the run's state, lock and sinks' identities use: unnamed jobs are keyed by their file
    assert re.search(rf"OK \(BATCH, job key = {re.escape(Path(path).stem)}@[0-9a-f]{{8}}\)", result.stdout)
    assert "sink.Assert <- source.FakeSource" in result.stdout
    assert "columns: name: string, age: int32, score: decimal128(10, 2)" in result.stdout
    assert "Job Statistic Information" not in result.stdout


def test_console_prints_rows_in_seatunnels_format(write_job) -> None:
    path = write_job(
        """
        source { FakeSource {
          schema = { fields { id = int, name = string } }
          rows = [ { kind = INSERT, fields = [1, "A"] }, { kind = DELETE, fields = [2, "B"] } ]
        } }
        sink { Console {} }
        """
    )
    result = run_cli("run", path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "output rowType: id<INT>, name<STRING>"
    assert lines[1] == "subtaskIndex=0  rowIndex=1:  SeaTunnelRow#tableId= SeaTunnelRow#kind=INSERT : 1, A"
    assert lines[2] == "subtaskIndex=0  rowIndex=2:  SeaTunnelRow#tableId= SeaTunnelRow#kind=DELETE : 2, B"


def test_plugins_show_lists_options_types_defaults_and_capabilities() -> None:
    result = run_cli("plugins", "show", "fakesource")
    assert result.returncode == 0
    out = result.stdout
    assert out.startswith("FakeSource (source, from seatunnel-py ")
    assert "  capabilities: bounded, multi-table, parallel, resumable, row-kinds" in out
    assert "    row.num: int = 5\n        rows per reader (total = row.num × parallelism)" in out
    assert "    string.fake.mode: range | template = range" in out
    unknown = run_cli("plugins", "show", "FakeSorce")
    assert unknown.returncode == 2 and "did you mean 'FakeSource'?" in unknown.stderr


