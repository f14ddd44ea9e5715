"""Staging folders of the LocalFile sink: named after the job's key, locked while a run lives.

A run stages under ``<staging base>/<job>.<run>/`` where ``<job>`` is the engine's job key
(``PluginContext.job_key``) encoded for a file name. While the run lives it holds an
exclusive ``flock`` on the sibling file ``<job>.<run>.lock`` (taken before the folder is
created, released when the sink finishes; the kernel drops it when the process dies).
At start a run removes the folders of *its own job's* dead runs only: folders of other
jobs, and folders whose lock is held (a live run), are never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
import shutil
import threading
from pathlib import Path
from typing import IO
from urllib.parse import quote

from seatunnel_py.api import ConnectorError

log = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"
MAX_KEY_CHARS = 120
"""Encoded job keys longer than this are cut and end with ``~`` and a hash of the whole key."""


def encode_job_key(job_key: str) -> str:
    """``job_key`` as one file-name segment: injective, no ``/``, bounded length.

    Every character other than letters, digits and ``_.-`` is percent-encoded (``~``
    too, so that ``~`` only ever marks a shortened key).
    """
    encoded = quote(job_key, safe="").replace("~", "%7E") or "%00"
    if len(encoded) > MAX_KEY_CHARS:
        digest = hashlib.sha256(job_key.encode()).hexdigest()[:24]
        encoded = f"{encoded[:MAX_KEY_CHARS - 25]}~{digest}"
    return encoded


def encode_run_id(run_id: str) -> str:
    """A run id as it appears in staging names: letters, digits, ``_`` and ``-`` only (no ``.``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", run_id) or "run"


def staging_name(job_key: str, run_id: str) -> str:
    """``<encoded job key>.<run id>``: the staging folder of one run of one job."""
    return f"{encode_job_key(job_key)}.{encode_run_id(run_id)}"


def _parse(name: str) -> tuple[str, str, bool] | None:
    """``(encoded job key, run id, is a lock file)`` of an entry of the staging base, if it is one."""
    is_lock = name.endswith(LOCK_SUFFIX)
    stem = name[: -len(LOCK_SUFFIX)] if is_lock else name
    key, dot, run = stem.rpartition(".")
    if not dot or not key or not re.fullmatch(r"[A-Za-z0-9_-]+", run):
        return None
    return key, run, is_lock


_GUARD = threading.Lock()
_HELD: dict[Path, tuple[IO[str], int]] = {}
"""Run locks this process holds: path → (open file, users). One run may have several LocalFile sinks."""


def acquire_run_lock(lock_path: Path) -> None:
    """Hold the run lock ``lock_path`` (shared by the sinks of one run in this process)."""
    with _GUARD:
        held = _HELD.get(lock_path)
        if held is not None:
            _HELD[lock_path] = (held[0], held[1] + 1)
            return
        handle = _create(lock_path)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise ConnectorError(f"LocalFile: staging lock {lock_path} is held by another process "
                                 "(two runs with the same run id?)") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        _HELD[lock_path] = (handle, 1)


def _create(lock_path: Path) -> IO[str]:
    """Open (create) ``lock_path`` and its folder. Another job's run removes the staging base when
    it finishes and finds it empty, possibly between the two steps: then both are done again."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return open(lock_path, "a+")
    except FileNotFoundError:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        return open(lock_path, "a+")


def release_run_lock(lock_path: Path) -> None:
    """Give up one use of ``lock_path``; the last one deletes the lock file and unlocks it."""
    with _GUARD:
        held = _HELD.get(lock_path)
        if held is None:
            return
        handle, users = held
        if users > 1:
            _HELD[lock_path] = (handle, users - 1)
            return
        del _HELD[lock_path]
        with contextlib.suppress(OSError):
            lock_path.unlink()
        handle.close()  # closing the last descriptor releases the flock


def _lock_if_dead(lock_path: Path) -> tuple[bool, IO[str] | None]:
    """``(dead, handle)``: a dead run's lock file is returned locked by the caller (``None``: no file)."""
    if lock_path in _HELD:
        return False, None
    try:
        handle = open(lock_path, "r+")  # noqa: SIM115 - closed by the caller
    except FileNotFoundError:
        return True, None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False, None
    return True, handle


def remove_dead_runs(base: Path, job_key: str, run_id: str) -> list[str]:
    """Delete the staging folders (and lock files) of dead runs of ``job_key`` under ``base``.

    A run is dead when its lock file is gone (it finished, or an older version staged it)
    or nobody holds it (the process died). Call it while holding this run's own lock.
    Returns the run ids removed.
    """
    if not base.is_dir():
        return []
    mine, me = encode_job_key(job_key), encode_run_id(run_id)
    runs = set()
    for entry in base.iterdir():
        parsed = _parse(entry.name)
        if parsed is not None and parsed[0] == mine and parsed[1] != me:
            runs.add(parsed[1])
    removed = []
    for run in sorted(runs):
        lock_path = base / f"{mine}.{run}{LOCK_SUFFIX}"
        with _GUARD:
            dead, handle = _lock_if_dead(lock_path)
        if not dead:
            continue
        shutil.rmtree(base / f"{mine}.{run}", ignore_errors=True)
        if handle is not None:
            with contextlib.suppress(OSError):
                lock_path.unlink()
            handle.close()
        removed.append(run)
    if removed:
        log.info("LocalFile: removed the staged files of dead runs %s", ", ".join(removed))
    return removed
