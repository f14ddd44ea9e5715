"""Finding the files a LocalFile source reads, and the partitions in their paths."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from seatunnel_py.api import ConnectorError

CODEC_EXTENSIONS: dict[str, str] = {
    ".gz": "gzip",
    ".gzip": "gzip",
    ".bz2": "bz2",
    ".zst": "zstd",
    ".zstd": "zstd",
    ".lz4": "lz4",
    ".br": "brotli",
}
"""File extensions that mean a compressed stream, and pyarrow's codec name."""


@dataclass(frozen=True)
class FoundFile:
    """A file to read: where it is, its split id and the ``k=v`` directories above it."""

    path: Path
    relative: str
    partitions: tuple[tuple[str, str], ...] = ()


def hidden(name: str) -> bool:
    """Names skipped when walking a directory (staging areas, ``_SUCCESS`` markers)."""
    return name.startswith((".", "_"))


def escape_value(value: str) -> str:
    """A partition value made safe as (part of) one directory name: ``%``, ``/`` escaped."""
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe=" =:+,;@&$!()[]{}~#^'")


def partition_segment(key: str, value: str) -> str:
    """``key=value`` with the value escaped (see :func:`escape_value`)."""
    return f"{key}={escape_value(value)}"


def parse_partitions(relative_dir: str) -> tuple[tuple[str, str], ...]:
    """The ``k=v`` segments of a relative directory path, values unescaped."""
    out = []
    for segment in relative_dir.split("/"):
        key, sep, value = segment.partition("=")
        if sep and key:
            out.append((key, unquote(value)))
    return tuple(out)


def _matches(name: str, relative: str, pattern: re.Pattern[str] | None,
             extension: str | None) -> bool:
    if extension:
        ext = "." + extension.lstrip(".")
        stem = name
        for codec_ext in CODEC_EXTENSIONS:
            if stem.endswith(codec_ext) and not ext.endswith(codec_ext):
                stem = stem[: -len(codec_ext)]
        if not stem.endswith(ext):
            return False
    if pattern is not None:
        return bool(pattern.fullmatch(name) or pattern.fullmatch(relative))
    return True


@dataclass(frozen=True)
class Listing:
    """What a walk of the source's ``path`` found."""

    files: list[FoundFile]
    """The files to read, sorted by relative path."""
    present: frozenset[str]
    """Relative paths of every file found, filtered out or hidden by name included (not those in
    hidden directories): a finished file missing from it was deleted."""
    complete: bool
    """False when a directory could not be read: ``present`` may then miss files that exist."""


def list_files(root: Path, pattern: str | None = None, extension: str | None = None,
               partitions: bool = True) -> list[FoundFile]:
    """Every file to read under ``root`` (or ``root`` itself), sorted by relative path."""
    return walk(root, pattern, extension, partitions).files


def walk(root: Path, pattern: str | None = None, extension: str | None = None,
         partitions: bool = True) -> Listing:
    """Walk ``root`` (sorted; hidden directories skipped): the files to read and every file present."""
    regex = re.compile(pattern) if pattern else None
    if root.is_file():
        ok = _matches(root.name, root.name, regex, extension)
        return Listing([FoundFile(root, root.name)] if ok else [], frozenset({root.name}), True)
    if not root.is_dir():
        raise ConnectorError(f"LocalFile: path {root} does not exist")
    found = []
    present: set[str] = set()
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        dirnames[:] = sorted(d for d in dirnames if not hidden(d))
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        parts = parse_partitions(rel_dir) if partitions and rel_dir else ()
        for name in sorted(filenames):
            relative = f"{rel_dir}/{name}" if rel_dir else name
            present.add(relative)
            if hidden(name) or not _matches(name, relative, regex, extension):
                continue
            found.append(FoundFile(Path(dirpath) / name, relative, parts))
    found.sort(key=lambda f: f.relative)
    return Listing(found, frozenset(present), not errors)


def codec_for(path: Path, configured: str) -> str | None:
    """The pyarrow codec to read ``path`` with: the configured one, or from its extension."""
    if configured != "none":
        return configured
    return CODEC_EXTENSIONS.get(path.suffix.lower())
