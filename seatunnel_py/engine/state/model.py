"""What a saved checkpoint holds, and its versioned JSON form."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from ...api.errors import SeaTunnelError

FORMAT_VERSION = 1
"""Version of the saved-state layout; a state written by another version is refused."""


class StateError(SeaTunnelError):
    """Saved state cannot be used: corrupt, from another format version, or from another job."""


class StateLocked(SeaTunnelError):
    """Another run of the same job holds the state lock."""


@dataclass
class Checkpoint:
    """One completed checkpoint of a job, as persisted in a state store.

    ``splits`` maps a source label to ``{split id: reader state}``; ``writers`` maps a
    sink label to ``{task index: writer state}``; ``pending`` maps a sink label to the
    commit infos of this checkpoint, which the committer makes visible after the save
    (and again, idempotently, when a later run restores it). ``plugins`` records which
    plugin stood at every label, so a job changed in a way that makes the state
    unusable is recognised. ``finished`` is true when the run that wrote it ended
    normally (a bounded job reached its end, or a streaming job was stopped).
    ``committed`` is true once the committers made ``pending`` visible: a restore then
    commits nothing again (a downstream consumer may have moved the output away since).
    """

    job_name: str
    checkpoint_id: int
    plugins: dict[str, str] = field(default_factory=dict)
    splits: dict[str, dict[str, Any]] = field(default_factory=dict)
    writers: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    finished: bool = False
    committed: bool = False
    run_id: str = ""
    created_at: float = field(default_factory=time.time)

    def to_json(self) -> bytes:
        """The saved form (UTF-8 JSON with the format version)."""
        document = {
            "format_version": FORMAT_VERSION,
            "job_name": self.job_name,
            "checkpoint_id": self.checkpoint_id,
            "run_id": self.run_id,
            "created_at": self.created_at,
            "finished": self.finished,
            "committed": self.committed,
            "plugins": self.plugins,
            "splits": self.splits,
            "writers": self.writers,
            "pending": self.pending,
        }
        try:
            return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
        except (TypeError, ValueError) as exc:
            raise StateError(f"checkpoint {self.checkpoint_id} of job {self.job_name!r} holds a value "
                             f"that is not JSON-serialisable ({exc}); a plugin's snapshot or commit info "
                             "must be plain JSON data") from None

    @classmethod
    def from_json(cls, data: bytes, where: str) -> Checkpoint:
        """Parse a saved checkpoint; ``StateError`` naming ``where`` when it is unusable."""
        try:
            document = json.loads(data.decode())
        except (UnicodeDecodeError, ValueError) as exc:
            raise StateError(f"saved state at {where} is corrupt (not valid JSON: {exc}); "
                             "move it away or run `seatunnel-py state reset` to start over") from None
        if not isinstance(document, dict):
            raise StateError(f"saved state at {where} is corrupt (expected a JSON object)")
        version = document.get("format_version")
        if version != FORMAT_VERSION:
            raise StateError(f"saved state at {where} has format version {version!r}, this seatunnel-py "
                             f"reads version {FORMAT_VERSION}; run it with the version that wrote it, "
                             "or reset the state")
        try:
            return cls(
                job_name=str(document["job_name"]),
                checkpoint_id=int(document["checkpoint_id"]),
                run_id=str(document.get("run_id", "")),
                created_at=float(document.get("created_at", 0.0)),
                finished=bool(document.get("finished", False)),
                committed=bool(document.get("committed", False)),
                plugins=dict(document["plugins"]),
                splits={k: dict(v) for k, v in document["splits"].items()},
                writers={k: dict(v) for k, v in document["writers"].items()},
                pending={k: list(v) for k, v in document["pending"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise StateError(f"saved state at {where} is corrupt (missing or malformed field: {exc})") from None
