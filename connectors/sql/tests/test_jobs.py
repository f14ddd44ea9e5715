"""SeaTunnel-style jobs through the real CLI: FakeSource → Sql → Assert, one per function family,
row kinds, lateral views, UDFs from a pip-installed plugin, and bad queries.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import assert_block, run_cli, sql_job

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
PEOPLE = """
    schema = { fields { id = int, name = string, age = bigint, score = double, price = "decimal(10, 2)",
                        day = date, ts = timestamp, flag = boolean, tags = "array<string>",
                        c_row = { c_inner = { c_int = int } }, c_map = "map<string, string>" } }
    rows = [
      { kind = INSERT, fields = [1, "Joy Ding", 20, 2.5, "12.30", "2024-01-31", "2024-01-31T13:34:45", true,
                                 ["a", "b"], { c_inner = { c_int = 5 } }, { k = "v1" }] }
    ]
"""


def run_job(tmp_path: Path, text: str, name: str = "job.conf") -> subprocess.CompletedProcess[str]:
    path = tmp_path / name
    path.write_text(text)
    return run_cli("run", path)


def test_string_functions_job(tmp_path: Path) -> None:
    query = ("select upper(name) as up, lcase(name) lo, char_length(name) len, concat(name, '_', id) cc, "
             "concat_ws('|', name, NULL, 'x') cw, locate('Ding', name) loc, lpad(id, 3, '0') lp, "
             "trim('  a  ') tr, regexp_replace(name, '(\\w+) (\\w+)', '$2 $1') rr, regexp_like(name, 'ding', 'i') rl, "
             "replace(name, ' ') rp, soundex(name) sx, substring(name, 5) ss, left(name, 3) lf, translate(name, 'oi', 'OI') tl, "
             "insert(name, 1, 3, 'Ann') ins, split('a;b', ';') sp, name || '!' cat from fake")
    expected = {
        "up": ("string", "JOY DING"), "lo": ("string", "joy ding"), "len": ("bigint", 8),
        "cc": ("string", "Joy Ding_1"), "cw": ("string", "Joy Ding|x"), "loc": ("int", 5),
        "lp": ("string", "001"), "tr": ("string", "a"), "rr": ("string", "Ding Joy"), "rl": ("boolean", True),
        "rp": ("string", "JoyDing"), "sx": ("string", "J352"), "ss": ("string", "Ding"), "lf": ("string", "Joy"),
        "tl": ("string", "JOy DIng"), "ins": ("string", "Ann Ding"), "cat": ("string", "Joy Ding!"),
    }
    result = run_job(tmp_path, sql_job(PEOPLE, query, assert_block(expected, 1)))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr


def test_numeric_functions_job(tmp_path: Path) -> None:
    query = ("select abs(-score) ab, ceil(score) ce, floor(score) fl, round(price, 1) ro, mod(age, 7) mo, "
             "power(2, 3) pw, sqrt(16) sq, log(2, 8) lg, ln(1) ln1, log10(100) l10, sign(-score) sg, "
             "trunc(3.789, 2) tc, age / 3 dv, age * 2 + 1 ar, trim_scale(price) ts from fake")
    expected = {
        "ab": ("double", 2.5), "ce": ("int", 3), "fl": ("int", 2), "ro": ("decimal(10, 1)", "12.3"),
        "mo": ("bigint", 6), "pw": ("double", 8.0), "sq": ("double", 4.0), "lg": ("double", 3.0),
        "ln1": ("double", 0.0), "l10": ("double", 2.0), "sg": ("int", -1), "tc": ("double", 3.78),
        "dv": ("bigint", 6), "ar": ("bigint", 41), "ts": ("string", "12.3"),
    }
    result = run_job(tmp_path, sql_job(PEOPLE, query, assert_block(expected, 1)))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr


def test_datetime_functions_job(tmp_path: Path) -> None:
    query = ("select dateadd(day, 1, 'MONTH') da, datediff(day, cast('2024-03-01' as date), 'DAY') dd, "
             "date_trunc(ts, 'HOUR') dt, dayname(day) dn, day_of_week(day) dw, day_of_month(day) dm, "
             "extract(year from ts) ey, formatdatetime(ts, 'yyyy/MM/dd HH:mm') fd, hour(ts) h, minute(ts) mi, "
             "month(day) mo, monthname(day) mn, quarter(day) q, second(ts) s, year(day) y, "
             "is_date('2021-04-08', 'yyyy-MM-dd') isd, parsedatetime('2021-04-08 13:34:45', 'yyyy-MM-dd HH:mm:ss') pd, "
             "from_unixtime(1672502400, 'yyyy-MM-dd HH:mm:ss', 'UTC+8') fu from fake")
    expected = {
        "da": ("date", "2024-02-29"), "dd": ("bigint", 30), "dt": ("timestamp", "2024-01-31T13:00:00"),
        "dn": ("string", "Wednesday"), "dw": ("int", 3), "dm": ("int", 31), "ey": ("int", 2024),
        "fd": ("string", "2024/01/31 13:34"), "h": ("int", 13), "mi": ("int", 34), "mo": ("int", 1),
        "mn": ("string", "January"), "q": ("int", 1), "s": ("int", 45), "y": ("int", 2024), "isd": ("boolean", True),
        "pd": ("timestamp", "2021-04-08T13:34:45"), "fu": ("string", "2023-01-01 00:00:00"),
    }
    result = run_job(tmp_path, sql_job(PEOPLE, query, assert_block(expected, 1)))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr


def test_system_functions_job(tmp_path: Path) -> None:
    query = ("select cast(id as STRING) as id, cast(id as INT) as id2, cast(id as DOUBLE) as id3, "
             "cast(score as DECIMAL(10,2)) as c1, cast('2024-01-02' as DATE) as c2, coalesce(NULL, 'Unknown') c3, "
             "ifnull(NULL, 'Unknown') c4, ifnull(nullif(name, 'Joy Ding'), 'NULL') name1, nullif(name, 'x') name2, "
             "cast('2024-01-02 03:04:05' as timestamp) c5, cast(name as bytes) c6, try_cast(name as int) c7, "
             "cast(age as long) c8, cast(id as byte) c9, multi_if(age > 30, 'old', age > 10, 'young', 'child') c10, "
             "case when name in ('Joy Ding') and flag then 1 else 0 end c11, "
             "case when name like 'Joy%' and tags is not null then 'y' else 'n' end c12, "
             "length(uuid()) c13, array(1, 2) c14, c_row.c_inner.c_int c15, c_map.k c16 from dual")
    expected = {
        "id": ("string", "1"), "id2": ("int", 1), "id3": ("double", 1.0), "c1": ("decimal(10, 2)", "2.50"),
        "c2": ("date", "2024-01-02"), "c3": ("string", "Unknown"), "c4": ("string", "Unknown"),
        "name1": ("string", "NULL"), "name2": ("string", "Joy Ding"), "c5": ("timestamp", "2024-01-02T03:04:05"),
        "c6": ("bytes", "Sm95IERpbmc="), "c7": ("int", None), "c8": ("bigint", 20), "c9": ("tinyint", 1),
        "c10": ("string", "young"), "c11": ("int", 1), "c12": ("string", "y"), "c13": ("bigint", 36),
        "c14": ("array<int>", [1, 2]), "c15": ("int", 5), "c16": ("string", "v1"),
    }
    result = run_job(tmp_path, sql_job(PEOPLE, query, assert_block(expected, 1)))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr


CHANGES = """
    schema = { fields { id = int, name = string, tags = "array<string>" } }
    rows = [
      { kind = INSERT, fields = [1, "A", ["x", "y"]] }
      { kind = INSERT, fields = [2, "B", []] }
      { kind = UPDATE_BEFORE, fields = [1, "A", ["x", "y"]] }
      { kind = UPDATE_AFTER, fields = [1, "A_1", ["z"]] }
      { kind = DELETE, fields = [2, "B", null] }
    ]
"""


def test_row_kinds_pass_through_filter_and_explode(tmp_path: Path) -> None:
    """Sql keeps each row's kind; FilterRowKind downstream then sees the same kinds."""
    query = "select id, lower(name) as name, tag from fake lateral view outer explode(tags) as tag where id = 1 or tags is null"
    job = f"""
env {{ job.mode = "BATCH" }}
source {{ FakeSource {{ plugin_output = "fake"
{CHANGES} }} }}
transform {{
  Sql {{ plugin_input = "fake", plugin_output = "out", query = "{query}" }}
  FilterRowKind {{ plugin_input = "out", plugin_output = "after", include_kinds = [UPDATE_BEFORE] }}
}}
sink {{
  Assert {{ plugin_input = "out", rules {{ row_rules = [ {{ rule_type = MIN_ROW, rule_value = 6 }}, {{ rule_type = MAX_ROW, rule_value = 6 }} ] }} }}
  Assert {{ plugin_input = "after", rules {{
    row_rules = [ {{ rule_type = MIN_ROW, rule_value = 2 }}, {{ rule_type = MAX_ROW, rule_value = 2 }} ]
    field_rules = [ {{ field_name = name, field_type = string, field_value = [ {{ equals_to = "a" }} ] }} ] }} }}
}}
"""
    result = run_job(tmp_path, job)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert "Total Read Count          :                   5" in result.stdout


def test_example_config_runs() -> None:
    result = run_cli("run", "configs/sql_transform.conf")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr


def test_check_reports_a_bad_query_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.conf"
    path.write_text(sql_job(PEOPLE, "select id, nmae, uper(name) from fake", 'Console { plugin_input = "out" }'))
    result = run_cli("check", path)
    assert result.returncode == 2
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "query =" in text)
    assert f"bad.conf:{line}: transform.Sql.query: unknown function 'uper' (did you mean 'UPPER'?)" in result.stderr, \
        result.stderr


def test_check_refuses_aggregation(tmp_path: Path) -> None:
    path = tmp_path / "agg.conf"
    path.write_text(sql_job(PEOPLE, "select name, count(*) from fake group by name", 'Console { plugin_input = "out" }'))
    result = run_cli("check", path)
    assert result.returncode == 2
    assert "transform.Sql.query: GROUP BY is not supported" in result.stderr


def test_a_run_time_failure_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = run_job(tmp_path, sql_job(PEOPLE, "select cast(name as int) as n from fake", 'Console { plugin_input = "out" }'))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "Could not convert string 'Joy Ding' to INT32" in errors[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def udf_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example UDF plugin package installed with pip into a folder of its own."""
    target = tmp_path_factory.mktemp("udf-site")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(target), str(HERE / "udf_example")],
                   check=True, capture_output=True, text=True, timeout=300)
    return target


def test_python_udfs_registered_by_a_plugin(udf_site: Path, tmp_path: Path) -> None:
    query = "select title(lower(name)) as t, fahrenheit(score * 10) as f from fake where title(name) = 'Joy Ding'"
    expected = {"t": ("string", "Joy Ding"), "f": ("double", 77.0)}
    path = tmp_path / "udf.conf"
    path.write_text(sql_job(PEOPLE, query, assert_block(expected, 1)))
    result = run_cli("run", path, env={"PYTHONPATH": str(udf_site)})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    without = run_cli("check", path)
    assert without.returncode == 2 and "unknown function 'title'" in without.stderr
