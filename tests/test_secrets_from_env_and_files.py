"""Secrets for containers: ``${NAME}`` from the environment or from the file ``NAME_FILE`` names.

A Kubernetes Secret reaches a container as environment variables or as files of a mounted
volume; a Docker secret as a file under ``/run/secrets``. Either way the value must reach the
option and never be printed: not by ``check``, not in an error message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seatunnel_py.config.issues import ConfigErrors, UsageError
from seatunnel_py.config.loader import load_text
from seatunnel_py.config.variables import make_resolver
from seatunnel_py.jobs import load_job

from .conftest import run_cli

SECRET = "pa55-w0rd with spaces"
JOB = """
    source { FakeSource { row.num = 1, schema = { fields { id = bigint } } } }
    sink { Jdbc { url = "jdbc:postgresql://127.0.0.1:1/x", driver = org.postgresql.Driver, table = t, database = x,
                  user = app, password = ${DB_PASSWORD} } }
    """


def password(text: str, environ: dict[str, str], variables: dict[str, str] | None = None) -> object:
    """The password option of the Jdbc sink as the job file's parse gives it."""
    job = load_text(f"sink {{ Jdbc {{ password = {text} }} }}", "job.conf", variables, environ)
    return job.data["sink"][0]["password"]


def test_an_environment_variable_fills_a_variable() -> None:
    assert password("${DB_PASSWORD}", {"DB_PASSWORD": SECRET}) == SECRET
    assert password('"user:${DB_PASSWORD}"', {"DB_PASSWORD": SECRET}) == f"user:{SECRET}"


@pytest.mark.parametrize(("content", "value"), [
    (f"{SECRET}\n", SECRET),            # written with echo: the newline is not part of the secret
    (f"{SECRET}\r\n", SECRET),
    (SECRET, SECRET),                   # kubectl create secret --from-literal: no newline
    (f"{SECRET}\n\n", f"{SECRET}\n"),   # only one newline is dropped
    ("  padded  ", "  padded  "),       # other whitespace is the value's
])
def test_a_file_named_by_name_file_fills_a_variable(tmp_path: Path, content: str, value: str) -> None:
    secret = tmp_path / "db-password"
    secret.write_bytes(content.encode())
    assert password("${DB_PASSWORD}", {"DB_PASSWORD_FILE": str(secret)}) == value
    assert password('"${DB_PASSWORD}"', {"DB_PASSWORD_FILE": str(secret)}) == value


def test_a_command_line_variable_comes_first(tmp_path: Path) -> None:
    secret = tmp_path / "db-password"
    secret.write_text(SECRET)
    assert password("${DB_PASSWORD}", {"DB_PASSWORD_FILE": str(secret)}, {"DB_PASSWORD": "given"}) == "given"
    assert password("${DB_PASSWORD}", {"DB_PASSWORD": SECRET}, {"DB_PASSWORD": "given"}) == "given"


def test_an_empty_name_file_is_ignored() -> None:
    assert password("${DB_PASSWORD}", {"DB_PASSWORD": SECRET, "DB_PASSWORD_FILE": ""}) == SECRET


def test_both_the_variable_and_its_file_is_an_error(tmp_path: Path) -> None:
    secret = tmp_path / "db-password"
    secret.write_text("other")
    with pytest.raises(UsageError) as caught:
        password("${DB_PASSWORD}", {"DB_PASSWORD": SECRET, "DB_PASSWORD_FILE": str(secret)})
    assert str(caught.value) == ("variable ${DB_PASSWORD}: both DB_PASSWORD and DB_PASSWORD_FILE are set in the "
                                 "environment (expected one of them)")
    assert SECRET not in str(caught.value)


def test_an_unreadable_file_is_named_without_its_contents(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(UsageError, match=r"^variable \$\{DB_PASSWORD\}: DB_PASSWORD_FILE=.*/nowhere: cannot read "
                                         r"the file \(No such file or directory\)$"):
        password("${DB_PASSWORD}", {"DB_PASSWORD_FILE": str(missing)})
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe" + SECRET.encode())
    with pytest.raises(UsageError, match=r"the file is not UTF-8 text$") as caught:
        password("${DB_PASSWORD}", {"DB_PASSWORD_FILE": str(binary)})
    assert SECRET not in str(caught.value)


def test_a_variable_unset_everywhere_is_reported_at_its_line() -> None:
    from seatunnel_py.config.issues import ConfigErrors

    with pytest.raises(ConfigErrors) as caught:
        password("${DB_PASSWORD}", {})
    assert "variable ${DB_PASSWORD} is not set" in caught.value.issues[0].render()


@pytest.mark.parametrize("source", ["env", "file"])
def test_check_never_prints_a_secret_from_the_environment_or_a_file(
        write_job: Callable[..., Path], tmp_path: Path, source: str) -> None:
    path = write_job(JOB)
    if source == "env":
        env = {"DB_PASSWORD": SECRET}
    else:
        secret = tmp_path / "secrets" / "db-password"
        secret.parent.mkdir()
        secret.write_text(SECRET + "\n")
        env = {"DB_PASSWORD_FILE": str(secret)}
    result = run_cli("check", path, env=env)
    assert result.returncode == 0, result.stderr
    assert "'password': '******'" in result.stdout
    assert SECRET not in result.stdout + result.stderr


def test_a_bad_secret_file_fails_check_with_exit_2(write_job: Callable[..., Path], tmp_path: Path) -> None:
    path = write_job(JOB)
    result = run_cli("check", path, env={"DB_PASSWORD_FILE": str(tmp_path / "missing")})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].endswith(
        "DB_PASSWORD_FILE=" + str(tmp_path / "missing") + ": cannot read the file (No such file or directory)")


def test_env_and_file_references(write_job: Callable[..., Path], tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """``${env:NAME}`` and ``${file:PATH}`` are references, not a variable ``env`` with a default."""
    secret_file = tmp_path / "pw"
    secret_file.write_text("from-a-file\n")
    monkeypatch.setenv("ROWS_FROM_ENV", "7")
    path = write_job("""
        source { FakeSource { row.num = ${env:ROWS_FROM_ENV}, schema = { fields { id = bigint } } } }
        sink { Console {} }
        """)
    job = load_job(path)
    assert job.sources[0].raw["row.num"] == 7
    assert make_resolver({})(f"file:{secret_file}") == "from-a-file"
    missing = write_job("source { FakeSource { row.num = ${env:NOT_SET_ANYWHERE_X} } }\nsink { Console {} }",
                        name="missing.conf")
    with pytest.raises(ConfigErrors, match=r"variable \$\{env:NOT_SET_ANYWHERE_X\} is not set"):
        load_job(missing)
