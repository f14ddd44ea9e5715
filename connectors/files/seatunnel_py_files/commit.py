"""Making staged files visible: the LocalFile committer and its file-system helpers."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
from pathlib import Path

from seatunnel_py.api import CommitInfo, Committer, ConnectorError

STAGING_DIR = ".seatunnel-tmp"
"""Default staging directory inside the target ``path`` (hidden from the source)."""


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_empty_dirs(top: Path) -> None:
    """Remove ``top`` and the directories below it that are empty."""
    if not top.is_dir():
        return
    for dirpath, _, _ in sorted(os.walk(top), key=lambda e: -len(e[0])):
        with contextlib.suppress(OSError):
            os.rmdir(dirpath)


def rmdir_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.rmdir()


def _move(staged: Path, final: Path) -> None:
    """Rename ``staged`` to ``final`` (idempotent; copy then rename across file systems)."""
    if not staged.exists():
        if final.exists():
            return  # committed before
        raise ConnectorError(f"LocalFile: cannot commit {final}: the staged file {staged} is gone")
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(staged, final)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise ConnectorError(f"LocalFile: cannot move {staged} to {final}: {exc}") from None
        temporary = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.tmp")
        shutil.copyfile(staged, temporary)
        fsync(temporary)
        os.replace(temporary, final)
        staged.unlink()


def _inside(path: Path, folder: Path) -> bool:
    """True when ``path``, with ``..`` and symlinks resolved, lies below ``folder``."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return path.resolve() != folder.resolve()


class LocalFileCommitter(Committer):
    """Renames staged files into the target directory; ``commit`` may be repeated.

    Commit infos come back from the state store, which is only a file (or a table) that
    anyone with access can edit: before touching a file, every staged path must lie in a
    staging folder of this job (``staging_base/<job>.<run>``) and every final path below
    the sink's ``path``; anything else fails the run and nothing of that info is moved.
    """

    def __init__(self, staging_root: Path, root: Path | None = None, job_prefix: str | None = None) -> None:
        self.staging_root = staging_root
        self.root = root
        """The sink's ``path``: final files must lie below it."""
        self.job_prefix = job_prefix if job_prefix is not None else staging_root.name.rsplit(".", 1)[0] + "."
        """Staging folders of this job start with it (``<encoded job key>.``)."""

    def _checked(self, info: CommitInfo) -> list[tuple[Path, Path]]:
        """The (staged, final) pairs of ``info``, refused unless they stay inside this sink's folders."""
        base = self.staging_root.parent
        staging = Path(str(info.get("staging", "")))
        mine = _inside(staging, base) and staging.resolve().relative_to(base.resolve()).parts[0].startswith(
            self.job_prefix)
        pairs = [(Path(str(staged)), Path(str(final))) for staged, final in info.get("files", [])]
        bad = [] if mine else [f"staging folder {staging}"]
        for staged, final in pairs:
            if not _inside(staged, staging):
                bad.append(f"staged file {staged}")
            if self.root is not None and not _inside(final, self.root):
                bad.append(f"target {final}")
        if bad:
            raise ConnectorError(
                f"LocalFile: refusing a commit info from the saved state that points outside this sink's folders "
                f"({', '.join(bad[:3])}); the state store may have been edited or belong to another job: "
                "check it, or start over with --ignore-state")
        return pairs

    def commit(self, infos: list[CommitInfo]) -> None:
        """Move every staged file of ``infos`` to its final path, then drop empty staging dirs."""
        for info in infos:
            directories = set()
            for staged, final in self._checked(info):
                _move(staged, final)
                directories.add(final.parent)
            for directory in directories:
                fsync(directory)
            self._cleanup(Path(info["staging"]))

    def abort(self, infos: list[CommitInfo], last_checkpoint_id: int | None = None) -> None:
        """Delete the staged files of ``infos`` (they will never be committed)."""
        for info in infos:
            for staged, _ in self._checked(info):
                staged.unlink(missing_ok=True)
            self._cleanup(Path(info["staging"]))

    def _cleanup(self, transaction_dir: Path) -> None:
        remove_empty_dirs(transaction_dir)
        run_dir = transaction_dir.parent
        if run_dir != self.staging_root:  # a previous run's leftovers, re-committed
            rmdir_quietly(run_dir)
            if run_dir.parent.name == STAGING_DIR:
                rmdir_quietly(run_dir.parent)
