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

from seatunnel_py.api import CommitInfo, Committer, ConnectorError

from .database import Database, open_database
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


def record_checkpoint(db: Database, key: str, task: int, checkpoint_id: int, xid: str) -> None:
    """Insert the checkpoint row (``key`` from ``sink_key``) inside the open transaction."""
    name = key.replace("'", "''")
    db.execute(f"INSERT INTO {db.quote(CHECKPOINT_TABLE)} (job_name, task_index, checkpoint_id, xid) "
               f"VALUES ('{name}', {int(task)}, {int(checkpoint_id)}, '{xid}')")


def rollback_leftovers(db: Database, prefix: str) -> list[str]:
    """Roll back the prepared transactions whose id starts with ``prefix``; returns their ids.

    Called at start-up, after the engine re-committed what the restored checkpoint holds:
    what is still prepared under the prefix belongs to checkpoints never persisted. An id
    that disappears meanwhile (another sink of the job rolling back the same old-format
    ids) is skipped.
    """
    xids = db.prepared_xids(prefix)
    done = []
    for xid in xids:
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
    rollback_leftovers(db, xid_prefix(key))
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


class JdbcCommitter(Committer):
    """Commits the writers' prepared transactions once the checkpoint is persisted."""

    def __init__(self, target: Target, attempts: int = 3) -> None:
        self.target = target
        self.attempts = attempts

    def commit(self, infos: list[CommitInfo]) -> None:
        """COMMIT PREPARED / XA COMMIT every xid; already committed ones are recognised."""
        xids = [str(i["xid"]) for i in infos if i and i.get("xid")]
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
        done = db.scalar(f"SELECT count(*) FROM {db.quote(CHECKPOINT_TABLE)} WHERE xid = '{xid}'")
        if not done:
            raise ConnectorError(f"Jdbc: prepared transaction {xid} is gone and was never committed "
                                 "(rolled back on the server?); its rows are lost")

    def abort(self, infos: list[CommitInfo], last_checkpoint_id: int | None = None) -> None:
        """Roll back prepared transactions that will never be committed."""
        xids = [str(i["xid"]) for i in infos if i and i.get("xid")]
        if not xids:
            return
        db = open_database(self.target)
        try:
            for xid in xids:
                if xid in db.prepared_xids(xid):
                    db.rollback_xa(xid)
        finally:
            db.close()
