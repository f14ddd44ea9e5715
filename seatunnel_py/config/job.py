"""A bound job: env options and plugin specs, ready for the planner."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..api.options import PluginOptions
from ..api.secrets import mask_value
from ..registry import PluginKind, RegisteredPlugin
from .env import EnvOptions

_SECRET_KEY = re.compile(r"password|passwd|secret|jaas|token|credential|private", re.IGNORECASE)


def _mask_nested(value: Any) -> Any:
    """``value`` with the entries of nested maps whose keys look secret replaced by ``******``."""
    if isinstance(value, dict):
        return {k: "******" if _SECRET_KEY.search(str(k)) else _mask_nested(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_nested(v) for v in value]
    return value


@dataclass
class PluginSpec:
    """One plugin block of the job file, bound to its plugin and validated options."""

    kind: PluginKind
    index: int
    """Position inside its block (``source`` / ``transform`` / ``sink``)."""
    name: str
    """The plugin's registered name."""
    plugin: RegisteredPlugin
    options: PluginOptions
    raw: dict[str, Any]
    label: str
    """``source.FakeSource``, or ``source[1].FakeSource`` when the name repeats in its block."""
    output: str | None = None
    inputs: list[str] = field(default_factory=list)
    parallelism: int | None = None
    line: int | None = None

    def masked_options(self) -> dict[str, Any]:
        """The options as written, secrets replaced by ``******``.

        Declared secret options are masked, passwords inside other values too (a URL's
        ``user:pw@``, ``?password=…``: ``api.secrets.mask_secrets``), and so is any key that looks secret inside a
        nested map (``kafka.config``, ``properties``, ``clickhouse.config`` pass keys
        through to drivers: ``sasl.password``, ``sasl.jaas.config``, ``ssl.key.password``).
        """
        secrets = type(self.options).secret_names()
        return {k: ("******" if k in secrets else mask_value(_mask_nested(v))) for k, v in self.raw.items()}


@dataclass(frozen=True)
class Placeholder:
    """A plugin block that failed to bind: kept so planning can still wire around it.

    Planning reports the problems of the rest of the job in the same run, and stays
    silent about plugins downstream of a placeholder (their input schema is unknown).
    """

    kind: PluginKind
    index: int
    output: str | None
    inputs: list[str]


@dataclass
class JobConfig:
    """A validated job."""

    file: str
    env: EnvOptions
    sources: list[PluginSpec]
    transforms: list[PluginSpec]
    sinks: list[PluginSpec]
    line_of: Callable[[tuple[str | int, ...]], int | None] | None = None
    """Line of an option path, for errors found after binding."""
    placeholders: list[Placeholder] = field(default_factory=list)
    """Blocks that failed to bind (only when binding collected issues instead of raising)."""

    @property
    def work_dir(self) -> Path:
        """The job file's folder (relative paths in options are resolved against it)."""
        return Path(self.file).resolve().parent

    @property
    def name(self) -> str:
        """``env.job.name``."""
        return self.env.job_name

    def all_plugins(self) -> list[PluginSpec]:
        """Sources, transforms and sinks in file order."""
        return [*self.sources, *self.transforms, *self.sinks]
