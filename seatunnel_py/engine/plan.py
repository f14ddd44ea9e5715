"""Plan a job: wire plugins by name into a DAG, resolve schemas, check capabilities.

Wiring follows SeaTunnel: ``plugin_output`` names a plugin's output and ``plugin_input``
names what it reads (older ``result_table_name`` / ``source_table_name`` too). Without
names a chain is linear: the first transform reads the source, each transform the one
before it, and every sink reads the last transform (or, without transforms, every
source). Planning builds the plugins and asks for their schemas, but never connects.
"""

from __future__ import annotations

import difflib
import functools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ..api.capabilities import Capability
from ..api.context import PluginContext
from ..api.errors import ConnectorError, OptionError, PlanError
from ..api.plugin import Plugin
from ..api.sink import Sink
from ..config.issues import ConfigErrors, ConfigIssue, option_label
from ..config.job import JobConfig, Placeholder, PluginSpec
from ..registry import PluginKind
from .failures import JobFailed
from .restore import state_key

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Node:
    """A plugin in the plan with its schemas and the nodes that read its output."""

    spec: PluginSpec
    plugin: Plugin
    output_schema: pa.Schema | None = None
    input_schema: pa.Schema | None = None
    consumers: list[Node] = field(default_factory=list)
    producers: list[Node] = field(default_factory=list)

    @property
    def label(self) -> str:
        """Where the node stands in the job file."""
        return self.spec.label

    def downstream(self) -> list[Node]:
        """Every node that reads this node's output, directly or not, nearest first."""
        out: list[Node] = []
        queue = list(self.consumers)
        while queue:
            node = queue.pop(0)
            if node not in out:
                out.append(node)
                queue.extend(node.consumers)
        return out


@dataclass
class Plan:
    """A job ready to run."""

    job: JobConfig
    run_id: str
    sources: list[Node]
    transforms: list[Node]
    sinks: list[Node]
    warnings: list[str] = field(default_factory=list)

    def parallelism_of(self, source: Node) -> int:
        """Pipeline tasks for a source: its own ``parallelism``, else ``env.parallelism``."""
        return source.spec.parallelism or self.job.env.parallelism

    def sinks_reached_from(self, source: Node) -> list[Node]:
        """Every sink downstream of ``source``, in file order."""
        sinks = [n for n in source.downstream() if n.spec.kind == PluginKind.SINK]
        return sorted(sinks, key=lambda n: n.spec.index)


class _Planner:
    def __init__(self, job: JobConfig, run_id: str, restored_checkpoint_id: int | None = None) -> None:
        self.job = job
        self.run_id = run_id
        self.restored_checkpoint_id = restored_checkpoint_id
        self.issues: list[ConfigIssue] = []
        self.warnings: list[str] = []
        self.dead: set[str] = set()
        """Output names of plugins that could not be planned."""
        self.unreachable: JobFailed | None = None
        """The first plugin that could not reach its server while planning (e.g. to read a schema)."""

    def issue(self, spec: PluginSpec, option: tuple[str | int, ...], message: str) -> None:
        path = (spec.kind.value, spec.index, *option)
        line = self.job.line_of(path) if self.job.line_of else spec.line
        self.issues.append(
            ConfigIssue(self.job.file, line, option_label(spec.label, option), message)
        )

    def context(self, spec: PluginSpec) -> PluginContext:
        return PluginContext(
            job_name=self.job.env.job_name,
            job_key=state_key(self.job),
            job_mode="STREAMING" if self.job.env.job_mode.value == "STREAMING" else "BATCH",
            label=spec.label,
            parallelism=spec.parallelism or self.job.env.parallelism,
            work_dir=self.job.work_dir,
            run_id=self.run_id,
            restored_checkpoint_id=self.restored_checkpoint_id,
        )

    def build(self, spec: PluginSpec) -> Plugin | None:
        plugin: Plugin | None = self.guarded(spec, "building the plugin",
                                             lambda: spec.plugin.cls(spec.options, self.context(spec)))
        return plugin

    def guarded(self, spec: PluginSpec, what: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except OptionError as exc:
            self.issue(spec, exc.option, exc.message)
        except PlanError as exc:
            self.issue(spec, (), str(exc))
        except ConnectorError as exc:  # the server said no: not a job-file problem (exit 1, not 2)
            if self.unreachable is None:
                self.unreachable = JobFailed(spec.label, exc)
        except Exception as exc:  # a plugin bug must still be reported as a located error
            log.debug("%s: %s failed", spec.label, what, exc_info=True)
            self.issue(spec, (), f"{what} failed: {type(exc).__name__}: {exc}")
        return None

    def plan(self, prior: list[ConfigIssue]) -> Plan:
        job = self.job
        names: dict[str, Node] = {}
        sources: list[Node] = []
        for placeholder in job.placeholders:
            if placeholder.kind == PluginKind.SOURCE:
                self.dead.add(placeholder.output or f"__source_{placeholder.index}")
        for spec in job.sources:
            plugin = self.build(spec)
            if plugin is None:
                self.dead.add(spec.output or f"__source_{spec.index}")
                continue
            node = Node(spec, plugin)
            node.output_schema = self.guarded(spec, "output_schema", plugin.output_schema)  # type: ignore[attr-defined]
            sources.append(node)
            self.register_output(names, node, spec.output or f"__source_{spec.index}")
        transforms = self.plan_transforms(names, sources)
        sinks = self.plan_sinks(names, sources, transforms)
        self.check_modes(sources)
        for node in [*sources, *transforms]:
            if not node.consumers:
                self.warnings.append(f"{node.label}: its output is not read by any transform or sink")
        if self.issues or prior:
            raise ConfigErrors([*prior, *self.issues])
        if self.unreachable is not None:
            raise self.unreachable
        return Plan(job, self.run_id, sources, transforms, sinks, self.warnings)

    def register_output(self, names: dict[str, Node], node: Node, name: str) -> None:
        if name in names:
            self.issue(node.spec, ("plugin_output",), f"the name {name!r} is already the output of {names[name].label}")
            return
        names[name] = node

    def resolve(self, spec: PluginSpec, names: dict[str, Node], name: str) -> Node | None:
        node = names.get(name)
        if node is None and name not in self.dead:
            visible = sorted(n for n in [*names, *self.dead] if not n.startswith("__"))
            close = difflib.get_close_matches(name, visible, n=1)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else f"expected one of: {', '.join(visible) or 'no named outputs'}"
            )
            self.issue(spec, ("plugin_input",), f"no source or transform has plugin_output = {name!r} ({hint})")
        return node

    def _kill(self, item: PluginSpec | Placeholder) -> None:
        """``item`` cannot be planned: downstream plugins are skipped without reports."""
        self.dead.add(item.output or f"__{item.kind.value}_{item.index}")

    def plan_transforms(self, names: dict[str, Node], sources: list[Node]) -> list[Node]:
        job = self.job
        blocks = [p for p in job.placeholders if p.kind == PluginKind.TRANSFORM]
        pending: list[PluginSpec | Placeholder] = sorted([*job.transforms, *blocks], key=lambda t: t.index)
        source_count = len(job.sources) + sum(1 for p in job.placeholders if p.kind == PluginKind.SOURCE)
        previous: Node | None = sources[0] if len(sources) == 1 and source_count == 1 else None
        previous_dead = source_count == 1 and not sources
        if source_count > 1 and pending and not pending[0].inputs:
            if isinstance(pending[0], PluginSpec):
                self.issue(pending[0], ("plugin_input",), "the job has several sources: name the input "
                           "(expected plugin_input to name one of their plugin_output names)")
            for item in pending:
                self._kill(item)
            return []
        done: list[Node] = []
        progress = True
        while pending and progress:
            progress = False
            for item in list(pending):
                wanted = item.inputs[0] if item.inputs else None
                if wanted is not None and wanted not in names and wanted not in self.dead and any(
                    p.output == wanted for p in pending if p is not item
                ):
                    continue  # produced by a transform planned later in this loop
                pending.remove(item)
                progress = True
                if isinstance(item, Placeholder) or (wanted is not None and wanted in self.dead) or (
                    wanted is None and previous_dead
                ):
                    self._kill(item)
                    previous, previous_dead = None, True
                    continue
                if len(item.inputs) > 1:
                    self.issue(item, ("plugin_input",), "a transform reads exactly one input")
                    self._kill(item)
                    continue
                node = self.plan_transform(item, names, previous)
                if node is None:
                    self._kill(item)
                    previous, previous_dead = None, True
                    continue
                done.append(node)
                previous, previous_dead = node, False
        for item in pending:
            if isinstance(item, PluginSpec):
                self.issue(item, ("plugin_input",), "its input is produced by itself through a cycle of transforms")
        return done

    def plan_transform(self, spec: PluginSpec, names: dict[str, Node], previous: Node | None) -> Node | None:
        upstream = self.resolve(spec, names, spec.inputs[0]) if spec.inputs else previous
        plugin = self.build(spec)
        if upstream is None or plugin is None:
            return None
        node = Node(spec, plugin, input_schema=upstream.output_schema, producers=[upstream])
        upstream.consumers.append(node)
        if upstream.output_schema is not None:
            node.output_schema = self.guarded(
                spec, "output_schema", functools.partial(plugin.output_schema, upstream.output_schema)  # type: ignore[attr-defined]
            )
        self.register_output(names, node, spec.output or f"__transform_{spec.index}")
        return node

    def default_sink_inputs(self, sources: list[Node], transforms: list[Node]) -> list[Node] | None:
        """What a sink without ``plugin_input`` reads; ``None`` when that plugin failed."""
        job = self.job
        blocks = [p for p in job.placeholders if p.kind == PluginKind.TRANSFORM]
        indexes = [t.index for t in job.transforms] + [p.index for p in blocks]
        if indexes:
            last = max(indexes)
            node = next((t for t in transforms if t.spec.index == last), None)
            return [node] if node is not None else None
        if len(sources) < len(job.sources) or any(p.kind == PluginKind.SOURCE for p in job.placeholders):
            return None
        return list(sources)

    def plan_sinks(self, names: dict[str, Node], sources: list[Node], transforms: list[Node]) -> list[Node]:
        sinks = []
        for spec in self.job.sinks:
            plugin = self.build(spec)
            if plugin is None:
                continue
            if spec.inputs:
                if any(name in self.dead for name in spec.inputs):
                    continue
                upstreams = [n for n in (self.resolve(spec, names, name) for name in spec.inputs) if n]
            else:
                found = self.default_sink_inputs(sources, transforms)
                if found is None:
                    continue
                upstreams = found
            node = Node(spec, plugin, producers=upstreams)
            self.check_sink_inputs(node, plugin, upstreams)  # type: ignore[arg-type]
            for upstream in upstreams:
                upstream.consumers.append(node)
            sinks.append(node)
        return sinks

    def check_sink_inputs(self, node: Node, plugin: Sink, upstreams: list[Node]) -> None:
        spec = node.spec
        schemas = [u.output_schema for u in upstreams if u.output_schema is not None]
        if not schemas:
            return
        node.input_schema = schemas[0]
        multi = Capability.MULTI_TABLE in spec.plugin.cls.capabilities
        if not multi and any(not s.equals(schemas[0]) for s in schemas[1:]):
            self.issue(spec, ("plugin_input",), "its inputs have different schemas and this sink "
                       "writes one table (expected inputs with the same columns)")
        for schema in schemas if multi else schemas[:1]:
            self.guarded(spec, "check_input", functools.partial(plugin.check_input, schema))

    def check_modes(self, sources: list[Node]) -> None:
        streaming = self.job.env.job_mode.value == "STREAMING"
        for node in sources:
            capabilities = node.spec.plugin.cls.capabilities
            if streaming and Capability.UNBOUNDED not in capabilities:
                self.issue(node.spec, (), "this source cannot read continuously, so it cannot run in STREAMING "
                           "mode (expected job.mode = BATCH in env)")
            elif streaming and Capability.RESUMABLE not in capabilities:
                self.issue(node.spec, (), "this source cannot resume from a checkpoint, so a stopped STREAMING "
                           "job would lose or repeat data (expected a resumable source, or BATCH)")
            elif not streaming and Capability.BOUNDED not in capabilities:
                self.issue(node.spec, (), "this source cannot end, so it cannot run in BATCH mode "
                           "(expected job.mode = STREAMING in env)")


def build_plan(
    job: JobConfig,
    run_id: str | None = None,
    prior: list[ConfigIssue] | None = None,
    restored_checkpoint_id: int | None = None,
) -> Plan:
    """Plan ``job``; raise ``ConfigErrors`` listing every wiring or schema problem.

    ``prior`` are problems found while binding (the job then has placeholders for the
    blocks that failed); they are raised together with the planning problems.
    """
    return _Planner(job, run_id or uuid.uuid4().hex[:12], restored_checkpoint_id).plan(prior or [])

