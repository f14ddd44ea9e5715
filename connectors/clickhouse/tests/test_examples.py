"""The example jobs configs/clickhouse_*.conf run against the test server."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from ch_helpers import ROOT, run_cli


@pytest.mark.slow
def test_example_jobs(clickhouse, tmp_path):
    env = {"CLICKHOUSE_HOST": clickhouse.address, "CLICKHOUSE_USER": clickhouse.user,
           "CLICKHOUSE_PASSWORD": clickhouse.password, "OUT_DIR": str(tmp_path)}
    for name in ("clickhouse_sink.conf", "clickhouse_changelog.conf", "clickhouse_to_parquet.conf"):
        result = run_cli("run", ROOT / "configs" / name, "--ignore-state", env=env)
        assert result.returncode == 0, f"{name}: {result.stderr}"
        assert clickhouse.password not in result.stdout + result.stderr
    client = clickhouse.client()
    assert int(client.command("SELECT count() FROM default.seatunnel_people")) == 1000
    assert client.query("SELECT id, name FROM default.seatunnel_changes FINAL ORDER BY id").result_rows == \
        [(1, "A_1"), (3, "C")]
    table = pq.read_table(tmp_path / "clickhouse_people")
    assert table.num_rows == 1000 and table.column_names == ["id", "name", "score"]
