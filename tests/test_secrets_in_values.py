"""Secrets inside values that are not secret as a whole (URLs, parameters, JAAS configs) are never printed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seatunnel_py.api.secrets import mask_secrets

from .conftest import run_cli


@pytest.mark.parametrize(("text", "masked"), [
    ("jdbc:postgresql://app:s3cret@db:5432/x?password=other&user=a",
     "jdbc:postgresql://app:******@db:5432/x?password=******&user=a"),
    ("jdbc:mysql://db/x?user=a&password=xyz", "jdbc:mysql://db/x?user=a&password=******"),
    ('PlainLoginModule required username="a" password="s3 cret";',
     'PlainLoginModule required username="a" password="******";'),
    ("{'sasl.password': 'abc'}", "{'sasl.password': '******'}"),
    ("http://host/path?x=1 token_count 5", "http://host/path?x=1 token_count 5"),
])
def test_mask_secrets(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


SECRET_URL = "jdbc:postgresql://app:s3cretpw@127.0.0.1:1/x?password=s3cretparam"


def test_check_masks_passwords_inside_urls(write_job: Callable[..., Path]) -> None:
    path = write_job(f"""
        source {{ FakeSource {{ row.num = 1, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Jdbc {{ url = "{SECRET_URL}", driver = org.postgresql.Driver, table = t, database = x }} }}
        """)
    result = run_cli("check", path)
    assert result.returncode == 0, result.stderr
    assert "app:******@127.0.0.1" in result.stdout
    assert "s3cret" not in result.stdout + result.stderr


def test_errors_and_logs_mask_passwords_inside_urls(write_job: Callable[..., Path]) -> None:
    """The connection fails; neither the error line nor the debug log (-v) shows the password."""
    path = write_job(f"""
        source {{ FakeSource {{ row.num = 1, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Jdbc {{ url = "{SECRET_URL}", driver = org.postgresql.Driver, table = t, database = x }} }}
        """)
    result = run_cli("-v", "run", "--no-progress", path)
    assert result.returncode == 75  # connection refused: retryable
    assert "ERROR" in result.stderr
    assert "s3cret" not in result.stdout + result.stderr
