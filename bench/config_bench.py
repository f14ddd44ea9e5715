"""Benchmark: reading large job files (issue 12 item 13).

Three generated inputs, measured side by side in one run, each in a fresh process:

* ``hocon-rows``: a FakeSource job with ``--mb`` MB of explicit rows
  (``{ kind = INSERT, fields = [1, "name 1"] }`` one a line);
* ``hocon-comments``: a small job after ``--comment-mb`` MB of ``#`` comment lines;
* ``json-rows``: the rows job in the JSON form (the baseline: ``json`` is C code).

For each: ``load`` (read and parse the file, with the line of every key) and ``check``
(the whole of ``seatunnel-py check``: parse, bind every option, plan), in seconds, MB/s
of the file, peak memory of the process, and the ratio of the load time to the JSON
job's. ``--against REV`` measures a git revision's code the same way in the same run
(e.g. 3c20024, the pyhocon-based reader: about 19 s per MB of rows, 5 s per MB of comments).

Usage: ``.venv/bin/python bench/config_bench.py [--mb 10] [--comment-mb 5] [--repeat 1]
[--against REV] [--skip-check]``. Times are medians of ``--repeat`` rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAD = 'env {\n  job.mode = "BATCH"\n}\nsource {\n  FakeSource {\n    plugin_output = "fake"\n' \
       "    schema = { fields { id = bigint, name = string } }\n    rows = [\n"
TAIL = "    ]\n  }\n}\nsink {\n  Console { plugin_input = \"fake\", log.print.data = false }\n}\n"

MEASURE = r"""
import json, resource, sys, time
from seatunnel_py.config.loader import load_file
path, check = sys.argv[1], sys.argv[2] == "1"
t = time.perf_counter()
raw = load_file(path)
load = time.perf_counter() - t
checked = None
if check:
    from seatunnel_py.jobs import check_job
    t = time.perf_counter()
    check_job(path)
    checked = time.perf_counter() - t
print(json.dumps({"load": load, "check": checked, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def rows_hocon(mb: float) -> tuple[str, int]:
    """A FakeSource job of about ``mb`` MB of explicit rows, and its row count."""
    parts, size, i = [HEAD], len(HEAD), 0
    while size < mb * 1e6:
        row = f'      {{ kind = INSERT, fields = [{i}, "name {i}"] }}\n'
        parts.append(row)
        size += len(row)
        i += 1
    parts.append(TAIL)
    return "".join(parts), i


def rows_json(count: int) -> str:
    """The same job in the JSON form, one row a line."""
    rows = ",\n".join(json.dumps({"kind": "INSERT", "fields": [i, f"name {i}"]}) for i in range(count))
    return (
        '{\n  "env": {"job.mode": "BATCH"},\n  "source": [{\n    "plugin_name": "FakeSource",\n'
        '    "plugin_output": "fake",\n    "schema": {"fields": {"id": "bigint", "name": "string"}},\n'
        f'    "rows": [\n{rows}\n    ]\n  }}],\n'
        '  "sink": [{"plugin_name": "Console", "plugin_input": "fake", "log.print.data": false}]\n}\n'
    )


def comments_hocon(mb: float) -> str:
    """A small job after about ``mb`` MB of comment lines."""
    line = "# a comment line of the kind people leave above their jobs, repeated many times ....\n"
    return line * int(mb * 1e6 / len(line)) + HEAD + '      { kind = INSERT, fields = [1, "a"] }\n' + TAIL


def export(rev: str, into: Path) -> Path:
    """The ``seatunnel_py`` package of git revision ``rev``, unpacked under ``into``."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "seatunnel_py"], check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def measure(path: Path, check: bool, code_root: Path | None) -> dict[str, float]:
    """One round in a fresh process (``code_root`` replaces the checkout's package)."""
    env = dict(os.environ)
    if code_root is not None:
        env["PYTHONPATH"] = str(code_root)
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path), "1" if check else "0"], check=True,
                         capture_output=True, text=True, env=env, cwd=path.parent).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of the rows jobs in MB")
    parser.add_argument("--comment-mb", type=float, default=5.0, help="MB of comments")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--against", help="also measure this git revision (e.g. HEAD~1)")
    parser.add_argument("--skip-check", action="store_true", help="measure loading only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        text, count = rows_hocon(args.mb)
        inputs = {
            "json-rows": folder / "rows.json",
            "hocon-rows": folder / "rows.conf",
            "hocon-comments": folder / "comments.conf",
        }
        inputs["hocon-rows"].write_text(text)
        inputs["json-rows"].write_text(rows_json(count))
        inputs["hocon-comments"].write_text(comments_hocon(args.comment_mb))
        codes: dict[str, Path | None] = {"this checkout": None}
        if args.against:
            codes[args.against] = export(args.against, folder / "against")
        print(f"{count:,} rows; {args.repeat} round(s); times in seconds (medians)\n")
        print(f"{'code':<16} {'input':<15} {'MB':>6} {'load':>8} {'MB/s':>7} {'check':>8} {'peak MB':>8} "
              f"{'vs JSON':>8}")
        for label, code in codes.items():
            baseline = None
            for name, path in inputs.items():
                rounds = [measure(path, not args.skip_check, code) for _ in range(args.repeat)]
                load = statistics.median(r["load"] for r in rounds)
                checks = [r["check"] for r in rounds if r["check"] is not None]
                check = f"{statistics.median(checks):8.2f}" if checks else f"{'-':>8}"
                rss = max(r["rss_mb"] for r in rounds)
                size = path.stat().st_size / 1e6
                baseline = load if name == "json-rows" else baseline
                ratio = load / baseline if baseline else 1.0
                print(f"{label:<16} {name:<15} {size:6.1f} {load:8.2f} {size / load:7.1f} {check} {rss:8.0f} "
                      f"{ratio:7.2f}x")


if __name__ == "__main__":
    main()
