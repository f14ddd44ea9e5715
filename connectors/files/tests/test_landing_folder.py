"""LocalFile as cron jobs use it: output moved away by a consumer, state that is not trusted."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from seatunnel_py.testing import run_cli


def test_a_consumer_moving_committed_files_away_does_not_break_the_next_run(
        write_job: Callable[..., Path], tmp_path: Path) -> None:
    """`mv landing/*.csv archive/` after each run is the normal landing-folder pattern."""
    landing, archive = tmp_path / "landing", tmp_path / "archive"
    archive.mkdir()
    path = write_job(f"""
        env {{ job.name = landing }}
        source {{ FakeSource {{ row.num = 3, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ LocalFile {{ path = "{landing}", file_format_type = csv }} }}
        """)
    first = run_cli("run", "--no-progress", path)
    assert first.returncode == 0, first.stderr
    written = sorted(landing.glob("*.csv"))
    assert written
    for file in written:
        shutil.move(str(file), archive / file.name)
    second = run_cli("run", "--no-progress", path)
    assert second.returncode == 0, second.stderr
    assert "Total Read Count          :                   0" in second.stdout
    assert not list(landing.glob("*.csv"))  # nothing written twice, nothing brought back


def test_a_crafted_commit_info_in_the_state_cannot_move_files_outside_the_sink(
        write_job: Callable[..., Path], tmp_path: Path, isolated_state_store: Path) -> None:
    """The state store is only a file: a pending commit edited to rename a file elsewhere is refused."""
    out = tmp_path / "out"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    path = write_job(f"""
        env {{ job.name = crafted }}
        source {{ FakeSource {{ row.num = 1, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ LocalFile {{ path = "{out}", file_format_type = csv }} }}
        """)
    assert run_cli("run", "--no-progress", path).returncode == 0
    state_file = isolated_state_store / "crafted" / "checkpoint.json"
    document = json.loads(state_file.read_text())
    staging = out / ".seatunnel-tmp" / "crafted.r1"
    document["committed"] = False
    document["pending"] = {"sink[0]": [{"staging": str(staging), "files": [[str(victim), str(tmp_path / "moved")]]}]}
    state_file.write_text(json.dumps(document))
    result = run_cli("run", "--no-progress", path)
    assert result.returncode == 1
    assert "refusing a commit info from the saved state" in result.stderr
    assert victim.read_text() == "precious" and not (tmp_path / "moved").exists()
    document["pending"] = {"sink[0]": [{"staging": "/etc", "files": [["/etc/hostname", str(out / "x")]]}]}
    state_file.write_text(json.dumps(document))
    result = run_cli("run", "--no-progress", path)
    assert result.returncode == 1 and "refusing a commit info" in result.stderr
    assert Path("/etc/hostname").exists()
