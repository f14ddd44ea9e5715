"""Options marked secret never appear in what the CLI prints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from seatunnel_py import plugins
from seatunnel_py.api import Capability, PluginOptions, Sink, SinkWriter, option
from seatunnel_py.cli.main import app
from seatunnel_py.registry import PluginKind

PASSWORD = "s3cr3t-hunter2"


class VaultOptions(PluginOptions):
    """Options with a secret."""

    user: str = option("admin", "user name")
    password: SecretStr = option(..., "password", secret=True)
    config: dict[str, str] | None = option(None, "settings passed through to a driver")


class VaultSink(Sink[VaultOptions]):
    """A sink with a password option (test only)."""

    name = "Vault"
    description = "test sink with a secret"
    options_model = VaultOptions
    capabilities = frozenset({Capability.NO_GUARANTEE})

    def create_writer(self, task_index: int, schema: pa.Schema, state: dict[str, Any] | None = None) -> SinkWriter:
        raise NotImplementedError


@pytest.fixture
def with_vault() -> Iterator[None]:
    registry = plugins.build_registry()
    registry.add(PluginKind.SINK, VaultSink, "tests")
    plugins._cached = registry
    yield
    plugins.reset_registry()


def test_check_masks_secret_options(with_vault, write_job) -> None:
    path = write_job(f'source {{ FakeSource {{ schema = {{ fields {{ a = int }} }} }} }}\nsink {{ Vault {{ password = "{PASSWORD}" }} }}')
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "'password': '******'" in result.output
    assert PASSWORD not in result.output


def test_a_wrong_secret_is_not_echoed(with_vault, write_job) -> None:
    path = write_job(f'source {{ FakeSource {{ schema = {{ fields {{ a = int }} }} }} }}\nsink {{ Vault {{ password = ["{PASSWORD}"] }} }}')
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "sink.Vault.password: got a secret value (expected a valid string)" in result.output
    assert PASSWORD not in result.output


def test_plugins_show_marks_secrets(with_vault) -> None:
    result = CliRunner().invoke(app, ["plugins", "show", "Vault"])
    assert result.exit_code == 0
    assert "    password: SecretStr = (required)  [secret]" in result.output


def test_check_masks_secret_looking_keys_inside_passthrough_maps(with_vault, write_job) -> None:
    path = write_job(f'''
        source {{ FakeSource {{ schema = {{ fields {{ a = int }} }} }} }}
        sink {{ Vault {{ password = p, config = {{ "sasl.jaas.config" = "{PASSWORD}",
                                                "sasl.password" = "{PASSWORD}", "acks" = "all" }} }} }}
        ''')
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "'sasl.password': '******'" in result.output and "'sasl.jaas.config': '******'" in result.output
    assert "'acks': 'all'" in result.output
    assert PASSWORD not in result.output
