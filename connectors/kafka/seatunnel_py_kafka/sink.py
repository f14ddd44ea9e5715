"""The Kafka sink: bulk-encoded values, NON / AT_LEAST_ONCE / EXACTLY_ONCE (a transaction per checkpoint)."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from seatunnel_py.api import (
    Capability,
    CommitInfo,
    Committer,
    ConnectorError,
    OptionError,
    PluginContext,
    Sink,
    SinkWriter,
)
from seatunnel_py.api.rowkind import ROW_KIND_COLUMN

from .client import ErrorLatch, base_config, describe, kafka, make_client
from .committer import TRANSACTION_TIMEOUT, KafkaCommitter
from .config import redact
from .options import KafkaSinkOptions, MessageFormat, Semantics
from .producing import DeliveryLatch, Router, produce_all
from .recovery import TransactionRecovery
from .transactions import SHARED_LEGACY_PREFIX, speaks

log = logging.getLogger(__name__)

TRANSACTION_POOL = 3
"""Transactional ids per task, used in turn: checkpoints complete one at a time and a
checkpoint's transaction is committed before the next checkpoint starts, so the id a
writer takes again was committed two checkpoints earlier (and the broker keeps a few
ids per task instead of one per checkpoint)."""




def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text) or "job"


def pool(prefix: str, task: int) -> list[str]:
    """Every transactional id writer ``task`` uses in turn."""
    return [f"{prefix}-{task}-{n}" for n in range(TRANSACTION_POOL)]


class KafkaWriter(SinkWriter):
    """Produces one task's rows; EXACTLY_ONCE opens a transaction per checkpoint."""

    def __init__(self, sink: KafkaSink, task_index: int, schema: pa.Schema, state: dict[str, Any] | None) -> None:
        self._sink = sink
        self._options = sink.options
        self._task = task_index
        self._schema = schema
        state = state or {}
        self._sequence = int(state.get("sequence", 0))
        self._prefix = sink.transaction_prefix
        self._transactional = self._options.semantics == Semantics.EXACTLY_ONCE
        self._delivery = DeliveryLatch()
        self._errors = ErrorLatch()
        self._producer: Any = None
        self._transaction_id: str | None = None
        self._router: Router | None = None
        self._written = 0
        if self._transactional:  # fence now: aborts what a dead writer of this task left open
            self._producer = self._open()
            stale = [t for t in pool(self._prefix, task_index) if t != self._transaction_id]
            previous = str(state.get("transaction_prefix") or self._prefix)
            if previous != self._prefix and not previous.startswith(SHARED_LEGACY_PREFIX):
                stale += pool(previous, task_index)  # the prefix changed: the old ids may hold open ones
            sink.fence(stale)

    def _open(self) -> Any:
        config = self._sink.producer_config(self._delivery, self._errors)
        if self._transactional:
            self._transaction_id = f"{self._prefix}-{self._task}-{self._sequence % TRANSACTION_POOL}"
            config["transactional.id"] = self._transaction_id
        producer = make_client("producer", config, self._options.kafka_config)
        if self._transactional:
            self._sink.call(producer.init_transactions, TRANSACTION_TIMEOUT)
            self._sink.call(producer.begin_transaction)
        if self._router is None:
            self._router = Router(self._options, self._schema, producer)
        self._router.producer = producer
        return producer

    def write(self, batch: pa.RecordBatch) -> None:
        """Encode ``batch`` in bulk and hand every message to librdkafka."""
        if batch.num_rows == 0:
            return
        if self._producer is None:
            self._producer = self._open()
        assert self._router is not None
        produce_all(self._producer, self._router.messages(batch))
        self._written += batch.num_rows
        self._check()

    def _check(self) -> None:
        failure = self._delivery.error or self._errors.error
        if failure is not None:
            raise ConnectorError(redact(f"Kafka: writing to {self._options.bootstrap_servers} failed: "
                                        f"{describe(failure)}", self._options.kafka_config))

    def _flush(self) -> None:
        if self._producer is None:
            return
        remaining = self._producer.flush(self._sink.flush_timeout)
        self._check()
        if remaining:
            raise ConnectorError(f"Kafka: {remaining} message(s) not delivered to {self._options.bootstrap_servers} "
                                 f"within {self._sink.flush_timeout:.0f} s (message.timeout.ms)")

    def prepare_commit(self, checkpoint_id: int) -> CommitInfo | None:
        """Flush; EXACTLY_ONCE hands the open transaction to the committer and starts the next one lazily."""
        if self._options.semantics == Semantics.NON:
            return None
        self._flush()
        if not self._transactional or self._producer is None or self._written == 0:
            return None  # an empty transaction stays open for the next checkpoint
        assert self._transaction_id is not None
        info: CommitInfo = {"transactional_id": self._transaction_id, "checkpoint_id": checkpoint_id,
                            "rows": self._written, **self._sink.identify(self._transaction_id)}
        self._sink.pending[self._transaction_id] = self._producer
        self._producer, self._transaction_id, self._written = None, None, 0
        self._sequence += 1
        return info

    def snapshot(self, checkpoint_id: int) -> dict[str, Any] | None:
        """EXACTLY_ONCE: the transactional id prefix and the sequence number of the next transaction."""
        if not self._transactional:
            return None
        return {"transaction_prefix": self._prefix, "sequence": self._sequence}

    def abort(self) -> None:
        """Abort the open transaction (EXACTLY_ONCE) or drop queued messages."""
        producer, self._producer = self._producer, None
        if producer is None:
            return
        try:
            if self._transactional:
                producer.abort_transaction(TRANSACTION_TIMEOUT)
            else:
                producer.purge()
        except Exception:  # the failure that caused the abort is what the user must see
            log.debug("aborting a Kafka producer failed", exc_info=True)

    def close(self) -> None:
        """NON: deliver what is queued; EXACTLY_ONCE: abort rows written after the last checkpoint."""
        if self._producer is None:
            return
        if self._transactional:
            self.abort()
            return
        try:
            self._flush()
        finally:
            self._producer = None


class KafkaSink(Sink[KafkaSinkOptions]):
    """Writes rows as Kafka messages (json, text, canal_json, debezium_json or native).

    ``semantics``: NON hands messages to librdkafka and flushes at the end;
    AT_LEAST_ONCE flushes at every checkpoint; EXACTLY_ONCE writes each task's messages of
    a checkpoint in one Kafka transaction (``transactional.id`` =
    ``<transaction_prefix>-<task>-<n mod 3>``) that the committer commits once the checkpoint
    is persisted, and that a restarted job commits over the wire if the process died in
    between (see ``recovery``).
    """

    name = "Kafka"
    description = "Write Kafka messages (json, text, canal_json, debezium_json, native); exactly once with transactions"
    options_model = KafkaSinkOptions
    capabilities = frozenset({Capability.EXACTLY_ONCE, Capability.AT_LEAST_ONCE, Capability.ROW_KINDS})

    def __init__(self, options: KafkaSinkOptions, context: PluginContext) -> None:
        super().__init__(options, context)
        # the job key, not job.name: every unnamed job is "SeaTunnel_Job", and two jobs
        # sharing transactional ids fence (abort) each other's transactions
        self.transaction_prefix = options.transaction_prefix or (
            f"SeaTunnel-{_safe(context.job_key)}-{_safe(context.label or 'sink')}")
        self.pending: dict[str, Any] = {}
        self.flush_timeout = float(options.kafka_config.get("delivery.timeout.ms",
                                                            options.kafka_config.get("message.timeout.ms", 120000)))
        self.flush_timeout = self.flush_timeout / 1000 + 5
        self._lock = threading.Lock()

    def check_input(self, schema: pa.Schema) -> None:
        """Plan time: routing, key and native columns exist."""
        names = [n for n in schema.names if n != ROW_KIND_COLUMN]
        opts = self.options
        field = opts.routing_field()
        if field is not None and field not in names:
            raise OptionError("topic", f"unknown field {field!r} in ${{{field}}} (input columns: {', '.join(names)})")
        for key in opts.partition_key_fields or []:
            if key not in names:
                raise OptionError("partition_key_fields", f"unknown field {key!r} (input columns: {', '.join(names)})")
        if opts.format_ == MessageFormat.NATIVE and "value" not in names:
            raise OptionError("format", "native needs a 'value' column (and optionally key, headers, partition)")
        if opts.semantics == Semantics.EXACTLY_ONCE and not speaks(opts.kafka_config):
            log.warning("%s: semantics = EXACTLY_ONCE with security.protocol = %s: if the job dies between saving a "
                        "checkpoint and committing its Kafka transactions, the next run cannot commit them (crash "
                        "recovery speaks PLAINTEXT only) and that checkpoint's messages are lost; the normal commit "
                        "path works with any protocol", self.context.label or "sink.Kafka",
                        opts.kafka_config.get("security.protocol"))

    def producer_config(self, delivery: DeliveryLatch, errors: ErrorLatch) -> dict[str, Any]:
        """librdkafka producer settings: Java's murmur2 partitioner, only failed deliveries reported."""
        config = base_config(
            self.options.bootstrap_servers, self.options.kafka_config,
            **{"partitioner": "murmur2_random", "linger.ms": 20, "batch.size": 1_000_000,
               "queue.buffering.max.kbytes": 65536, "delivery.report.only.error": True,
               "socket.connection.setup.timeout.ms": 10000})
        if self.options.semantics != Semantics.NON:
            config.setdefault("enable.idempotence", True)
        if self.options.semantics == Semantics.EXACTLY_ONCE:
            config.setdefault("transaction.timeout.ms", 900000)
        config["on_delivery"] = delivery
        config["error_cb"] = errors
        return config

    def call(self, method: Any, *args: Any) -> Any:
        """Call a transactional producer method; a KafkaException becomes one line."""
        try:
            return method(*args)
        except kafka().KafkaException as exc:
            raise ConnectorError(redact(f"Kafka: transaction on {self.options.bootstrap_servers} failed: "
                                        f"{describe(exc)}", self.options.kafka_config)) from None

    def identify(self, transactional_id: str) -> dict[str, int]:
        """The coordinator's producer id, epoch and start time of the open transaction ``transactional_id``.

        Kept in the commit info so that a restarted job commits exactly this transaction
        (``recovery.decide``). Empty when recovery cannot ask (SSL/SASL) or the broker did
        not answer: such a transaction is recovered without that check.
        """
        if not speaks(self.options.kafka_config):
            return {}
        try:
            state = TransactionRecovery(self.options.bootstrap_servers).describe(transactional_id)
        except Exception as exc:  # socket, protocol or broker error: the commit path does not depend on it
            log.warning("Kafka: cannot describe transaction %s (%s); a restart will commit it without checking "
                        "its producer epoch", transactional_id, exc)
            return {}
        if state is None or state.state != "Ongoing":
            log.warning("Kafka: transaction %s is %s at prepare time, not Ongoing", transactional_id,
                        "unknown" if state is None else state.state)
            return {}
        return {"producer_id": state.producer_id, "producer_epoch": state.producer_epoch,
                "started_ms": state.started_ms}

    def fence(self, transactional_ids: Iterable[str]) -> None:
        """``init_transactions`` on each id (in parallel): aborts what was left open under it."""
        ids = list(transactional_ids)
        if not ids:
            return
        errors: list[BaseException] = []

        def one(transactional_id: str) -> None:
            try:
                config = self.producer_config(DeliveryLatch(), ErrorLatch())
                config["transactional.id"] = transactional_id
                producer = make_client("producer", config, self.options.kafka_config)
                self.call(producer.init_transactions, TRANSACTION_TIMEOUT)
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=one, args=(t,), name=f"kafka-fence-{t}", daemon=True) for t in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        log.debug("Kafka: fenced %s", ", ".join(ids))

    def release_writer_states(self, states: dict[int, dict[str, Any]]) -> None:
        """Fence every transactional id of writers this run does not have (parallelism shrank).

        Their transactions of the restored checkpoint were committed before this call;
        what they had open after it is aborted here instead of lingering until
        ``transaction.timeout.ms`` and holding read_committed consumers back.
        """
        if self.options.semantics != Semantics.EXACTLY_ONCE:
            return
        ids: list[str] = []
        for task, state in sorted(states.items()):
            prefix = str((state or {}).get("transaction_prefix") or self.transaction_prefix)
            if prefix != self.transaction_prefix and prefix.startswith(SHARED_LEGACY_PREFIX):
                continue
            ids += pool(prefix, task)
            if prefix != self.transaction_prefix:
                ids += pool(self.transaction_prefix, task)
        self.fence(ids)
        log.info("Kafka: transactional ids of %d writer(s) no longer in the job fenced", len(states))

    def create_writer(self, task_index: int, schema: pa.Schema, state: dict[str, Any] | None = None) -> SinkWriter:
        """A writer for task ``task_index``; EXACTLY_ONCE resumes its transaction sequence from ``state``."""
        kafka()
        return KafkaWriter(self, task_index, schema, state)

    def create_committer(self) -> Committer | None:
        """EXACTLY_ONCE: the committer of the writers' transactions."""
        if self.options.semantics != Semantics.EXACTLY_ONCE:
            return None
        return KafkaCommitter(self)

    def finish(self, success: bool, last_checkpoint_id: int | None = None) -> None:
        """Leave still pending transactions open: they belong to a saved checkpoint.

        Transactions prepared for a checkpoint that was not saved went through the
        committer's ``abort``; what is left was saved and not committed (a commit failed,
        or the job failed before committing), and only the next run may commit it.
        """
        if self.pending:
            log.warning("Kafka: %d transaction(s) of a saved checkpoint left open for the next run to commit: %s",
                        len(self.pending), ", ".join(sorted(self.pending)))
        self.pending.clear()
