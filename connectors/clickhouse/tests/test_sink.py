"""Clickhouse sink: auto-create, save modes, change data, deduplication tokens, bad input."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet
import pytest
from ch_helpers import make_sink, run_cli, write_batches

from seatunnel_py.api import ConnectorError, RowKind, attach_row_kinds
from seatunnel_py.jobs import run_job


def rows(ids: list[int], names: list[str] | None = None) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({
        "id": pa.array(ids, pa.int64()),
        "name": pa.array(names or [f"n{i}" for i in ids], pa.string()),
    })


def changes(items: list[tuple[RowKind, int, str]]) -> pa.RecordBatch:
    data = rows([i for _, i, _ in items], [n for _, _, n in items])
    return attach_row_kinds(data, pa.array([int(k) for k, _, _ in items], pa.int8()))


def fake_job(write_job, clickhouse, database: str, sink_extra: str = "", rows_count: int = 5) -> Path:
    return write_job(f"""
        env {{ job.mode = "BATCH" }}
        source {{
          FakeSource {{
            row.num = {rows_count}
            schema = {{ fields {{ id = bigint, name = string }} }}
          }}
        }}
        sink {{
          Clickhouse {{
            {clickhouse.hocon()}
            database = "{database}"
            table = "t"
            {sink_extra}
          }}
        }}
    """)


def count(clickhouse, database: str, table: str = "t", final: bool = False) -> int:
    suffix = " FINAL" if final else ""
    return int(clickhouse.client().command(f"SELECT count() FROM {database}.{table}{suffix}"))


def test_auto_create_then_append(clickhouse, database, write_job):
    job = fake_job(write_job, clickhouse, database, 'primary_key = "id"')
    run_job(job)
    run_job(job, ignore_state=True)
    client = clickhouse.client()
    engine, sorting = client.query(f"SELECT engine, sorting_key FROM system.tables WHERE database = '{database}' "
                                   "AND name = 't'").result_rows[0]
    assert (engine, sorting) == ("MergeTree", "id")
    assert count(clickhouse, database) == 10


def test_recreate_and_drop_data(clickhouse, database, write_job):
    client = clickhouse.client()
    client.command(f"CREATE TABLE {database}.t (id Int64, name String, extra String) ENGINE = MergeTree ORDER BY id")
    client.command(f"INSERT INTO {database}.t VALUES (100, 'old', 'x')")
    run_job(fake_job(write_job, clickhouse, database, 'data_save_mode = "DROP_DATA"'))
    assert count(clickhouse, database) == 5
    run_job(fake_job(write_job, clickhouse, database, 'schema_save_mode = "RECREATE_SCHEMA"'), ignore_state=True)
    columns = [r[0] for r in client.query(f"SELECT name FROM system.columns WHERE database = '{database}' "
                                          "AND table = 't'").result_rows]
    assert columns == ["id", "name"]
    assert count(clickhouse, database) == 5


def test_custom_processing_and_ignore(clickhouse, database, write_job):
    client = clickhouse.client()
    client.command(f"CREATE TABLE {database}.t (id Int64, name String) ENGINE = MergeTree ORDER BY id")
    client.command(f"INSERT INTO {database}.t VALUES (1, 'keep'), (2, 'drop')")
    extra = f'data_save_mode = "CUSTOM_PROCESSING"\n custom_sql = "DELETE FROM {database}.t WHERE id = 2"'
    run_job(fake_job(write_job, clickhouse, database, extra))
    assert client.query(f"SELECT countIf(name = 'keep'), countIf(name = 'drop') FROM {database}.t").result_rows \
        == [(1, 0)]
    run_job(fake_job(write_job, clickhouse, database, 'schema_save_mode = "IGNORE"'), ignore_state=True)
    assert count(clickhouse, database) == 11


@pytest.mark.slow
def test_error_when_schema_not_exist_exits_1(clickhouse, database, write_job):
    job = fake_job(write_job, clickhouse, database, 'schema_save_mode = "ERROR_WHEN_SCHEMA_NOT_EXIST"')
    result = run_cli("run", job)
    assert result.returncode == 1, result.stderr
    assert f"Clickhouse: table {database}.t does not exist (schema_save_mode = ERROR_WHEN_SCHEMA_NOT_EXIST)" \
        in result.stderr
    assert clickhouse.password not in result.stderr + result.stdout


@pytest.mark.slow
def test_error_when_data_exists_exits_1(clickhouse, database, write_job):
    client = clickhouse.client()
    client.command(f"CREATE TABLE {database}.t (id Int64, name String) ENGINE = MergeTree ORDER BY id")
    client.command(f"INSERT INTO {database}.t VALUES (1, 'x')")
    result = run_cli("run", fake_job(write_job, clickhouse, database, 'data_save_mode = "ERROR_WHEN_DATA_EXISTS"'))
    assert result.returncode == 1, result.stderr
    assert f"Clickhouse: table {database}.t already has data (data_save_mode = ERROR_WHEN_DATA_EXISTS)" \
        in result.stderr
    assert count(clickhouse, database) == 1


@pytest.mark.slow
@pytest.mark.parametrize("case", ["password", "host"])
def test_bad_credentials_or_host_one_line(clickhouse, database, write_job, case):
    """A wrong password fails (exit 1); a host that does not answer may come back (exit 75, retryable)."""
    if case == "password":
        extra = clickhouse.hocon().replace(f'password = "{clickhouse.password}"', 'password = "wrong-pass-123"')
    else:
        extra = clickhouse.hocon().replace(clickhouse.address, "127.0.0.1:1")
    job = write_job(f"""
        source {{ FakeSource {{ schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Clickhouse {{
            {extra}
            database = "{database}"
            table = "t"
        }} }}
    """)
    result = run_cli("run", job)
    assert result.returncode == (1 if case == "password" else 75)
    errors = [line for line in result.stderr.splitlines() if "Clickhouse" in line]
    assert len(errors) == 1, result.stderr
    expected = "AUTHENTICATION_FAILED" if case == "password" else "127.0.0.1:1: connection refused"
    assert "Clickhouse: cannot connect to" in errors[0] and expected in errors[0]
    assert "wrong-pass-123" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_bad_options_are_config_errors(write_job, clickhouse):
    job = write_job(f"""
        source {{ FakeSource {{ schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Clickhouse {{
            {clickhouse.hocon()}
            database = "d"
            table = "t"
            support_upsert = true
            data_save_mode = "CUSTOM_PROCESSING"
        }} }}
    """)
    result = run_cli("check", job)
    assert result.returncode == 2
    assert "sink.Clickhouse.custom_sql: data_save_mode = CUSTOM_PROCESSING needs custom_sql" in result.stderr
    assert "sink.Clickhouse.primary_key: support_upsert = true needs primary_key" in result.stderr
    result = run_cli("check", write_job(job.read_text().replace("support_upsert = true", 'primary_key = "nope"')
                                        .replace('data_save_mode = "CUSTOM_PROCESSING"', ""), "job2.conf"))
    assert result.returncode == 2
    assert "sink.Clickhouse.primary_key: unknown column 'nope' (input columns: id)" in result.stderr


def test_upsert_and_delete_on_replacing_merge_tree(clickhouse, database):
    options = clickhouse.options(database=database, table="t", primary_key="id", support_upsert=True, bulk_size=3)
    write_batches(options, [
        changes([(RowKind.INSERT, 1, "a"), (RowKind.INSERT, 2, "b"), (RowKind.INSERT, 3, "c")]),
        changes([(RowKind.UPDATE_BEFORE, 1, "a"), (RowKind.UPDATE_AFTER, 1, "a1"), (RowKind.DELETE, 2, "b"),
                 (RowKind.INSERT, 4, "d"), (RowKind.UPDATE_AFTER, 4, "d1"), (RowKind.DELETE, 3, "c"),
                 (RowKind.INSERT, 3, "c2")]),
    ])
    client = clickhouse.client()
    final = client.query(f"SELECT id, name FROM {database}.t FINAL ORDER BY id").result_rows
    assert final == [(1, "a1"), (3, "c2"), (4, "d1")]
    engine = client.command(f"SELECT engine_full FROM system.tables WHERE database = '{database}' AND name = 't'")
    assert str(engine).startswith("ReplacingMergeTree(_version, _is_deleted)")


@pytest.mark.parametrize("lightweight", [True, False])
def test_upsert_and_delete_on_merge_tree(clickhouse, database, lightweight):
    client = clickhouse.client()
    client.command(f"CREATE TABLE {database}.t (id Int64, name String) ENGINE = MergeTree ORDER BY id")
    options = clickhouse.options(database=database, table="t", primary_key="id", support_upsert=True,
                                 allow_experimental_lightweight_delete=lightweight)
    write_batches(options, [
        changes([(RowKind.INSERT, 1, "a"), (RowKind.INSERT, 2, "b"), (RowKind.INSERT, 3, "c")]),
        changes([(RowKind.UPDATE_BEFORE, 1, "a"), (RowKind.UPDATE_AFTER, 1, "a1"), (RowKind.DELETE, 2, "b"),
                 (RowKind.INSERT, 4, "d"), (RowKind.DELETE, 3, "c"), (RowKind.INSERT, 3, "c2")]),
    ])
    assert client.query(f"SELECT id, name FROM {database}.t ORDER BY id").result_rows == [(1, "a1"), (3, "c2"),
                                                                                            (4, "d")]


def test_replayed_inserts_are_dropped(clickhouse, database):
    """A writer restored from a checkpoint replays the same rows: nothing is inserted twice."""
    options = clickhouse.options(database=database, table="t", bulk_size=4)
    schema = rows([0]).schema
    sink = make_sink(options, run_id="run1")
    sink.prepare(schema)
    committer = sink.create_committer()
    writer = sink.create_writer(0, schema)
    writer.write(rows(list(range(0, 10))))  # blocks 0-3, 4-7 inserted; 8, 9 buffered
    info1 = writer.prepare_commit(1)  # the tail 8, 9 goes to the commit info
    state1 = writer.snapshot(1)
    committer.commit([info1])  # checkpoint 1 saved: the tail is inserted
    writer.write(rows(list(range(10, 22))))  # three blocks of checkpoint 1's segment
    info2 = writer.prepare_commit(2)
    assert "arrow" not in info2  # nothing left over
    writer.write(rows(list(range(22, 32))))  # checkpoint 2 is not saved yet: these wait
    assert count(clickhouse, database) == 22
    # crash before checkpoint 2 is saved; restart from checkpoint 1: its commit is repeated,
    # the rows after it replayed
    sink2 = make_sink(options, run_id="run2", restored=1)
    sink2.prepare(schema)
    committer2 = sink2.create_committer()
    committer2.commit([info1])
    writer2 = sink2.create_writer(0, schema, state1)
    writer2.write(rows(list(range(10, 20))))
    writer2.write(rows(list(range(20, 32))))
    committer2.commit([writer2.prepare_commit(2)])
    writer2.close()
    writer.close()
    client = clickhouse.client()
    assert client.query(f"SELECT count(), uniqExact(id), min(id), max(id) FROM {database}.t").result_rows \
        == [(32, 32, 0, 31)]


def test_rows_after_a_checkpoint_wait_until_it_is_saved(clickhouse, database):
    options = clickhouse.options(database=database, table="t", bulk_size=4)
    sink = make_sink(options)
    sink.prepare(rows([0]).schema)
    committer = sink.create_committer()
    writer = sink.create_writer(0, rows([0]).schema)
    info = writer.prepare_commit(1)
    writer.write(rows(list(range(10))))
    assert count(clickhouse, database) == 0  # checkpoint 1 not saved: nothing inserted
    committer.commit([info])
    writer.write(rows([10, 11]))
    assert count(clickhouse, database) == 12  # saved: the three waiting blocks go in
    writer.close()


def test_table_without_dedup_window_warns(clickhouse, database, caplog):
    clickhouse.client().command(f"CREATE TABLE {database}.t (id Int64, name String) ENGINE = MergeTree ORDER BY id")
    sink = make_sink(clickhouse.options(database=database, table="t"))
    sink.prepare(rows([1]).schema)
    assert "does not deduplicate inserts" in caplog.text


def test_missing_table_with_ignore_is_one_line(clickhouse, database):
    sink = make_sink(clickhouse.options(database=database, table="nope", schema_save_mode="IGNORE"))
    with pytest.raises(ConnectorError, match=rf"^Clickhouse: table {database}.nope does not exist$"):
        sink.prepare(rows([1]).schema)


def test_failover_to_the_next_host(clickhouse, database):
    options = clickhouse.options(database=database, table="t")
    options["host"] = f"127.0.0.1:1,{clickhouse.address}"
    write_batches(options, [rows([1, 2, 3])])
    assert count(clickhouse, database) == 3


def test_clickhouse_config_is_sent_as_settings(clickhouse, database):
    options = clickhouse.options(database=database, table="t", **{"clickhouse.config": {"no_such_setting_x": 1}})
    with pytest.raises(ConnectorError, match=r"^Clickhouse: .*Unknown setting 'no_such_setting_x'.*UNKNOWN_SETTING"):
        write_batches(options, [rows([1])])


@pytest.mark.slow
def test_cron_rerun_appends_only_new_files_and_keeps_save_modes_off(clickhouse, database, write_job, tmp_path):
    (tmp_path / "in").mkdir()
    pa.parquet.write_table(pa.Table.from_batches([rows(list(range(0, 50)))]), tmp_path / "in" / "a.parquet")
    job = write_job(f"""
        env {{ job.mode = "BATCH", job.name = "ch_cron_{database}" }}
        source {{ LocalFile {{ path = "in", file_format_type = "parquet" }} }}
        sink {{ Clickhouse {{
            {clickhouse.hocon()}
            database = "{database}"
            table = "t"
            data_save_mode = "DROP_DATA"
        }} }}
    """)
    assert run_cli("run", job).returncode == 0
    assert count(clickhouse, database) == 50
    result = run_cli("run", job)  # nothing new: the saved state says a.parquet was read; no DROP_DATA
    assert result.returncode == 0, result.stderr
    assert count(clickhouse, database) == 50
    pa.parquet.write_table(pa.Table.from_batches([rows(list(range(50, 80)))]), tmp_path / "in" / "b.parquet")
    assert run_cli("run", job).returncode == 0
    client = clickhouse.client()
    assert client.query(f"SELECT count(), uniqExact(id) FROM {database}.t").result_rows == [(80, 80)]


def test_merge_tree_delete_after_a_checkpoint_tail(clickhouse, database):
    """The committer runs while writers go on: a keyed MergeTree's tail must not land after a later delete."""
    clickhouse.client().command(f"CREATE TABLE {database}.t (id Int64, name String) ENGINE = MergeTree ORDER BY id")
    sink = make_sink(clickhouse.options(database=database, table="t", primary_key="id"))
    sink.prepare(rows([1]).schema)
    committer = sink.create_committer()
    writer = sink.create_writer(0, rows([1]).schema)
    writer.write(changes([(RowKind.INSERT, 1, "a"), (RowKind.INSERT, 2, "b")]))
    info1 = writer.prepare_commit(1)
    writer.write(changes([(RowKind.DELETE, 1, "a")]))  # the next interval, before checkpoint 1 is committed
    committer.commit([info1] if info1 else [])
    info2 = writer.prepare_commit(2)
    committer.commit([info2] if info2 else [])
    writer.close()
    assert clickhouse.client().query(f"SELECT id FROM {database}.t ORDER BY id").result_rows == [(2,)]


def test_values_out_of_a_columns_range_fail_instead_of_wrapping(clickhouse, database, write_job, tmp_path):
    """300 into Int8 was stored as 44, -5 into UInt8 as 251, 12345.678 into Decimal(6,2) as 12345.67."""
    clickhouse.client().command(f"CREATE TABLE {database}.t (t Int8, u UInt8, d Decimal(6, 2)) ENGINE = MergeTree "
                                "ORDER BY tuple()")
    data = tmp_path / "in"
    data.mkdir()
    for number, line in enumerate(["1,2,3.25", "300,-5,12345.678"]):
        (data / f"{number}.csv").write_text(line + "\n")
        job = write_job(f"""
            source {{ LocalFile {{ path = "{data / f'{number}.csv'}", file_format_type = csv,
                                   schema = {{ fields {{ t = int, u = int, d = "decimal(10, 3)" }} }} }} }}
            sink {{ Clickhouse {{ {clickhouse.hocon()}, database = "{database}", table = "t" }} }}
            """, name=f"job{number}.conf")
        result = run_cli("run", "--no-progress", job)
        if number == 0:
            assert result.returncode == 0, result.stderr
        else:
            assert result.returncode == 1
            assert "column 't' of" in result.stderr and "300 not in range: -128 to 127" in result.stderr
    stored = clickhouse.client().query(f"SELECT t, u, toString(d) FROM {database}.t").result_rows
    assert stored == [(1, 2, "3.25")]


def test_a_commit_info_for_another_table_or_job_is_refused(clickhouse, database):
    """The state store is only a file: a crafted tail must not insert rows anywhere else."""
    sink = make_sink(clickhouse.options(database=database, table="t"))
    committer = sink.create_committer()
    rows = ""  # never decoded: the check comes first
    for forged in ({"database": "system", "table": "t", "token": f"{sink.job}:r:0:0-1", "arrow": rows},
                   {"database": database, "table": "other", "token": f"{sink.job}:r:0:0-1", "arrow": rows},
                   {"database": database, "table": "t", "token": "another-job:r:0:0-1", "arrow": rows}):
        with pytest.raises(ConnectorError, match="refusing a commit info from the saved state"):
            committer.commit([forged])
