"""Run a job with one fault placed at a precise point of the Kafka sink: ``python faults.py FAULT JOB [ARG]``.

The tests start this script as a subprocess (the job's state store comes from
``SEATUNNEL_PY_STATE_STORE``). Each fault wraps a connector method, so it fires at an
event of the run, never after a delay:

* ``rendezvous DIR``: after its first write, a writer creates ``DIR/<job file's parent
  folder name>`` and waits (up to 60 s) until every job named in ``DIR/expected`` has done
  the same, so two jobs hold open transactions at the same time;
* ``kill-with-open-transactions``: SIGKILL once a checkpoint was committed and writers 0
  and 1 have both delivered messages into their next, still open, transactions;
* ``fail-first-commit``: the first commit of a checkpoint with two or more transactions
  fails for its first transaction (``commit_transaction`` raises);
* ``kill-after-commit``: SIGKILL right after the first commit returned, before the engine
  records the checkpoint as committed (so the next run commits its infos again);
* ``expired``: the broker answers "unknown transactional id" for every transaction,
  as it does once ``transactional.id.expiration.ms`` has passed.

Exit code: 0 when the job succeeded, 1 when it failed (the error on stderr).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from seatunnel_py_kafka import recovery, sink

from seatunnel_py import run_job
from seatunnel_py.api import ConnectorError


def rendezvous(folder: Path, me: str) -> None:
    original = sink.KafkaWriter.write
    done = threading.Event()

    def write(self: sink.KafkaWriter, batch: Any) -> None:
        original(self, batch)
        if done.is_set():
            return
        done.set()
        (folder / me).touch()
        expected = (folder / "expected").read_text().split()
        deadline = time.monotonic() + 60
        while not all((folder / name).exists() for name in expected) and time.monotonic() < deadline:
            time.sleep(0.02)

    sink.KafkaWriter.write = write  # type: ignore[method-assign]


def kill_with_open_transactions() -> None:
    original_write = sink.KafkaWriter.write
    original_commit = sink.KafkaCommitter.commit
    lock = threading.Lock()
    committed: list[int] = []
    open_since_commit: set[int] = set()

    def commit(self: sink.KafkaCommitter, infos: list[dict[str, Any]]) -> None:
        original_commit(self, infos)
        with lock:
            committed.extend(int(i["checkpoint_id"]) for i in infos)

    def write(self: sink.KafkaWriter, batch: Any) -> None:
        original_write(self, batch)
        with lock:
            if committed and self._written > 0 and self._sequence >= 1:
                self._flush()  # delivered: the broker knows the open transaction
                open_since_commit.add(self._task)
            if {0, 1} <= open_since_commit:
                os.kill(os.getpid(), signal.SIGKILL)

    sink.KafkaWriter.write = write  # type: ignore[method-assign]
    sink.KafkaCommitter.commit = commit  # type: ignore[method-assign]


def fail_first_commit() -> None:
    original_commit = sink.KafkaCommitter.commit
    original_call = sink.KafkaSink.call
    armed: list[bool] = []

    def commit(self: sink.KafkaCommitter, infos: list[dict[str, Any]]) -> None:
        if len(infos) >= 2 and not armed:
            armed.append(True)
        original_commit(self, infos)

    def call(self: sink.KafkaSink, method: Any, *args: Any) -> Any:
        if armed and armed[-1] and getattr(method, "__name__", "") == "commit_transaction":
            armed[-1] = False
            raise ConnectorError("Kafka: injected failure of the first commit")
        return original_call(self, method, *args)

    sink.KafkaCommitter.commit = commit  # type: ignore[method-assign]
    sink.KafkaSink.call = call  # type: ignore[method-assign]


def kill_after_commit() -> None:
    original = sink.KafkaCommitter.commit

    def commit(self: sink.KafkaCommitter, infos: list[dict[str, Any]]) -> None:
        original(self, infos)
        os.kill(os.getpid(), signal.SIGKILL)

    sink.KafkaCommitter.commit = commit  # type: ignore[method-assign]


def expired() -> None:
    def describe(self: recovery.TransactionRecovery, transactional_id: str) -> None:
        return None

    recovery.TransactionRecovery.describe = describe  # type: ignore[assignment, method-assign]


def main(fault: str, job: str, *args: str) -> int:
    if fault == "rendezvous":
        rendezvous(Path(args[0]), Path(job).resolve().parent.name)
    elif fault == "kill-with-open-transactions":
        kill_with_open_transactions()
    elif fault == "fail-first-commit":
        fail_first_commit()
    elif fault == "kill-after-commit":
        kill_after_commit()
    elif fault == "expired":
        expired()
    elif fault != "none":
        raise SystemExit(f"unknown fault {fault}")
    try:
        run_job(job, handle_signals=True)
    except Exception as exc:
        print(f"ERROR job failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
