"""What a saved transaction is and what recovery does with it: pure data and decisions.

A writer describes its open transaction when it hands it to the committer and keeps the
coordinator's producer id, epoch and start time in the commit info (``Prepared``). After
a restart, ``decide`` compares them with what the coordinator says of the id now
(``TransactionState``, read by ``recovery``): commit it, leave it alone, or report it
lost. ``speaks`` tells whether recovery can reach the brokers at all.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

COMMITTED_STATES = ("PrepareCommit", "CompleteCommit")
ABORTED_STATES = ("PrepareAbort", "CompleteAbort")

SHARED_LEGACY_PREFIX = "SeaTunnel-SeaTunnel_Job-"
"""The default prefix of every unnamed job before it was derived from the job key: shared
by unrelated jobs, so its ids are never fenced on another job's behalf."""


@dataclass(frozen=True)
class TransactionState:
    """What the coordinator knows about a transactional id."""

    state: str
    producer_id: int
    producer_epoch: int
    started_ms: int = -1
    """When the coordinator saw the transaction's first partition (epoch ms, -1 when none)."""


@dataclass(frozen=True)
class Prepared:
    """A transaction as its writer handed it to the committer (the commit info).

    ``producer_id``, ``producer_epoch`` and ``started_ms`` are what the coordinator said
    of the open transaction at ``prepare_commit``; ``None`` when it could not be asked
    (a checkpoint of an older version, or a protocol ``recovery`` does not speak).
    """

    transactional_id: str
    producer_id: int | None = None
    producer_epoch: int | None = None
    started_ms: int | None = None

    @classmethod
    def of(cls, info: Mapping[str, Any]) -> Prepared:
        """Read a commit info (keys ``transactional_id``, ``producer_id``, ``producer_epoch``, ``started_ms``)."""
        def number(key: str) -> int | None:
            value = info.get(key)
            return None if value is None else int(value)

        return cls(str(info["transactional_id"]), number("producer_id"), number("producer_epoch"),
                   number("started_ms"))

    @property
    def verifiable(self) -> bool:
        """True when the producer id and epoch were recorded."""
        return self.producer_id is not None and self.producer_epoch is not None


class Decision(enum.Enum):
    """What recovery does with a saved transaction, given what the coordinator says now."""

    COMMIT = "committed"
    ALREADY_COMMITTED = "already committed"
    MOVED_ON = "left alone: its transactional id has been used by a newer producer since"
    EXPIRED = "left alone: the broker no longer knows its transactional id"
    LOST = "lost"


def decide(prepared: Prepared, now: TransactionState | None) -> Decision:
    """Compare the recorded transaction with the coordinator's state of its id.

    * unknown id: ``EXPIRED``, the id was unused for ``transactional.id.expiration.ms``;
      whether this transaction was committed can no longer be told (it was, unless the
      run that prepared it died before committing and no run came within
      ``transaction.timeout.ms``);
    * the recorded producer id and epoch: ``COMMIT`` when ongoing, ``ALREADY_COMMITTED``
      when committed, ``LOST`` when aborted;
    * the recorded producer id, the next epoch, aborted, same start time: the broker
      aborted this transaction when it timed out (and bumped the epoch): ``LOST``;
    * anything else: a newer producer took the id, which this job's writers do only after
      the transaction was committed: ``MOVED_ON``, and the id is not touched (committing
      would publish someone else's messages).

    A commit info without producer id and epoch (written by an older version) is judged
    by the state alone, as before: ongoing is committed, aborted is a loss.
    """
    if now is None or now.state == "Dead":
        return Decision.EXPIRED
    if not prepared.verifiable:
        if now.state == "Ongoing":
            return Decision.COMMIT
        if now.state in COMMITTED_STATES:
            return Decision.ALREADY_COMMITTED
        return Decision.LOST if now.state in ABORTED_STATES else Decision.MOVED_ON
    if (now.producer_id, now.producer_epoch) == (prepared.producer_id, prepared.producer_epoch):
        if now.state == "Ongoing":
            return Decision.COMMIT
        return Decision.ALREADY_COMMITTED if now.state in COMMITTED_STATES else Decision.LOST
    assert prepared.producer_epoch is not None
    timed_out = (now.producer_id == prepared.producer_id and now.producer_epoch == prepared.producer_epoch + 1
                 and now.state in ABORTED_STATES and now.started_ms == prepared.started_ms)
    return Decision.LOST if timed_out else Decision.MOVED_ON


def speaks(kafka_config: Mapping[str, Any]) -> bool:
    """True when recovery can reach the brokers: ``security.protocol`` unset or PLAINTEXT."""
    return str(kafka_config.get("security.protocol", "plaintext")).strip().lower() == "plaintext"
