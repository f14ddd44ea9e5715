"""Benchmark: LocalFile parquet / PostgreSQL → Clickhouse sink, beside plain ``insert_arrow`` scripts.

    .venv/bin/python bench/clickhouse_bench.py --rows 1000000,10000000 [--bulk-size 100000] [--repeat 3]
        [--scenario parquet,postgres]

``parquet``: both runs read the same parquet file in batches of ``--bulk-size`` rows (the
baseline with ``pyarrow.parquet``, the job with the LocalFile source). ``postgres``: both read
the same PostgreSQL table (the baseline with the ADBC driver's Arrow stream, re-cut to
``--bulk-size`` rows, the job with the Jdbc source; ``SEATUNNEL_PY_PG_URL``, default the test
service ``postgresql://seatunnel:seatunnel@127.0.0.1:5432/seatunnel``). Each inserts into the
same kind of table (the MergeTree the sink creates) over HTTP, in its own process (rows/s,
CPU seconds and peak RSS are that process's). The server is the chdb
HTTP front of the connector's tests (started here on a free port) unless
``SEATUNNEL_PY_CLICKHOUSE_URL=http://user:password@host:port`` names a real server. The
server's own time and memory are the same for both runs and are not in the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FRONT = ROOT / "connectors" / "clickhouse" / "tests" / "chdb_front.py"
DATABASE = "bench"
PG_URL = os.environ.get("SEATUNNEL_PY_PG_URL", "postgresql://seatunnel:seatunnel@127.0.0.1:5432/seatunnel")
PG_TABLE = "clickhouse_bench_src"
PG_QUERY = f"SELECT id, name, age, score, created, active, city FROM {PG_TABLE}"


def make_postgres(rows: int) -> None:
    """``rows`` rows in the PostgreSQL table the postgres scenario reads."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {PG_TABLE}")
        conn.execute(f"CREATE TABLE {PG_TABLE} (id bigint PRIMARY KEY, name text, age int, score float8, "
                     "created timestamp, active bool, city text)")
        conn.execute(f"INSERT INTO {PG_TABLE} SELECT i, 'user_' || i, (i % 90)::int, i * 0.5, "
                     "timestamp '1970-01-01' + i * interval '1 second', i % 2 = 0, "
                     f"(ARRAY['Paris','Berlin','Lagos','Lima','Osaka','Quito','Tunis','Oslo'])[i % 8 + 1] "
                     f"FROM generate_series(0, {rows - 1}) AS i")
        conn.execute(f"VACUUM ANALYZE {PG_TABLE}")


def postgres_schema():  # type: ignore[no-untyped-def]
    """The Arrow schema of the PostgreSQL query (asked with LIMIT 0)."""
    import adbc_driver_postgresql.dbapi as adbc

    with adbc.connect(PG_URL) as conn, conn.cursor() as cur:
        cur.execute(PG_QUERY + " LIMIT 0")
        return cur.fetch_arrow_table().schema


def make_parquet(path: Path, rows: int) -> None:
    """``rows`` rows of 8 typical columns, written in row groups of 256k rows."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    chunk = 262_144
    cities = pa.array(["Paris", "Berlin", "Lagos", "Lima", "Osaka", "Quito", "Tunis", "Oslo"])
    with pq.ParquetWriter(path, pa.schema([
        ("id", pa.int64()), ("name", pa.string()), ("age", pa.int32()), ("score", pa.float64()),
        ("price", pa.decimal128(21, 2)), ("created", pa.timestamp("us")), ("active", pa.bool_()),
        ("city", pa.string())])) as writer:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            ids = np.arange(start, start + n, dtype=np.int64)
            writer.write_table(pa.table({
                "id": ids,
                "name": pc.binary_join_element_wise("user_", pc.cast(pa.array(ids), pa.string()), ""),
                "age": pa.array((ids % 90).astype(np.int32)),
                "score": pa.array(ids * 0.5),
                "price": pc.cast(pc.cast(pa.array(ids % 100000), pa.decimal128(19, 0)), pa.decimal128(21, 2)),
                "created": pa.array(ids * 1_000_000, pa.timestamp("us")),
                "active": pa.array(ids % 2 == 0),
                "city": pc.take(cities, pa.array(ids % 8)),
            }))


def server() -> tuple[dict[str, str], subprocess.Popen[str] | None]:
    """Connection settings, and the front process when this script started one."""
    url = os.environ.get("SEATUNNEL_PY_CLICKHOUSE_URL")
    if url:
        parts = urlsplit(url)
        return {"host": parts.hostname or "127.0.0.1", "port": str(parts.port or 8123),
                "user": parts.username or "default", "password": parts.password or ""}, None
    data = tempfile.mkdtemp(prefix="ch-bench-")
    proc = subprocess.Popen([sys.executable, str(FRONT), "--path", data, "--password", "bench"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("ready "):
        raise SystemExit(f"chdb front did not start: {line}")
    return {"host": "127.0.0.1", "port": line.split()[1], "user": "default", "password": "bench"}, proc


def client(conn: dict[str, str]):  # type: ignore[no-untyped-def]
    import clickhouse_connect

    return clickhouse_connect.get_client(host=conn["host"], port=int(conn["port"]), username=conn["user"],
                                         password=conn["password"], autogenerate_session_id=False)


def wait_idle(ch) -> None:  # type: ignore[no-untyped-def]
    """Wait until the server runs no merge or mutation, so that no run pays for the previous one's."""
    for _ in range(600):
        busy = int(ch.command("SELECT (SELECT count() FROM system.merges) + (SELECT count() FROM system.mutations "
                              "WHERE NOT is_done)"))
        if not busy:
            return
        time.sleep(0.1)


def run_baseline(conn: dict[str, str], parquet: Path, table: str, bulk: int) -> int:
    """The plain script: parquet batches straight into ``insert_arrow``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    ch = client(conn)
    rows = 0
    for batch in pq.ParquetFile(parquet).iter_batches(batch_size=bulk):
        ch.insert_arrow(f"{DATABASE}.{table}", pa.Table.from_batches([batch]))
        rows += batch.num_rows
    return rows


def run_pg_baseline(conn: dict[str, str], parquet: Path, table: str, bulk: int) -> int:
    """The plain script: the ADBC Arrow stream of the query, re-cut to ``bulk`` rows, into ``insert_arrow``."""
    import adbc_driver_postgresql.dbapi as adbc
    import pyarrow as pa

    ch = client(conn)
    rows = 0
    pending: list[pa.RecordBatch] = []
    count = 0

    def flush(n: int) -> None:
        nonlocal pending, count, rows
        data = pa.Table.from_batches(pending)
        ch.insert_arrow(f"{DATABASE}.{table}", data.slice(0, n))
        rest = data.slice(n)
        pending, count, rows = rest.to_batches(), rest.num_rows, rows + n

    with adbc.connect(PG_URL) as pg, pg.cursor() as cur:
        cur.execute(PG_QUERY)
        for batch in cur.fetch_record_batch():
            pending.append(batch)
            count += batch.num_rows
            while count >= bulk:
                flush(bulk)
    if count:
        flush(count)
    return rows


def run_engine(conn: dict[str, str], parquet: Path, table: str, bulk: int, postgres: bool = False) -> int:
    """The same through a seatunnel-py job (LocalFile or Jdbc source, Clickhouse sink)."""
    from seatunnel_py import run_job

    user, _, rest = PG_URL.removeprefix("postgresql://").partition(":")
    password, _, address = rest.partition("@")
    source = (f'Jdbc {{ url = "jdbc:postgresql://{address}", username = "{user}", password = "{password}", '
              f'query = "{PG_QUERY}", fetch_size = {bulk} }}' if postgres else
              f'LocalFile {{ path = "{parquet}", file_format_type = "parquet", batch_size = {bulk} }}')
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp) / "bench.conf"
        job.write_text(f"""
env {{ job.mode = "BATCH" }}
source {{ {source} }}
sink {{ Clickhouse {{
  host = "{conn['host']}:{conn['port']}"
  username = "{conn['user']}"
  password = "{conn['password']}"
  database = "{DATABASE}"
  table = "{table}"
  bulk_size = {bulk}
}} }}
""")
        result = run_job(job, state_store=str(Path(tmp) / "state"))
    return result.metrics.written_rows


def child(argv: list[str]) -> None:
    """``clickhouse_bench.py {baseline|engine|pg-baseline|pg-engine} CONN PARQUET TABLE BULK``: rows, seconds."""
    mode, conn, parquet, table, bulk = argv
    started = time.perf_counter()
    args = (json.loads(conn), Path(parquet), table, int(bulk))
    if mode == "baseline":
        rows = run_baseline(*args)
    elif mode == "pg-baseline":
        rows = run_pg_baseline(*args)
    else:
        rows = run_engine(*args, postgres=mode == "pg-engine")
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))


def measure_pair(ch, conn: dict[str, str], parquet: Path, schema, rows: int,  # type: ignore[no-untyped-def]
                 runs: list[tuple[str, str]], bulk: int) -> list[Any]:
    """Measure every run into a fresh table of the sink's DDL; the fastest per label, in order."""
    from run import measure  # bench/run.py
    from seatunnel_py_clickhouse.options import ClickhouseSinkOptions
    from seatunnel_py_clickhouse.table import create_statement

    best: dict[str, Any] = {}
    for label, mode in runs:
        table = f"t_{mode.replace('-', '_')}_{rows}"
        opts = ClickhouseSinkOptions.model_validate({
            "host": "x:1", "username": "u", "password": "p", "database": DATABASE, "table": table})
        ch.command(f"DROP TABLE IF EXISTS {DATABASE}.{table} SYNC")
        ch.command(create_statement(opts, schema))
        wait_idle(ch)
        run = measure(label, [__file__, mode, json.dumps(conn), str(parquet), table, str(bulk)])
        stored = int(ch.command(f"SELECT count() FROM {DATABASE}.{table}"))
        if stored != rows:
            raise SystemExit(f"{label}: {stored} rows in the table, expected {rows}")
        ch.command(f"DROP TABLE {DATABASE}.{table} SYNC")
        if label not in best or run.seconds < best[label].seconds:
            best[label] = run
    return list(best.values())


def main() -> None:
    """Parse arguments, run every size beside its baseline, print the table."""
    if len(sys.argv) > 1 and sys.argv[1] in ("baseline", "engine", "pg-baseline", "pg-engine"):
        child(sys.argv[1:])
        return
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT / "connectors" / "clickhouse"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000", help="comma-separated row counts")
    parser.add_argument("--bulk-size", type=int, default=100_000, help="rows per insert (both runs)")
    parser.add_argument("--scenario", default="parquet", help="comma-separated: parquet, postgres")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure each run this many times, alternating, and keep the fastest")
    args = parser.parse_args()
    conn, front = server()
    try:
        ch = client(conn)
        ch.command(f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
        print(f"{'scenario':<9} {'rows':>11}  {'run':<40} {'rows/s':>10} {'CPU s':>7} {'peak MB':>8} {'ratio':>6}")
        for scenario in args.scenario.split(","):
            for rows in (int(r) for r in args.rows.split(",")):
                with tempfile.TemporaryDirectory(prefix="ch-bench-") as tmp:
                    parquet = Path(tmp) / "in.parquet"
                    if scenario == "postgres":
                        make_postgres(rows)
                        schema = postgres_schema()
                        runs = [("baseline: ADBC → insert_arrow", "pg-baseline"),
                                ("seatunnel-py Jdbc → Clickhouse", "pg-engine")]
                    else:
                        make_parquet(parquet, rows)
                        import pyarrow.parquet as pq

                        schema = pq.read_schema(parquet)
                        runs = [("baseline: parquet → insert_arrow", "baseline"),
                                ("seatunnel-py LocalFile → Clickhouse", "engine")]
                    results = measure_pair(ch, conn, parquet, schema, rows, runs * args.repeat, args.bulk_size)
                base = results[0].rows_per_second
                for run in results:
                    print(f"{scenario:<9} {rows:>11,}  {run.label:<40} {run.rows_per_second:>10,.0f} "
                          f"{run.cpu_seconds:>7.1f} {run.peak_mb:>8.0f} {run.rows_per_second / base:>5.2f}x",
                          flush=True)
    finally:
        if front is not None:
            front.terminate()
            front.wait()


if __name__ == "__main__":
    main()
