"""The state-store contract and the choice of a store by URL."""

from __future__ import annotations

import os
import re
import socket
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote

from ...api.errors import SeaTunnelError
from ..failures import describe
from .model import Checkpoint, StateError, StateLocked

LEGACY_STATE_DIR = Path(".seatunnel-py") / "state"
"""Where state lived by default before 0.2: under the working directory (see ``default_state_dir``)."""


def default_state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where state lives when nothing else is said: ``$XDG_STATE_HOME/seatunnel-py/state``.

    ``XDG_STATE_HOME`` defaults to ``~/.local/state``. It does not depend on the working
    directory, so a job file run from any folder finds its state (and its run lock).
    """
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base).expanduser() / "seatunnel-py" / "state"


def is_url(location: str) -> bool:
    """True for ``scheme:…`` locations (SQL and object stores), false for plain paths."""
    return bool(re.match(r"^[A-Za-z][\w+.-]*:", location)) and not re.match(r"^[A-Za-z]:[\\/]", location)

STATE_STORE_ENV = "SEATUNNEL_PY_STATE_STORE"
"""Environment variable naming the state store (below ``--state-store``, above the default)."""

OBJECT_STORE_SCHEMES = ("s3", "gs", "gcs", "hdfs", "viewfs", "abfs", "abfss", "file")
SQL_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb")


def job_key(job_name: str) -> str:
    """A file-name-safe, reversible key for a job name."""
    return quote(job_name, safe="") or "%00"


def job_from_key(key: str) -> str:
    """The job name behind ``job_key``."""
    return "" if key == "%00" else unquote(key)


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***``."""
    return re.sub(r"(://[^/:@]*:)[^@/]*@", r"\1***@", url)


def owner_id() -> str:
    """Who holds a lock: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


class StateStore(ABC):
    """Where checkpoints of jobs are saved; one record per job name, replaced atomically.

    Implementations: a local directory (default), a SQL database through SQLAlchemy,
    and object stores through ``pyarrow.fs``.
    """

    url: str
    """The store's address with secrets masked (safe to print)."""

    @abstractmethod
    def load(self, job_name: str) -> Checkpoint | None:
        """The last saved checkpoint of ``job_name``, or ``None``; ``StateError`` if unusable."""

    @abstractmethod
    def save(self, checkpoint: Checkpoint) -> int | None:
        """Replace the job's saved checkpoint atomically and durably; the bytes saved (``None``: unknown)."""

    @abstractmethod
    def delete(self, job_name: str) -> bool:
        """Forget the job's state; True if there was any."""

    @abstractmethod
    def jobs(self) -> list[str]:
        """Names of the jobs with saved state."""

    @abstractmethod
    def acquire(self, job_name: str) -> None:
        """Take the job's run lock or raise ``StateLocked`` naming the holder."""

    @abstractmethod
    def release(self, job_name: str) -> None:
        """Give the run lock back (a crashed process loses it by itself)."""

    @contextmanager
    def locked(self, job_name: str) -> Iterator[None]:
        """Hold the job's run lock for the duration of a ``with`` block.

        A store that cannot be reached or written (a read-only or missing folder, a wrong
        password) raises ``StateError`` with one line saying so, like a held lock does
        ``StateLocked``.
        """
        try:
            self.acquire(job_name)
        except (StateError, StateLocked):
            raise
        except (OSError, SeaTunnelError) as exc:
            text = describe(exc)
            if not text.startswith("state store "):
                text = f"state store {self.url}: {text}"
            raise StateError(f"{text} (taking the run lock of job {job_name!r})") from None
        try:
            yield
        finally:
            self.release(job_name)

    def close(self) -> None:
        """Release connections."""


def open_store(url: str | None = None, environ: Mapping[str, str] | None = None) -> StateStore:
    """The store named by ``url``, else by ``$SEATUNNEL_PY_STATE_STORE``, else ``default_state_dir()``.

    A plain path is a local directory; ``sqlite:``, ``postgresql:``, ``mysql:`` (with or
    without a ``+driver``) are SQLAlchemy URLs; ``s3://``, ``gs://``, ``hdfs://``,
    ``abfs://`` and ``file://`` go through ``pyarrow.fs``.
    """
    env = os.environ if environ is None else environ
    chosen = url or env.get(STATE_STORE_ENV) or str(default_state_dir(env))
    scheme = chosen.split(":", 1)[0].split("+", 1)[0].lower() if is_url(chosen) else ""
    if scheme in SQL_SCHEMES:
        from .sql import SqlStateStore

        return SqlStateStore(chosen)
    if scheme in OBJECT_STORE_SCHEMES:
        from .objectstore import ObjectStateStore

        return ObjectStateStore(chosen)
    from .local import LocalStateStore

    return LocalStateStore(Path(chosen).expanduser())
