"""The end-of-job report: SeaTunnel's "Job Statistic Information" block, plus throughput."""

from __future__ import annotations

from .runner import JobResult

WIDTH = 47


def format_table(title: str, rows: list[tuple[str, object]]) -> str:
    """SeaTunnel's layout: 47 stars, the centred title, ``%-26s: %19s`` lines."""
    stars = "*" * WIDTH
    lines = [stars, " " * ((WIDTH - len(title)) // 2) + title, stars]
    lines += [f"{label:<26}: {value!s:>19}" for label, value in rows]
    lines.append(stars)
    return "\n".join(lines)


def statistic_block(result: JobResult) -> str:
    """The block printed when a job succeeds.

    ``Total Failed Count`` counts rows rejected by an error policy; unlike SeaTunnel it is
    not ``read - write`` (which counts filtered rows and fan-out as failures).
    """
    metrics = result.metrics
    seconds = max(result.seconds, 1e-9)
    rows = [
        ("Start Time", result.start_time.strftime("%Y-%m-%d %H:%M:%S")),
        ("End Time", result.end_time.strftime("%Y-%m-%d %H:%M:%S")),
        ("Total Time(s)", int(result.seconds)),
        ("Total Read Count", metrics.read_rows),
        ("Total Write Count", metrics.written_rows),
        ("Total Failed Count", metrics.failed_rows),
        ("Read Rows Per Second", f"{metrics.read_rows / seconds:,.0f}/s"),
        ("Write Rows Per Second", f"{metrics.written_rows / seconds:,.0f}/s"),
        ("Read Bytes Per Second", f"{metrics.read_bytes / seconds / 1e6:,.1f} MB/s"),
        ("Checkpoints", result.checkpoints),
        ("Last Checkpoint Id", "-" if result.last_checkpoint_id is None else result.last_checkpoint_id),
        ("Resumed From Checkpoint", "-" if result.restored_from is None else result.restored_from),
    ]
    if result.stopped:
        rows.append(("Stopped By", "signal"))
    return format_table("Job Statistic Information", rows)
