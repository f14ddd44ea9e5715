"""Plugin discovery: entry points, a real pip-installed third-party package, clashes, breakage."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import pytest

from seatunnel_py.api.capabilities import SINK_GUARANTEES, Capability
from seatunnel_py.plugins import build_registry
from seatunnel_py.registry import DuplicatePluginError, PluginKind

from .conftest import ROOT, run_cli

EXAMPLE = Path(__file__).parent / "plugin_example"
BUILTINS = EntryPoint("builtins", "seatunnel_py.builtins.plugin", "seatunnel_py")
HEAVY = ("confluent_kafka", "clickhouse_connect", "sqlalchemy", "psycopg", "pymysql", "duckdb", "chdb", "pandas")


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin package installed with pip into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(EXAMPLE)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return target


def test_builtins_come_through_the_entry_point_group() -> None:
    registry = build_registry()
    fake = registry.get(PluginKind.SOURCE, "fakesource")
    assert fake is not None and fake.distribution.startswith("seatunnel-py ")


def test_a_pip_installed_plugin_is_discovered_and_runs(example_site: Path, tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(example_site)}
    listing = run_cli("plugins", "list", env=env)
    assert listing.returncode == 0, listing.stderr
    assert any(
        line.split()[:3] == ["transform", "Reverse", "seatunnel-py-example"] for line in listing.stdout.splitlines()
    )
    job = tmp_path / "job.conf"
    job.write_text(
        """
        source { FakeSource { schema = { fields { s = string } }, string.fake.mode = template, string.template = [abc] } }
        transform { Reverse { field = s } }
        sink { Assert { rules { field_rules = [ { field_name = s, field_value = [ { equals_to = "cba" } ] } ]
                                row_rules = [ { rule_type = MIN_ROW, rule_value = 5 } ] } } }
        """
    )
    result = run_cli("run", job, env=env)
    assert result.returncode == 0, result.stderr
    assert "Total Write Count         :                   5" in result.stdout


def test_two_plugins_with_one_name_fail_at_start_up_naming_both() -> None:
    clash = EntryPoint("clash", "tests.plugin_clash", "seatunnel_py")
    (installed,) = [ep for ep in entry_points(group="seatunnel_py") if ep.name == "builtins"]
    with pytest.raises(DuplicatePluginError) as info:
        build_registry([installed, clash])
    message = str(info.value)
    assert "source plugin 'FakeSource' is registered twice" in message
    assert "by seatunnel-py" in message and "tests.plugin_clash" in message


def test_a_broken_plugin_only_breaks_jobs_that_use_it(tmp_path: Path) -> None:
    broken = EntryPoint("broken", "tests.plugin_that_does_not_exist", "seatunnel_py")
    registry = build_registry([BUILTINS, broken])
    assert registry.get(PluginKind.SOURCE, "FakeSource") is not None
    (entry,) = registry.broken
    assert entry.entry_point == "broken" and "ModuleNotFoundError" in entry.error
    message = registry.unknown_message(PluginKind.SOURCE, "Kafka")
    assert "unknown source plugin 'Kafka'" in message
    assert "plugin package tests.plugin_that_does_not_exist failed to load: ModuleNotFoundError" in message


def test_discovery_imports_no_heavy_client_library() -> None:
    code = (
        "import sys; from seatunnel_py.plugins import get_registry; get_registry(); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_plugins_registered_by_name_are_imported_only_when_a_job_uses_them() -> None:
    code = (
        "import sys; from seatunnel_py.plugins import get_registry; from seatunnel_py.registry import PluginKind; "
        "r = get_registry(); mods = ('seatunnel_py_kafka.source', 'seatunnel_py_jdbc.sink', "
        "'seatunnel_py.builtins.assertion.sink', 'seatunnel_py.builtins.transforms.json_path'); "
        "print([m in sys.modules for m in mods]); "
        "print(r.get(PluginKind.SOURCE, 'kafka').cls.__name__, 'seatunnel_py_kafka.source' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.splitlines() == ["[False, False, False, False]", "KafkaSource True"]


def test_a_plugin_registered_by_name_that_cannot_load_fails_only_the_jobs_using_it(tmp_path: Path) -> None:
    from seatunnel_py.config.issues import ConfigErrors
    from seatunnel_py.jobs import load_job

    lazy = EntryPoint("lazy", "tests.plugin_lazy", "seatunnel_py")
    registry = build_registry([BUILTINS, lazy])
    assert registry.broken == []  # nothing is imported at discovery
    job = tmp_path / "job.conf"
    job.write_text("source {\n  Nope { }\n}\nsink { Console { } }\n")
    with pytest.raises(ConfigErrors) as info:
        load_job(job, registry=registry)
    (issue,) = info.value.issues
    text = issue.render()
    assert f"{job}:2: source.Nope: source plugin 'Nope' of tests.plugin_lazy cannot be loaded" in text
    assert "ModuleNotFoundError: No module named 'tests.a_module_that_does_not_exist'" in text
    fine = tmp_path / "fine.conf"
    fine.write_text("source { FakeSource { row.num = 1, schema = { fields { a = int } } } }\nsink { Console { } }\n")
    assert load_job(fine, registry=registry).sinks[0].name == "Console"
    registry.load_all()  # what `plugins list` and `plugins show` do: failures become broken packages
    assert registry.get(PluginKind.SOURCE, "Nope") is None and registry.get(PluginKind.SINK, "Misnamed") is None
    nope, misnamed = sorted(b.error for b in registry.broken)
    assert nope.startswith("source plugin 'Nope' of tests.plugin_lazy cannot be loaded from")
    assert misnamed == ("tests.plugin_lazy registers seatunnel_py.builtins.console:ConsoleSink as sink plugin "
                        "'Misnamed', but the class is named 'Console'")


def test_every_registered_plugin_documents_its_options() -> None:
    """Meta-test over the registry: names, descriptions, option descriptions, capabilities."""
    registry = build_registry()
    assert len(registry.all()) >= 3
    for plugin in registry.all():
        cls = plugin.cls
        assert cls.description, f"{plugin.name} has no description"
        assert cls.__doc__, f"{plugin.name} has no docstring"
        assert cls.capabilities, f"{plugin.name} declares no capabilities"
        if plugin.kind == PluginKind.SINK:
            declared = [c for c in SINK_GUARANTEES if c in cls.capabilities]
            assert declared, f"sink {plugin.name} declares no delivery guarantee"
        if plugin.kind == PluginKind.SOURCE:
            assert cls.capabilities & {Capability.BOUNDED, Capability.UNBOUNDED}, f"{plugin.name} runs in no mode"
        for name, field in cls.options_model.model_fields.items():
            assert field.description, f"{plugin.name}.{field.alias or name} has no description"


def test_a_plugin_failing_inside_its_register_hook_is_reported_not_raised() -> None:
    failing = EntryPoint("failing", "tests.plugin_failing", "seatunnel_py")
    registry = build_registry([BUILTINS, failing])
    assert registry.get(PluginKind.SINK, "Console") is not None
    (entry,) = registry.broken
    assert entry.error == "ModuleNotFoundError: No module named 'a_driver_that_is_not_installed'"


def test_reference_docs_are_generated_from_the_current_option_models(tmp_path: Path) -> None:
    """docs/reference is what `make docs` writes today (regenerate it when options change)."""
    from seatunnel_py.cli.plugin_docs import write_reference

    committed = ROOT / "docs" / "reference"
    written = write_reference(build_registry().all(), tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in committed.glob("*.md"))
    for path in written:
        assert path.read_text() == (committed / path.name).read_text(), f"{path.name} is stale: run make docs"
