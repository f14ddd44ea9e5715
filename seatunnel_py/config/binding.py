"""Bind a parsed job file to plugin option models, collecting every problem at once."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..api.options import PluginOptions
from ..registry import PluginKind, PluginLoadError, Registry
from .env import FOREIGN_PREFIXES, EnvOptions
from .issues import ConfigErrors, ConfigIssue, option_label
from .job import JobConfig, Placeholder, PluginSpec
from .loader import RawJob

log = logging.getLogger(__name__)

TOP_LEVEL = ("env", "source", "transform", "sink")
COMMON_KEYS = {
    "plugin_name",
    "plugin_output",
    "result_table_name",
    "plugin_input",
    "source_table_name",
    "parallelism",
    "multi_table_sink_replica",
    "dag-parsing.mode",
}


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def pydantic_messages(exc: ValidationError, secrets: set[str]) -> list[tuple[tuple[str | int, ...], str]]:
    """Turn pydantic errors into ``(option path, message (expected …))`` pairs."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        msg = err["msg"]
        shown = "a secret value" if loc and loc[0] in secrets else _describe(err.get("input"))
        if kind == "missing":
            text = "required option is missing"
        elif kind == "extra_forbidden":
            text = "unknown option"
        elif msg.startswith("Input should be "):
            text = f"got {shown} (expected {msg[len('Input should be ') :]})"
        elif msg.startswith("Value error, "):
            text = msg[len("Value error, ") :]
        else:
            text = f"{msg[0].lower()}{msg[1:]} (got {shown})"
        # pydantic adds union branch names and enum member paths to loc: keep option keys
        clean = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
        out.append((clean, text))
    return out


class _Binder:
    def __init__(self, raw: RawJob, registry: Registry) -> None:
        self.raw = raw
        self.registry = registry
        self.issues: list[ConfigIssue] = []
        self.placeholders: list[Placeholder] = []

    def issue(self, path: tuple[str | int, ...], label: str, message: str) -> None:
        self.issues.append(ConfigIssue(self.raw.file, self.raw.line_of(path), label, message))

    def unknown_keys(
        self,
        path: tuple[str | int, ...],
        label: str,
        keys: list[str],
        model: type[PluginOptions],
        allowed_extra: set[str],
    ) -> set[str]:
        """Report each unknown key; return the option names suggested for them."""
        known = [*model.option_names(), *allowed_extra]
        suggested = set()
        for key in keys:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = (
                f"did you mean {close[0]!r}?" if close else f"known options: {', '.join(sorted(model.option_names()))}"
            )
            suggested.update(close)
            self.issue((*path, key), f"{label}.{key}", f"unknown option ({hint})")
        return suggested

    def validate(
        self,
        path: tuple[str | int, ...],
        label: str,
        model: type[PluginOptions],
        values: dict[str, Any],
        extra: set[str],
    ) -> PluginOptions | None:
        known = set(model.option_names())
        unknown = [k for k in values if k not in known]
        # options named by a "did you mean": their checks would only repeat the misspelling
        skip: set[str | int] = set()
        if unknown:
            skip.update(self.unknown_keys(path, label, unknown, model, extra))
            values = {k: v for k, v in values.items() if k in known}
        failed: set[str | int] = set()
        try:
            options: PluginOptions | None = model.model_validate(values)
        except ValidationError as exc:
            for loc, text in pydantic_messages(exc, model.secret_names()):
                self.issue((*path, *loc), option_label(label, loc), text)
                failed.update(loc[:1])
            options = _without(model, values, failed)
        found = bool(failed)
        if options is not None:  # the plugin's own checks run on the options that are valid
            for problem in options.check():
                if problem.option[:1] and problem.option[0] in failed | skip:
                    continue
                self.issue((*path, *problem.option), option_label(label, problem.option), problem.message)
                found = True
        return None if unknown or found or options is None else options

    def bind_env(self) -> EnvOptions | None:
        env = self.raw.data.get("env", {})
        if env is None:
            env = {}
        if not isinstance(env, Mapping):
            self.issue(("env",), "env", "must be a block { … }")
            return None
        kept = {}
        for key, value in env.items():
            if key == "execution.parallelism" and "parallelism" not in env:
                log.warning("env.execution.parallelism is deprecated; use env.parallelism")
                kept["parallelism"] = value
            elif key.startswith(FOREIGN_PREFIXES):
                log.warning("env.%s is an option of another engine; ignored", key)
            else:
                kept[key] = value
        options = self.validate(("env",), "env", EnvOptions, kept, set())
        return options if isinstance(options, EnvOptions) else None

    def bind_block(self, kind: PluginKind) -> list[PluginSpec]:
        block = self.raw.data.get(kind.value)
        if block is None:
            if kind != PluginKind.TRANSFORM:
                self.issue(
                    (), kind.value, f"the job has no {kind.value} block (expected {kind.value} {{ Name {{ … }} }})"
                )
            return []
        if not isinstance(block, list):
            self.issue((kind.value,), kind.value, f"must be a block of plugins ({kind.value} {{ Name {{ … }} }})")
            return []
        names = [self.plugin_name(kind, i, entry) for i, entry in enumerate(block)]
        specs = []
        for i, entry in enumerate(block):
            name = names[i]
            if name is None:
                self.placeholders.append(_placeholder(kind, i, entry if isinstance(entry, Mapping) else {}))
                continue
            repeated = sum(1 for n in names if n and n.lower() == name.lower()) > 1
            label = f"{kind.value}[{i}].{name}" if repeated else f"{kind.value}.{name}"
            values = entry if isinstance(entry, Mapping) else {}
            spec = self.bind_plugin(kind, i, name, label, values)
            if spec is not None:
                specs.append(spec)
            else:
                self.placeholders.append(_placeholder(kind, i, values))
        return specs

    def plugin_name(self, kind: PluginKind, index: int, entry: Any) -> str | None:
        name = self.raw.plugin_names.get((kind.value, index))
        if name is None and isinstance(entry, Mapping):
            name = entry.get("plugin_name")
        if not isinstance(name, str) or not name:
            self.issue(
                (kind.value, index),
                f"{kind.value}[{index}]",
                "plugin without a name (expected Name { … }, or plugin_name in the JSON form)",
            )
            return None
        return name

    def bind_plugin(
        self, kind: PluginKind, index: int, name: str, label: str, entry: Mapping[str, Any]
    ) -> PluginSpec | None:
        path: tuple[str | int, ...] = (kind.value, index)
        registered = self.registry.get(kind, name)
        if registered is None:
            self.issue(path, f"{kind.value}.{name}", self.registry.unknown_message(kind, name))
            return None
        if registered.name != name:
            label = label.replace(f".{name}", f".{registered.name}")
        try:
            model = registered.cls.options_model
        except PluginLoadError as exc:  # registered by name, imported only now that a job uses it
            self.issue(path, label, str(exc))
            return None
        values = {k: v for k, v in entry.items() if k not in COMMON_KEYS}
        output, inputs = _wiring(entry)
        ok = True
        if output is not None and not isinstance(output, str):
            self.issue((*path, "plugin_output"), f"{label}.plugin_output", f"got {_describe(output)} (expected a name)")
            ok = False
        if inputs is not None and not (isinstance(inputs, list) and all(isinstance(x, str) for x in inputs)):
            self.issue(
                (*path, "plugin_input"),
                f"{label}.plugin_input",
                f"got {_describe(inputs)} (expected a name or a list of names)",
            )
            ok = False
        if kind == PluginKind.SOURCE and inputs:
            self.issue(
                (*path, "plugin_input"), f"{label}.plugin_input", "a source has no input (expected plugin_output)"
            )
            ok = False
        if kind == PluginKind.SINK and output is not None:
            self.issue(
                (*path, "plugin_output"), f"{label}.plugin_output", "a sink has no output (expected plugin_input)"
            )
            ok = False
        parallelism = entry.get("parallelism")
        if parallelism is not None and (
            not isinstance(parallelism, int) or isinstance(parallelism, bool) or parallelism < 1
        ):
            self.issue(
                (*path, "parallelism"),
                f"{label}.parallelism",
                f"got {_describe(parallelism)} (expected an integer >= 1)",
            )
            ok = False
        options = self.validate(path, label, model, values, COMMON_KEYS)
        if options is None or not ok:
            return None
        return PluginSpec(
            kind=kind,
            index=index,
            name=registered.name,
            plugin=registered,
            options=options,
            raw=dict(values),
            label=label,
            output=output,
            inputs=list(inputs or []),
            parallelism=parallelism,
            line=self.raw.line_of(path),
        )

    def bind(self) -> tuple[JobConfig | None, list[ConfigIssue]]:
        for key in self.raw.data:
            if key not in TOP_LEVEL:
                close = difflib.get_close_matches(key, TOP_LEVEL, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "expected env, source, transform or sink"
                self.issue((key,), key, f"unknown top-level block ({hint})")
        env = self.bind_env()
        sources = self.bind_block(PluginKind.SOURCE)
        transforms = self.bind_block(PluginKind.TRANSFORM)
        sinks = self.bind_block(PluginKind.SINK)
        if env is None:
            return None, self.issues
        job = JobConfig(self.raw.file, env, sources, transforms, sinks, line_of=self.raw.line_of,
                        placeholders=self.placeholders)
        return job, self.issues


def _without(model: type[PluginOptions], values: dict[str, Any], failed: set[str | int]) -> PluginOptions | None:
    """The options without those that failed validation, if the rest is valid (else ``None``).

    Lets the plugin's own checks (a schema's type names, cross-option rules) report their
    problems in the same run as a mistyped option of the same block.
    """
    if not failed:
        return None
    try:
        return model.model_validate({k: v for k, v in values.items() if k not in failed})
    except ValidationError:  # a required option was the one that failed
        return None


def _wiring(entry: Mapping[str, Any]) -> tuple[Any, Any]:
    """``plugin_output`` and ``plugin_input`` as written (old names too); a string input is split on commas."""
    output = entry.get("plugin_output", entry.get("result_table_name"))
    inputs = entry.get("plugin_input", entry.get("source_table_name"))
    if isinstance(inputs, str):
        inputs = [s.strip() for s in inputs.split(",") if s.strip()]
    return output, inputs


def _placeholder(kind: PluginKind, index: int, entry: Mapping[str, Any]) -> Placeholder:
    output, inputs = _wiring(entry)
    return Placeholder(
        kind,
        index,
        output if isinstance(output, str) else None,
        [str(i) for i in inputs] if isinstance(inputs, list) else [],
    )


def bind_job_collecting(raw: RawJob, registry: Registry) -> tuple[JobConfig | None, list[ConfigIssue]]:
    """Validate every block; return the job (with placeholders for failed blocks) and the issues.

    The job is ``None`` only when the ``env`` block itself is unusable.
    """
    return _Binder(raw, registry).bind()


def bind_job(raw: RawJob, registry: Registry) -> JobConfig:
    """Validate every block of ``raw``; raise ``ConfigErrors`` listing every problem."""
    job, issues = bind_job_collecting(raw, registry)
    if issues or job is None:
        raise ConfigErrors(issues)
    return job
