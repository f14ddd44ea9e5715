"""The compact record of the files a LocalFile source has finished reading.

Instead of one ``{"rows_done": n, "done": true}`` entry per file read (kept forever, so a
job that has read 100,000 files saved 100,000 entries at every checkpoint), finished files
are folded into one entry under :data:`KEY`: their relative paths, sorted, joined by NUL,
zlib-compressed and base64-encoded, in a few *segments*.

Segments keep a checkpoint cheap: files finished since the last checkpoint become a new
small segment, and two neighbouring segments are merged only when the newer one has grown
to a quarter of the older one (so there are O(log n) segments and every path is re-encoded
O(log n) times over the job's life). A checkpoint that finished no file re-uses the
encoded segments as they are. Dropping paths (files deleted from the folder) rebuilds
one segment from all remaining paths, at most once per run.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from seatunnel_py.api import ConnectorError

KEY = "/finished"
"""The state key of the folded entry. Split ids are relative paths, never starting with ``/``."""
VERSION = 1
MERGE_RATIO = 4
"""A newer segment is merged into the older one when it holds at least 1/MERGE_RATIO of its paths."""
LEVEL = 6
"""zlib level: about as fast as level 1 on sorted names, and smaller."""


@dataclass(frozen=True)
class _Segment:
    paths: tuple[str, ...]
    """Sorted."""
    text: str
    """base64(zlib(NUL-joined paths))."""

    @classmethod
    def of(cls, paths: Iterable[str]) -> _Segment:
        ordered = tuple(sorted(paths))
        raw = "\0".join(ordered).encode("utf-8", "surrogateescape")
        return cls(ordered, base64.b64encode(zlib.compress(raw, LEVEL)).decode("ascii"))

    @classmethod
    def parse(cls, text: str) -> _Segment:
        raw = zlib.decompress(base64.b64decode(text, validate=True))
        paths = tuple(raw.decode("utf-8", "surrogateescape").split("\0")) if raw else ()
        return cls(paths, text)


class FinishedFiles:
    """The set of finished split ids (relative paths), with its saved form."""

    def __init__(self, segments: list[_Segment] | None = None) -> None:
        self._segments = segments or []
        self._members: set[str] = {p for s in self._segments for p in s.paths}
        self._fresh: set[str] = set()
        self._saved: dict[str, Any] | None = None
        self.pruned = False
        """True once :meth:`keep_only` ran (the source prunes once per listing)."""

    @classmethod
    def from_state(cls, entry: Mapping[str, Any] | None) -> FinishedFiles:
        """The set saved in ``entry`` (empty for ``None``); ``ConnectorError`` when unreadable."""
        if entry is None:
            return cls()
        if entry.get("version") != VERSION:
            raise ConnectorError(f"LocalFile: the saved list of finished files has version "
                                 f"{entry.get('version')!r}; this version reads {VERSION} "
                                 "(run the version that wrote it, or reset the job's state)")
        try:
            segments = [_Segment.parse(str(text)) for text in entry["segments"]]
        except (KeyError, TypeError, ValueError, zlib.error) as exc:
            raise ConnectorError(f"LocalFile: the saved list of finished files is corrupt ({exc})") from None
        finished = cls(segments)
        finished._saved = dict(entry)
        return finished

    def __contains__(self, split_id: object) -> bool:
        return split_id in self._members

    def __len__(self) -> int:
        return len(self._members)

    def paths(self) -> frozenset[str]:
        """Every finished split id."""
        return frozenset(self._members)

    def add(self, split_id: str) -> None:
        """Record a finished file."""
        if split_id not in self._members:
            self._members.add(split_id)
            self._fresh.add(split_id)

    def keep_only(self, present: set[str] | frozenset[str]) -> int:
        """Forget the paths not in ``present`` (deleted files); returns how many were forgotten."""
        self.pruned = True
        gone = self._members - present
        if not gone:
            return 0
        self._members -= gone
        self._fresh.clear()
        self._segments = [_Segment.of(self._members)] if self._members else []
        self._saved = None
        return len(gone)

    def matches(self, entry: Mapping[str, Any] | None) -> bool:
        """Is ``entry`` what :meth:`to_state` returned last (so this object still describes it)?"""
        return entry is not None and self._saved is not None and \
            (entry is self._saved or dict(entry) == self._saved)

    def to_state(self) -> dict[str, Any]:
        """The saved form: ``{"version", "files", "segments"}`` (unchanged segments are not re-encoded)."""
        if self._fresh:
            self._segments.append(_Segment.of(self._fresh))
            self._fresh = set()
            while len(self._segments) > 1 and \
                    len(self._segments[-1].paths) * MERGE_RATIO >= len(self._segments[-2].paths):
                newer = self._segments.pop()
                older = self._segments.pop()
                self._segments.append(_Segment.of((*older.paths, *newer.paths)))
            self._saved = None
        if self._saved is None:
            self._saved = {"version": VERSION, "files": len(self._members),
                           "segments": [s.text for s in self._segments]}
        return self._saved
