"""``include`` in job files: relative to the including file, errors located in the included file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from seatunnel_py.config.issues import ConfigErrors
from seatunnel_py.config.loader import load_file
from seatunnel_py.jobs import check_job, load_job


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def jobs(tmp_path: Path) -> Path:
    """``jobs/job.conf`` including ``env.conf`` and ``parts/source.conf`` (which includes ``fake.conf``)."""
    root = tmp_path / "jobs"
    _write(root / "job.conf", 'env {\n  include "env.conf"\n}\ninclude "parts/source.conf"\nsink { Console {} }\n')
    _write(root / "env.conf", 'job.name = "from_jobs"\nparallelism = 2\n')
    _write(root / "parts" / "source.conf", 'source {\n  FakeSource {\n    include "fake.conf"\n  }\n}\n')
    _write(root / "parts" / "fake.conf", "row.num = 7\nschema = { fields { id = int } }\n")
    # what a working-directory-relative reading would find instead
    decoy = tmp_path / "elsewhere"
    _write(decoy / "env.conf", 'job.name = "from_the_working_directory"\n')
    _write(decoy / "parts" / "source.conf", "source { FakeSource { row.num = 1, schema = { fields { x = string } } } }\n")
    _write(decoy / "fake.conf", "row.num = 99\nschema = { fields { y = string } }\n")
    return root


@pytest.mark.parametrize("cwd", ["elsewhere", "."])
def test_includes_are_read_next_to_the_including_file_from_any_working_directory(
    jobs: Path, cwd: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(jobs.parent / cwd)
    job = load_job(jobs / "job.conf")
    assert job.env.job_name == "from_jobs"
    assert job.env.parallelism == 2
    source = job.sources[0]
    assert source.options.row_num == 7  # type: ignore[attr-defined]
    assert source.options.table_schema().schema.names == ["id"]  # type: ignore[attr-defined]


def test_included_keys_are_located_in_their_own_file(jobs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(jobs)
    raw = load_file(jobs / "job.conf")
    assert raw.data["env"] == {"job.name": "from_jobs", "parallelism": 2}, "dotted keys stay literal in includes"
    line = raw.line_of(("source", 0, "row.num"))
    assert (getattr(line, "file", None), line) == (str(jobs / "parts" / "fake.conf"), 1)
    assert raw.line_of(("env", "parallelism")) == 2
    assert raw.line_of(("sink", 0)) == 5


def test_an_option_error_in_an_included_file_names_that_file_and_line(
    jobs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(jobs)
    _write(jobs / "parts" / "fake.conf", "row.num = 7\nschema = { fields { id = int } }\nrow.nm = 3\n")
    with pytest.raises(ConfigErrors) as info:
        check_job(jobs / "job.conf")
    assert [i.render() for i in info.value.issues] == [
        f"{jobs / 'parts' / 'fake.conf'}:3: source.FakeSource.row.nm: unknown option (did you mean 'row.num'?)"
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("row.num = 7\nschema = { fields { id = int }\n", 2,
         "source.FakeSource.schema: syntax error: the '{' opened here is never closed"),
        ("row.num = ${ROWS}\n", 1, "variable ${ROWS} is not set"),
        ('row.num = 7\nstring.template = ["a\n', 2, "source.FakeSource.string.template[0]: syntax error: string"),
    ],
)
def test_a_syntax_error_in_an_included_file_names_that_file_and_line(
    jobs: Path, monkeypatch: pytest.MonkeyPatch, text: str, line: int, message: str
) -> None:
    monkeypatch.chdir(jobs)
    _write(jobs / "parts" / "fake.conf", text)
    with pytest.raises(ConfigErrors) as info:
        load_file(jobs / "job.conf", environ={})
    rendered = [i.render() for i in info.value.issues]
    assert len(rendered) == 1
    assert rendered[0].startswith(f"{jobs / 'parts' / 'fake.conf'}:{line}: {message}"), rendered[0]


def test_a_missing_required_include_is_an_error_at_its_line(tmp_path: Path) -> None:
    job = _write(tmp_path / "job.conf", 'env {\n  include required("nope.conf")\n}\n')
    with pytest.raises(ConfigErrors) as info:
        load_file(job)
    assert [i.render() for i in info.value.issues] == [
        f"{job}:2: env: syntax error: the included file {tmp_path / 'nope.conf'} does not exist "
        f"(expected it next to {job})"
    ]


def test_a_missing_optional_include_is_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    job = _write(tmp_path / "job.conf", 'env {\n  include "nope.conf"\n  parallelism = 2\n}\n')
    with caplog.at_level(logging.WARNING):
        raw = load_file(job)
    assert raw.data["env"] == {"parallelism": 2}
    assert f"{job}:2: include 'nope.conf': {tmp_path / 'nope.conf'} does not exist; skipped" in caplog.text


def test_an_include_cycle_is_an_error(tmp_path: Path) -> None:
    job = _write(tmp_path / "job.conf", 'include "a.conf"\n')
    _write(tmp_path / "a.conf", 'x = 1\ninclude "job.conf"\n')
    with pytest.raises(ConfigErrors) as info:
        load_file(job)
    (issue,) = info.value.issues
    assert (issue.file, issue.line) == (str(tmp_path / "a.conf"), 2)
    assert "include cycle" in issue.message


def test_keys_after_an_include_override_it_and_objects_merge(tmp_path: Path) -> None:
    job = _write(tmp_path / "job.conf", 'env {\n  parallelism = 3\n  include "env.conf"\n  job.name = "mine"\n}\n')
    _write(tmp_path / "env.conf", 'parallelism = 2\njob.name = "theirs"\ncustom_parameters { a = 1 }\n')
    raw = load_file(job)
    assert raw.data["env"] == {"parallelism": 2, "job.name": "mine", "custom_parameters": {"a": 1}}
    assert raw.line_of(("env", "job.name")) == 4


@pytest.mark.parametrize("spec", ['url("http://x/a.conf")', 'classpath("a.conf")', '"a.conf" extra', "a.conf"])
def test_unsupported_include_forms_are_errors(tmp_path: Path, spec: str) -> None:
    job = _write(tmp_path / "job.conf", f"env {{\n  include {spec}\n}}\n")
    with pytest.raises(ConfigErrors) as info:
        load_file(job)
    (issue,) = info.value.issues
    assert issue.line == 2 and "include" in issue.message
