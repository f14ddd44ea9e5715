"""LocalFile as cron jobs use it: output moved away by a consumer, state that is not trusted."""

from __future__ import annotations

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
