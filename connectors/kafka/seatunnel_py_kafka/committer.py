"""The committer of EXACTLY_ONCE: commits every transaction of a checkpoint, recovers those of a dead process."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from seatunnel_py.api import CommitInfo, Committer, ConnectorError

from .config import redact
from .recovery import TransactionRecovery
from .transactions import SHARED_LEGACY_PREFIX, Decision, Prepared, speaks

if TYPE_CHECKING:
    from .sink import KafkaSink

log = logging.getLogger(__name__)

TRANSACTION_TIMEOUT = 30.0
"""Seconds a transactional call (init, commit, abort) may take."""


class KafkaCommitter(Committer):
    """Commits the transactions writers prepared; recovers those of a process that died."""

    def __init__(self, sink: KafkaSink) -> None:
        self._sink = sink

    def commit(self, infos: list[CommitInfo]) -> None:
        """Commit every transaction, then report the ones that failed in one error.

        A failure never stops the others: they belong to a saved checkpoint, and a
        transaction left open is committed by the next run (``recovery``), whereas one
        aborted is lost.
        """
        failures = []
        for info in infos:
            try:
                self._commit_one(info)
            except ConnectorError as exc:
                failures.append(str(exc))
            except Exception as exc:  # a socket or protocol error of recovery: still commit the others
                failures.append(f"Kafka: transaction {info.get('transactional_id')}: {type(exc).__name__}: {exc}")
        if failures:
            raise ConnectorError(redact(
                f"Kafka: {len(failures)} of {len(infos)} transaction(s) of checkpoint "
                f"{infos[0].get('checkpoint_id')} not committed (the others were; the failed ones stay open for "
                f"the next run to commit): {'; '.join(failures)}", self._sink.options.kafka_config))

    def _checked(self, info: CommitInfo) -> Prepared:
        """The transaction of ``info``, refused unless its id is one this sink's writers use.

        Commit infos come back from the state store, which anyone with access can edit: a
        crafted one must not make this job commit another application's transaction.
        """
        prepared = Prepared.of(info)
        own = (f"{self._sink.transaction_prefix}-", SHARED_LEGACY_PREFIX)
        if not prepared.transactional_id.startswith(own):
            raise ConnectorError(
                f"Kafka: refusing a commit info from the saved state: transactional id {prepared.transactional_id!r} "
                f"is not one of this sink's (prefix {self._sink.transaction_prefix!r}); the state store may have "
                "been edited, or transaction_prefix changed while a transaction was pending")
        return prepared

    def _commit_one(self, info: CommitInfo) -> None:
        """Through the live producer, or over the wire after a restart."""
        prepared = self._checked(info)
        producer = self._sink.pending.pop(prepared.transactional_id, None)
        if producer is not None:
            self._sink.call(producer.commit_transaction, TRANSACTION_TIMEOUT)
            return
        checkpoint = info.get("checkpoint_id")
        if not speaks(self._sink.options.kafka_config):
            log.warning("Kafka: transaction %s of checkpoint %s cannot be checked after a restart (recovery speaks "
                        "PLAINTEXT only, security.protocol is %s): it was committed unless the previous run died "
                        "between saving the checkpoint and committing it", prepared.transactional_id, checkpoint,
                        self._sink.options.kafka_config.get("security.protocol"))
            return
        decision = TransactionRecovery(self._sink.options.bootstrap_servers).commit(prepared)
        if decision == Decision.EXPIRED:
            log.warning("Kafka: transaction %s of checkpoint %s: %s (expired after transactional.id.expiration.ms "
                        "without use); it was committed unless the run that prepared it died before committing "
                        "and no run followed within transaction.timeout.ms", prepared.transactional_id, checkpoint,
                        decision.value)
        elif decision == Decision.MOVED_ON:
            log.info("Kafka: transaction %s of checkpoint %s %s (it ended before)", prepared.transactional_id,
                     checkpoint, decision.value)
        else:
            log.info("Kafka: transaction %s of checkpoint %s %s after a restart", prepared.transactional_id,
                     checkpoint, decision.value)

    def abort(self, infos: list[CommitInfo], last_checkpoint_id: int | None = None) -> None:
        """Abort prepared transactions no saved checkpoint holds (they will never be committed)."""
        for info in infos:
            producer = self._sink.pending.pop(str(info.get("transactional_id")), None)
            if producer is not None:
                try:
                    producer.abort_transaction(TRANSACTION_TIMEOUT)
                except Exception:
                    log.debug("aborting a prepared Kafka transaction failed", exc_info=True)
