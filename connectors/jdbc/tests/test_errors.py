"""Bad credentials, unreachable server, missing table: one clear line, no secret, a failed exit."""

from __future__ import annotations

from typing import Any

import pytest

SECRET = "hunter2-secret"
SERVERS = {"pg": ("jdbc:postgresql://127.0.0.1:{port}/seatunnel", 5432, 'relation "missing_tbl" does not exist'),
           "my": ("jdbc:mariadb://127.0.0.1:{port}/seatunnel", 3306, "Table 'seatunnel.missing_tbl' doesn't exist")}
CASES = {  # (password, port, message, exit code: 75 = may succeed later, a scheduler retries it)
    "bad credentials": (SECRET, None, "authentication failed (check username and password)", 1),
    "unreachable server": ("seatunnel", 1, "connection refused", 75),
}


def _sink_job(url: str, password: str) -> str:
    return f"""
        env {{ job.mode = BATCH }}
        source {{ FakeSource {{ row.num = 5, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Jdbc {{ url = "{url}", user = seatunnel, password = "{password}", generate_sink_sql = true,
                        table = missing_tbl, schema_save_mode = IGNORE }} }}
        """


def _source_job(url: str, password: str) -> str:
    return f"""
        env {{ job.mode = BATCH }}
        source {{ Jdbc {{ url = "{url}", user = seatunnel, password = "{password}", table_path = missing_tbl }} }}
        sink {{ Console {{ }} }}
        """


def _one_line(result: Any, expected: str) -> None:
    output = result.stdout + result.stderr
    assert SECRET not in output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    matching = [ln for ln in lines if expected in ln]
    assert len(matching) == 1, result.stderr
    assert "Traceback" not in output


@pytest.mark.slow
@pytest.mark.parametrize("server", list(SERVERS))
@pytest.mark.parametrize("case", list(CASES))
def test_sink_failures_fail_with_one_line(server: str, case: str, job: Any, run_cli: Any) -> None:
    template, port, _ = SERVERS[server]
    password, bad_port, expected, code = CASES[case]
    result = run_cli("run", job(_sink_job(template.format(port=bad_port or port), password)))
    _one_line(result, expected)
    assert result.returncode == code


@pytest.mark.slow
@pytest.mark.parametrize("server", list(SERVERS))
def test_sink_missing_table_exits_1(server: str, job: Any, run_cli: Any) -> None:
    template, port, expected = SERVERS[server]
    result = run_cli("run", job(_sink_job(template.format(port=port), "seatunnel")))
    _one_line(result, expected)
    assert result.returncode == 1


@pytest.mark.slow
@pytest.mark.parametrize("server", list(SERVERS))
@pytest.mark.parametrize("case", [*CASES, "missing table"])
def test_source_failures_give_one_line(server: str, case: str, job: Any, run_cli: Any) -> None:
    template, port, _ = SERVERS[server]
    password, bad_port, expected, code = CASES.get(case, ("seatunnel", None, "table missing_tbl does not exist", 1))
    result = run_cli("run", job(_source_job(template.format(port=bad_port or port), password)))
    _one_line(result, expected)
    assert result.returncode == code


@pytest.mark.slow
def test_source_failure_exit_code_is_1(job: Any, run_cli: Any) -> None:
    result = run_cli("run", job(_source_job("jdbc:postgresql://127.0.0.1:5432/seatunnel", SECRET)))
    assert result.returncode == 1
