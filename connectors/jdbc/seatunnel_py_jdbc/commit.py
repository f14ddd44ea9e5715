"""Exactly-once: data and the checkpoint id in one prepared (two-phase) transaction.

Every writer keeps one transaction open between checkpoints. At ``prepare_commit(n)`` it
inserts ``(job, task, n, xid)`` into the checkpoint table inside that transaction and
prepares it (PostgreSQL ``PREPARE TRANSACTION``, MySQL/MariaDB ``XA PREPARE``): the rows
are durable on the server, survive the death of our process, and are invisible. The
committer runs ``COMMIT PREPARED`` / ``XA COMMIT`` only after the engine persisted the
checkpoint. It is idempotent: a transaction no longer prepared whose checkpoint row is in
the table was committed before. On restart the engine re-commits the infos of the last
persisted checkpoint, then ``JdbcSink.prepare`` rolls back every prepared transaction of
the job still left: those belong to checkpoints that were never persisted, and their
batches will be read and written again.

Trust: the commit infos the engine hands back on restart come from the saved state, a
file anyone may edit. The committer acts only on ids in the strict format the sink
generates and with this sink's prefix (``own_xid``); values reach SQL as bound
parameters, and the ids that XA / ``COMMIT PREPARED`` statements must spell out are
checked first (``database.checked_xid``).

Starting over: on a fresh start (nothing restored) the sink forgets its rows in the
checkpoint table once its leftovers are rolled back (``forget_checkpoints``): they only
serve re-committing restored infos, and checkpoint ids restart at 1 when the state is
lost or moved.

Identity: rows and transaction ids belong to one *sink of one job*, named by
``sink_key``: the engine's job key (``context.job_key``: ``job.name``, or the job file
for an unnamed job) and the sink's place in the job (``context.label``). ``job.name``
alone is not enough: every unnamed job is called ``SeaTunnel_Job``, and one job may have
two Jdbc sinks. The previous format (ids ``st-<hash of job.name>-…``, rows keyed by
``job.name``) is still understood: see ``JdbcSink.prepare``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from seatunnel_py.api import CommitInfo, Committer, ConnectorError

from .database import XID, Database, open_database
from .urls import Target

CHECKPOINT_TABLE = "seatunnel_sink_checkpoint"
KEY_LENGTH = 255
"""Width of the checkpoint table's ``job_name`` column, which holds the sink key."""

log = logging.getLogger(__name__)


def sink_key(job_key: str, label: str) -> str:
    """The identity of one sink of one job: ``<job key>/<sink label>``, e.g. ``orders@1a2b3c4d/sink[1].Jdbc``.

    Stored in the checkpoint table's ``job_name`` column (at most 255 characters: a longer
    key keeps its head and ends with a hash of the whole).
    """
    key = f"{job_key}/{label}" if label else job_key
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return f"{key[:KEY_LENGTH - len(digest) - 1]}#{digest}"


def xid_prefix(key: str) -> str:
    """Prefix of every transaction id of one sink key (short: XA ids are at most 64 bytes).

    ``st2-`` sets it apart from the previous format's ``st-`` (see ``legacy_prefix``).
    """
    return "st2-" + hashlib.sha1(key.encode()).hexdigest()[:12] + "-"


def legacy_prefix(job_name: str) -> str:
    """The previous format's prefix: a hash of ``job.name`` alone, shared by every unnamed job."""
    return "st-" + hashlib.sha1(job_name.encode()).hexdigest()[:12] + "-"


def ensure_checkpoint_table(db: Database) -> None:
    """Create the table recording committed checkpoints when missing.

    Two jobs starting at once may both find it missing; PostgreSQL then fails one
    ``CREATE TABLE IF NOT EXISTS`` (a race on its catalog), which is harmless once the
    table exists.
    """
    if db.table_exists(CHECKPOINT_TABLE):
        return
    try:
        db.execute(f"CREATE TABLE IF NOT EXISTS {db.quote(CHECKPOINT_TABLE)} ("
                   f"job_name VARCHAR({KEY_LENGTH}) NOT NULL, task_index INTEGER NOT NULL, "
                   "checkpoint_id BIGINT NOT NULL, xid VARCHAR(64) NOT NULL, "
                   "PRIMARY KEY (job_name, task_index, checkpoint_id))")
    except ConnectorError:
        if not db.table_exists(CHECKPOINT_TABLE):
            raise


_DUPLICATE = re.compile(r"duplicate key|duplicate entry", re.I)


def record_checkpoint(db: Database, key: str, task: int, checkpoint_id: int, xid: str) -> None:
    """Insert the checkpoint row (``key`` from ``sink_key``) inside the open transaction.

    Its values are bound parameters: the key holds the job name as the user wrote it.
    A row already there means the job's state is behind the table (restored from an
    older copy): the error says so and what to do.
    """
    marks = ", ".join(db.mark(n) for n in range(1, 5))
    try:
        db.execute(f"INSERT INTO {db.quote(CHECKPOINT_TABLE)} (job_name, task_index, checkpoint_id, xid) "
                   f"VALUES ({marks})", [key, int(task), int(checkpoint_id), xid])
    except ConnectorError as exc:
        if not _DUPLICATE.search(str(exc)):
            raise
        raise ConnectorError(
            f"Jdbc: checkpoint {checkpoint_id} of sink {key} (task {task}) is already recorded in {CHECKPOINT_TABLE} "
            f"on {db.target.display()} by an earlier run: the job's saved state is older than what this sink "
            "committed (put back from an old copy, or another state store?), so its checkpoint ids repeat. "
            "Nothing of this checkpoint was committed. Run with the job's latest state, or start over with "
            f"--ignore-state (the sink then forgets its rows in {CHECKPOINT_TABLE}; rows earlier runs wrote "
            "stay in the target table)") from None


def forget_checkpoints(db: Database, key: str) -> int:
    """Delete the checkpoint rows of sink ``key``; returns how many there were.

    Called on a fresh start, after the leftovers are rolled back: the rows only let a
    committer recognise a restored info committed before, and a fresh start restores
    none. Checkpoint ids restart at 1 when the job's state is lost or moved; the old rows
    would clash with the new ones on the table's primary key.
    """
    table = db.quote(CHECKPOINT_TABLE)
    row = db.fetch(f"SELECT count(*), min(checkpoint_id), max(checkpoint_id) FROM {table} WHERE job_name = "
                   f"{db.mark(1)}", [key])[0]
    count = int(row[0] or 0)
    if count:
        db.execute(f"DELETE FROM {table} WHERE job_name = {db.mark(1)}", [key])
        log.info("Jdbc: fresh start of sink %s: forgot its %d row(s) of earlier runs in %s on %s (checkpoints "
                 "%s to %s); they only serve re-committing a restored checkpoint, and this run restores none",
                 key, count, CHECKPOINT_TABLE, db.target.display(), row[1], row[2])
    return count


def rollback_leftovers(db: Database, prefix: str) -> list[str]:
    """Roll back the prepared transactions whose id starts with ``prefix``; returns their ids.

    Called at start-up, after the engine re-committed what the restored checkpoint holds:
    what is still prepared under the prefix belongs to checkpoints never persisted. An id
    that disappears meanwhile (another sink of the job rolling back the same old-format
    ids) is skipped; one not in the sink's format is not the sink's and is left alone.
    """
    xids = db.prepared_xids(prefix)
    done = []
    for xid in xids:
        if not XID.fullmatch(xid):
            log.warning("Jdbc: prepared transaction %r on %s starts like this sink's but is not one of its ids; "
                        "left alone", xid[:80], db.target.display())
            continue
        try:
            db.rollback_xa(xid)
        except ConnectorError:
            if xid in db.prepared_xids(xid):
                raise
            continue
        done.append(xid)
    return done


def clear_leftovers(db: Database, key: str, job_key: str, job_name: str) -> None:
    """At start-up: roll back this sink's leftovers, and the previous format's where they are ours.

    A named job (``job_key == job_name``) owns the old ids ``legacy_prefix(job.name)``, as
    the previous version assumed; they are rolled back too, so a job upgraded after a
    crash starts clean. Old ids of unnamed jobs all share ``legacy_prefix("SeaTunnel_Job")``
    and cannot be told apart: they are left alone and named in a warning.
    """
    done = rollback_leftovers(db, xid_prefix(key))
    if done:
        log.info("Jdbc: sink %s: rolled back %d prepared transaction(s) no saved checkpoint holds: %s",
                 key, len(done), ", ".join(done))
    if job_key == job_name:
        old = rollback_leftovers(db, legacy_prefix(job_name))
        if old:
            log.info("Jdbc: rolled back %d prepared transaction(s) of job %r in the previous id format: %s",
                     len(old), job_name, ", ".join(old))
        return
    foreign = db.prepared_xids(legacy_prefix(job_name))
    if foreign:
        statement = "ROLLBACK PREPARED '<id>'" if db.dialect == "postgresql" else "XA ROLLBACK '<id>'"
        log.warning("Jdbc: %s holds %d prepared transaction(s) of an unnamed job of an earlier seatunnel-py "
                    "version (%s); which job they belong to cannot be told, so they are left alone. They hold "
                    "locks and their rows are invisible: once no job of that version runs, end each with %s",
                    db.target.display(), len(foreign), ", ".join(foreign), statement)


def own_prefixes(key: str, job_key: str, job_name: str) -> tuple[str, ...]:
    """The id prefixes of sink ``key``: its own, and the previous format's where a named job owns it."""
    return (xid_prefix(key), legacy_prefix(job_name)) if job_key == job_name else (xid_prefix(key),)


def _refuse(reason: str) -> ConnectorError:
    return ConnectorError(
        f"Jdbc: refusing a commit info from the saved state: {reason}; nothing was committed or rolled back. "
        "The state was edited, or belongs to another job: run with the job's own state, or start over "
        "with --ignore-state")


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def own_xid(info: Any, prefixes: Sequence[str]) -> str | None:
    """The transaction id of a commit info when it is one of this sink's; ``None`` for an empty info.

    Anything else fails: an info that is not a mapping, an id not in the strict format the
    sink generates (``st2-<hash>-<task>-<n>-<run>``) or without one of ``prefixes``, a
    task index or checkpoint id that is not a number or does not match the id.
    """
    if info is None or (isinstance(info, Mapping) and not info):
        return None  # a writer with nothing to commit
    if not isinstance(info, Mapping):
        raise _refuse(f"{type(info).__name__} {str(info)[:80]!r} is not a commit info of the Jdbc sink")
    xid = info.get("xid")
    if not isinstance(xid, str) or not XID.fullmatch(xid):
        raise _refuse(f"{str(xid)[:80]!r} is not a transaction id of the Jdbc sink (st2-<hash>-<task>-<n>-<run>)")
    if not any(xid.startswith(p) for p in prefixes):
        raise _refuse(f"transaction {xid} is not one of this sink's (its ids start with "
                      f"{' or '.join(prefixes)}): it belongs to another job or sink")
    task = info.get("task_index")
    if task is not None and (not _integer(task) or str(task) != xid.rsplit("-", 3)[1]):
        raise _refuse(f"task index {str(task)[:20]!r} does not match transaction {xid}")
    checkpoint = info.get("checkpoint_id")
    if checkpoint is not None and not _integer(checkpoint):
        raise _refuse(f"checkpoint id {str(checkpoint)[:20]!r} of transaction {xid} is not a number")
    return xid


class JdbcCommitter(Committer):
    """Commits the writers' prepared transactions once the checkpoint is persisted.

    ``prefixes`` are the id prefixes of the sink (``own_prefixes``): infos naming any other
    transaction are refused before anything is done.
    """

    def __init__(self, target: Target, attempts: int = 3, prefixes: Sequence[str] = ()) -> None:
        self.target = target
        self.attempts = attempts
        self.prefixes = tuple(prefixes)

    def _xids(self, infos: list[CommitInfo]) -> list[str]:
        """The ids of ``infos``, every one checked first (``own_xid``): all or nothing."""
        xids = [own_xid(info, self.prefixes) for info in infos]
        return [x for x in xids if x is not None]

    def commit(self, infos: list[CommitInfo]) -> None:
        """COMMIT PREPARED / XA COMMIT every xid; already committed ones are recognised."""
        xids = self._xids(infos)
        if not xids:
            return
        db = open_database(self.target)
        try:
            for xid in xids:
                self._commit_one(db, xid)
        finally:
            db.close()

    def _commit_one(self, db: Database, xid: str) -> None:
        error: ConnectorError | None = None
        for _ in range(self.attempts):
            try:
                if db.commit_xa(xid):
                    return
                break
            except ConnectorError as exc:
                error = exc
        if error is not None:
            raise error
        done = db.scalar(f"SELECT count(*) FROM {db.quote(CHECKPOINT_TABLE)} WHERE xid = {db.mark(1)}", [xid])
        if not done:
            raise ConnectorError(f"Jdbc: prepared transaction {xid} is gone and was never committed "
                                 "(rolled back on the server?); its rows are lost")

    def abort(self, infos: list[CommitInfo], last_checkpoint_id: int | None = None) -> None:
        """Roll back prepared transactions that will never be committed."""
        xids = self._xids(infos)
        if not xids:
            return
        db = open_database(self.target)
        try:
            for xid in xids:
                if xid in db.prepared_xids(xid):
                    db.rollback_xa(xid)
        finally:
            db.close()
