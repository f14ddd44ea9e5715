"""SeaTunnel-style jobs (FakeSource → transforms → Assert) through the real CLI.

Shaped like SeaTunnel's own e2e jobs: the Assert sink checks the data, the exit code
says whether it held.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli

FAKE = """
  FakeSource {
    plugin_output = "fake"
    row.num = 20
    string.fake.mode = template
    string.template = ["Ada Lovelace", "Grace Hopper"]
    int.min = 1
    int.max = 9
    schema = { fields { id = bigint, name = string, age = int, card = int } }
  }
"""

JOBS = {
    "copy": """
transform { Copy { plugin_input = "fake", plugin_output = "out", fields = { name1 = name, name2 = name } } }
sink { Assert { plugin_input = "out", rules {
  row_rules = [ { rule_type = MIN_ROW, rule_value = 20 }, { rule_type = MAX_ROW, rule_value = 20 } ]
  field_rules = [ { field_name = name1, field_type = string, field_value = [ { rule_type = NOT_NULL } ] } ] } } }
""",
    "field_mapper_then_filter": """
transform {
  FieldMapper { plugin_input = "fake", plugin_output = "mapped", field_mapper = { id = id, name = full_name, age = years } }
  Filter { plugin_input = "mapped", plugin_output = "out", fields = [full_name, years] }
}
sink { Assert { plugin_input = "out", rules {
  catalog_table_rule { column_rule = [ { name = full_name, type = string }, { name = years, type = int } ] }
  field_rules = [ { field_name = years, field_type = int, field_value = [ { rule_type = MIN, rule_value = 1 }, { rule_type = MAX, rule_value = 9 } ] } ] } } }
""",
    "replace_and_split": """
transform {
  Replace { plugin_input = "fake", plugin_output = "replaced", replace_field = name, pattern = "(\\\\w+) (\\\\w+)", replacement = "$2,$1", is_regex = true }
  Split { plugin_input = "replaced", plugin_output = "out", split_field = name, separator = ",", output_fields = [last, first] }
}
sink { Assert { plugin_input = "out", rules { field_rules = [
  { field_name = last, field_type = string, field_value = [ { rule_type = MIN_LENGTH, rule_value = 6 }, { rule_type = MAX_LENGTH, rule_value = 8 } ] }
  { field_name = first, field_type = string, field_value = [ { rule_type = MIN_LENGTH, rule_value = 3 }, { rule_type = MAX_LENGTH, rule_value = 5 } ] }
] } } }
""",
    "field_rename_upper": """
transform { FieldRename { plugin_input = "fake", plugin_output = "out", convert_case = UPPER, prefix = "F_" } }
sink { Assert { plugin_input = "out", rules { field_rules = [ { field_name = F_NAME, field_type = string, field_value = [ { rule_type = NOT_NULL } ] } ] } } }
""",
    "regex_extract": """
transform { RegexExtract { plugin_input = "fake", plugin_output = "out", source_field = name, regex_pattern = "(\\\\w+) (\\\\w+)", output_fields = [given, family] } }
sink { Assert { plugin_input = "out", rules { field_rules = [ { field_name = family, field_type = string, field_value = [ { rule_type = NOT_NULL }, { rule_type = MIN_LENGTH, rule_value = 6 } ] } ] } } }
""",
    "parallel_fan_out": """
sink {
  Assert { plugin_input = "fake", rules { row_rules = [ { rule_type = MIN_ROW, rule_value = 40 }, { rule_type = MAX_ROW, rule_value = 40 } ] } }
  Assert { plugin_input = "fake", rules { field_rules = [ { field_name = card, field_type = int, field_value = [ { rule_type = NOT_NULL } ] } ] } }
}
""",
}

CHANGELOG = """
source {
  FakeSource {
    plugin_output = "changes"
    schema = { fields { id = int, name = string } }
    rows = [
      { kind = INSERT, fields = [1, "A"] }
      { kind = UPDATE_BEFORE, fields = [1, "A"] }
      { kind = UPDATE_AFTER, fields = [1, "B"] }
      { kind = DELETE, fields = [1, "B"] }
    ]
  }
}
transform {
  FilterRowKind { plugin_input = "changes", plugin_output = "no_deletes", exclude_kinds = [DELETE, UPDATE_BEFORE] }
  RowKindExtractor { plugin_input = "no_deletes", plugin_output = "out", transform_type = FULL }
}
sink { Assert { plugin_input = "out", rules {
  row_rules = [ { rule_type = MIN_ROW, rule_value = 2 }, { rule_type = MAX_ROW, rule_value = 2 } ]
  field_rules = [ { field_name = row_kind, field_type = string, field_value = [ { rule_type = MIN_LENGTH, rule_value = 6 } ] } ] } } }
"""


@pytest.mark.parametrize("name", sorted(JOBS))
def test_seatunnel_style_job_passes(name: str, tmp_path: Path) -> None:
    parallelism = 2 if name == "parallel_fan_out" else 1
    job = tmp_path / f"{name}.conf"
    job.write_text(f'env {{ job.mode = "BATCH", parallelism = {parallelism} }}\nsource {{ {FAKE} }}\n{JOBS[name]}')
    result = run_cli("run", job)
    assert result.returncode == 0, result.stderr


def test_changelog_filter_and_extract(tmp_path: Path) -> None:
    job = tmp_path / "changelog.conf"
    job.write_text(CHANGELOG)
    result = run_cli("run", job)
    assert result.returncode == 0, result.stderr


def test_a_failed_job_leaves_no_files_in_the_target(tmp_path: Path) -> None:
    """LocalFile writes under a staging name; the Assert failure aborts, nothing becomes visible."""
    out = tmp_path / "out"
    job = tmp_path / "job.conf"
    job.write_text(
        f"""
        source {{ {FAKE} }}
        sink {{
          LocalFile {{ plugin_input = "fake", path = "{out}", file_format_type = "parquet" }}
          Assert {{ plugin_input = "fake", rules {{ row_rules = [ {{ rule_type = MAX_ROW, rule_value = 5 }} ] }} }}
        }}
        """
    )
    result = run_cli("run", job)
    assert result.returncode == 1
    assert "ERROR job failed: sink.Assert failed: row num: 20 fails rule MAX_ROW 5" in result.stderr
    visible = [p for p in out.rglob("*") if p.is_file() and ".seatunnel-tmp" not in p.parts]
    assert visible == []
    staged = [p for p in out.rglob("*") if p.is_file()]
    assert staged == [], "aborted staging files are removed"


def test_a_passing_job_makes_its_files_visible(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    job = tmp_path / "job.conf"
    job.write_text(f'env {{ parallelism = 2 }}\nsource {{ {FAKE} }}\nsink {{ LocalFile {{ path = "{out}", file_format_type = "parquet" }} }}')
    result = run_cli("run", job)
    assert result.returncode == 0, result.stderr
    files = sorted(out.glob("*.parquet"))
    assert len(files) == 2
    assert sum(pq.read_metadata(f).num_rows for f in files) == 40
    leftovers = [p for p in (out / ".seatunnel-tmp").rglob("*") if p.is_file()]
    assert leftovers == [], "the staging area is emptied by the commit"
