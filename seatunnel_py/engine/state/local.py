"""State in a local directory: one folder per job, write-then-rename with fsync, flock."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO

from .model import Checkpoint, StateLocked
from .store import StateStore, job_from_key, job_key

CHECKPOINT_FILE = "checkpoint.json"
LOCK_FILE = "lock"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalStateStore(StateStore):
    """``<root>/<job>/checkpoint.json``, replaced by write, fsync, rename, fsync of the folder.

    The run lock is an exclusive ``flock`` on ``<root>/<job>/lock``: the kernel drops it
    when the process dies, so a crashed run never blocks the next one.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = str(root)
        self._locks: dict[str, IO[str]] = {}

    def _dir(self, job_name: str) -> Path:
        return self.root / job_key(job_name)

    def load(self, job_name: str) -> Checkpoint | None:
        path = self._dir(job_name) / CHECKPOINT_FILE
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        return Checkpoint.from_json(data, str(path))

    def save(self, checkpoint: Checkpoint) -> int:
        folder = self._dir(checkpoint.job_name)
        folder.mkdir(parents=True, exist_ok=True)
        data = checkpoint.to_json()
        temporary = folder / f".{CHECKPOINT_FILE}.{os.getpid()}.tmp"
        with open(temporary, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, folder / CHECKPOINT_FILE)
        _fsync_dir(folder)
        return len(data)

    def delete(self, job_name: str) -> bool:
        path = self._dir(job_name) / CHECKPOINT_FILE
        existed = path.exists()
        path.unlink(missing_ok=True)
        return existed

    def jobs(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(job_from_key(p.name) for p in self.root.iterdir() if (p / CHECKPOINT_FILE).exists())

    def acquire(self, job_name: str) -> None:
        folder = self._dir(job_name)
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / LOCK_FILE, "a+")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise StateLocked(f"job {job_name!r} is already running ({holder} holds the lock on its state "
                              f"in {self.root}); two runs of one job at once would corrupt it") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._locks[job_name] = handle

    def release(self, job_name: str) -> None:
        handle = self._locks.pop(job_name, None)
        if handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()
