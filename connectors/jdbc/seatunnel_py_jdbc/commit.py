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
"""

from __future__ import annotations

import hashlib

from seatunnel_py.api import CommitInfo, Committer, ConnectorError

from .database import Database, open_database
from .urls import Target

CHECKPOINT_TABLE = "seatunnel_sink_checkpoint"


def job_prefix(job_name: str) -> str:
    """Prefix of every transaction id of a job (short: XA ids are at most 64 bytes)."""
    return "st-" + hashlib.sha1(job_name.encode()).hexdigest()[:12] + "-"


def ensure_checkpoint_table(db: Database) -> None:
    """Create the table recording committed checkpoints when missing."""
    if not db.table_exists(CHECKPOINT_TABLE):
        db.execute(f"CREATE TABLE IF NOT EXISTS {db.quote(CHECKPOINT_TABLE)} ("
                   "job_name VARCHAR(255) NOT NULL, task_index INTEGER NOT NULL, checkpoint_id BIGINT NOT NULL, "
                   "xid VARCHAR(64) NOT NULL, PRIMARY KEY (job_name, task_index, checkpoint_id))")


def record_checkpoint(db: Database, job: str, task: int, checkpoint_id: int, xid: str) -> None:
    """Insert the checkpoint row inside the open transaction."""
    name = job.replace("'", "''")
    db.execute(f"INSERT INTO {db.quote(CHECKPOINT_TABLE)} (job_name, task_index, checkpoint_id, xid) "
               f"VALUES ('{name}', {int(task)}, {int(checkpoint_id)}, '{xid}')")


def rollback_leftovers(db: Database, job_name: str) -> list[str]:
    """Roll back the job's prepared transactions that no persisted checkpoint holds."""
    xids = db.prepared_xids(job_prefix(job_name))
    for xid in xids:
        db.rollback_xa(xid)
    return xids


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

    def abort(self, infos: list[CommitInfo]) -> None:
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
