"""Which writer index each pipeline task has for each sink, and the saved states that go with it."""

from __future__ import annotations

import logging
from typing import Any

from ..api.sink import Sink
from .guard import guarded
from .plan import Node, Plan
from .restore import position_key
from .state import Checkpoint

log = logging.getLogger(__name__)


class WriterIndexes:
    """Stable writer indexes of a plan, and the writer states of the checkpoint it resumes.

    Writers of a sink are numbered by the sources that reach it, in file order, then by
    task: with two sources of parallelism 2 feeding one sink, the second source's tasks
    write as 2 and 3. The same job and parallelism give every writer the same index (and
    so the same saved state and transaction ids) in every run, whatever order the task
    threads happen to start in.
    """

    def __init__(self, plan: Plan, restored: Checkpoint | None) -> None:
        self.plan = plan
        self.restored = restored

    def index(self, sink: Node, source: Node, task_index: int) -> int:
        """The index of the writer task ``task_index`` of ``source`` has for ``sink``."""
        offset = 0
        for other in self.plan.sources:
            if other is source:
                return offset + task_index
            if sink in self.plan.sinks_reached_from(other):
                offset += self.plan.parallelism_of(other)
        raise ValueError(f"{source.label} does not feed {sink.label}")

    def of_sink(self, sink: Node) -> set[int]:
        """Every writer index ``sink`` has in this run."""
        return {self.index(sink, source, task)
                for source in self.plan.sources if sink in self.plan.sinks_reached_from(source)
                for task in range(self.plan.parallelism_of(source))}

    def writer_for(self, sink: Node, source: Node, task_index: int) -> tuple[int, Any]:
        """``(index, saved state)`` of the writer task ``task_index`` of ``source`` builds for ``sink``."""
        index = self.index(sink, source, task_index)
        saved = (self.restored.writers if self.restored else {}).get(position_key(sink.spec), {})
        return index, saved.get(str(index))

    def release_orphans(self) -> None:
        """Hand each sink the saved writer states of indexes this run does not have (a smaller parallelism)."""
        if self.restored is None:
            return
        for node in self.plan.sinks:
            mine = self.of_sink(node)
            saved = self.restored.writers.get(position_key(node.spec), {})
            orphans = {int(index): state for index, state in saved.items()
                       if int(index) not in mine and state is not None}
            if orphans:
                log.info("%s: %d saved writer state(s) of a larger parallelism are released",
                         node.label, len(orphans))
                sink: Sink = node.plugin  # type: ignore[assignment]
                guarded(node.label, sink.release_writer_states, orphans)
