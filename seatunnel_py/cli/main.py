"""``seatunnel-py``: run and check job files, list plugins.

Exit codes: 0 success, 1 the job failed, 2 bad job file or usage.
"""

from __future__ import annotations

import atexit
import enum
import logging
import os
import sys
import threading
from typing import NoReturn

import typer

from .. import __version__
from ..api.errors import PlanError
from ..config.issues import ConfigErrors, UsageError
from ..config.variables import parse_variables
from ..engine.metrics import JobMetrics
from ..engine.runner import JobFailed
from ..engine.state import StateError, StateLocked
from ..engine.summary import statistic_block
from ..registry import DuplicatePluginError
from .output import Progress, error, setup_logging
from .plugins_cmd import app as plugins_app
from .state_cmd import STATE_STORE_HELP
from .state_cmd import app as state_app

log = logging.getLogger("seatunnel_py")

app = typer.Typer(
    name="seatunnel-py",
    help="Run SeaTunnel-style HOCON data integration jobs on Apache Arrow.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(plugins_app, name="plugins")
app.add_typer(state_app, name="state")

class LogFormat(str, enum.Enum):
    """``--log-format``."""

    TEXT = "text"
    JSON = "json"


VARIABLE_HELP = "variable for ${key} in the job file: -i key=value (repeatable; commas split pairs)"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"seatunnel-py {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="print the version",
                                 metavar=""),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, metavar="",
                                 help="debug logging with tracebacks and thread stacks (-vv: the same)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="warnings and errors only", metavar=""),
    log_format: LogFormat = typer.Option(LogFormat.TEXT, "--log-format", case_sensitive=False,
                                         help="text lines, or one JSON object per line (job key, run id, plugin, "
                                              "checkpoint) for log collectors"),
) -> None:
    """Run SeaTunnel-style HOCON data integration jobs on Apache Arrow."""
    setup_logging(verbose, quiet, json_lines=log_format is LogFormat.JSON)


def summarised(value: object, depth: int = 0) -> object:
    """``value`` cut for display: long lists and strings shortened, so ``check`` of a job with
    80,000 explicit rows prints a few lines, not megabytes."""
    if isinstance(value, dict):
        return {k: summarised(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) > 5:
            return [*(summarised(v, depth + 1) for v in value[:3]), f"... {len(value):,} items in all"]
        return [summarised(v, depth + 1) for v in value]
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + f"... ({len(value):,} characters)"
    return value


def _fail_config(exc: ConfigErrors | UsageError | PlanError | DuplicatePluginError) -> None:
    if isinstance(exc, ConfigErrors):
        for issue in exc.issues:
            error(issue.render())
        error(f"{len(exc.issues)} error(s) in the job file")
    else:
        error(f"error: {exc}")
    raise typer.Exit(2)


@app.command()
def check(
    job: str = typer.Argument(..., help="job file (HOCON, or JSON when it ends in .json)"),
    variable: list[str] = typer.Option([], "--variable", "-i", help=VARIABLE_HELP, metavar="KEY=VALUE"),
) -> None:
    """Validate a job completely (options, wiring, schemas) without connecting anywhere."""
    from ..engine.restore import state_key
    from ..jobs import check_job

    try:
        plan = check_job(job, parse_variables(variable))
    except (ConfigErrors, UsageError, PlanError, DuplicatePluginError) as exc:
        _fail_config(exc)
        return
    except JobFailed as exc:  # a plugin could not reach its server to plan (e.g. read a schema)
        error(f"ERROR {exc}")
        raise typer.Exit(1) from None
    typer.echo(f"{job}: OK ({plan.job.env.job_mode.value}, job key = {state_key(plan.job)})")
    for node in [*plan.sources, *plan.transforms, *plan.sinks]:
        inputs = ", ".join(p.label for p in node.producers)
        arrow = f" <- {inputs}" if inputs else ""
        typer.echo(f"  {node.label}{arrow}")
        if node.output_schema is not None:
            cols = ", ".join(f"{f.name}: {f.type}" for f in node.output_schema)
            typer.echo(f"      columns: {cols}")
        options = node.spec.masked_options()
        if options:
            typer.echo(f"      options: {summarised(options)}")


@app.command()
def run(
    job: str = typer.Argument(..., help="job file (HOCON, or JSON when it ends in .json)"),
    variable: list[str] = typer.Option([], "--variable", "-i", help=VARIABLE_HELP, metavar="KEY=VALUE"),
    name: str | None = typer.Option(None, "--name", "-n", help="job name (overrides env.job.name)", metavar="NAME"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="show progress while running",
                                  metavar=""),
    ignore_state: bool = typer.Option(
        False, "--ignore-state", help="start from the beginning instead of the job's last checkpoint", metavar=""),
    state_store: str | None = typer.Option(None, "--state-store", help=STATE_STORE_HELP, metavar="URL"),
    report: str | None = typer.Option(None, "--report", help="write a JSON run report to this file (also on "
                                      "failure; overrides env.report)", metavar="FILE"),
) -> None:
    """Run a job: BATCH to completion, STREAMING until SIGTERM/SIGINT; print its statistics.

    A job resumes from its last saved checkpoint (same job.name), so a cron run reads
    only what is new. The first SIGTERM/SIGINT stops reading, takes a final checkpoint,
    commits and exits 0; a second one stops at once. Exit codes: 0 done, 1 failed, 2 bad
    job file, 3 done with rejected rows, 75 retryable (server unreachable, timeout, lock
    held), 130 stopped at once.
    """
    from ..engine.outcome import exit_code
    from ..jobs import run_job

    metrics = JobMetrics()
    try:
        variables = parse_variables(variable)
        with Progress(metrics, enabled=progress):
            result = run_job(job, variables, job_name=name, metrics=metrics, state_store=state_store,
                             ignore_state=ignore_state, handle_signals=True, report=report)
    except (ConfigErrors, UsageError, PlanError, DuplicatePluginError) as exc:
        _fail_config(exc)
        return
    except (StateError, StateLocked) as exc:
        error(f"ERROR {exc}")
        raise typer.Exit(exit_code(exc)) from None
    except JobFailed as exc:
        log.debug("job failed", exc_info=exc.cause)
        error(f"ERROR job failed: {exc}")
        raise typer.Exit(exit_code(exc)) from None
    except KeyboardInterrupt:
        error("ERROR job interrupted")
        raise typer.Exit(exit_code(KeyboardInterrupt())) from None
    typer.echo(statistic_block(result))
    code = exit_code(None, result.metrics)
    if code:
        error(f"WARNING {result.metrics.failed_rows:,} row(s) were rejected by an error policy (exit {int(code)})")
        raise typer.Exit(code)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit as exc:  # typer ends every command this way, with its exit code
        code = exc.code
    except BrokenPipeError:
        code = 1
    except DuplicatePluginError as exc:  # plugin discovery runs before any command can catch it
        error(f"error: {exc}")
        code = 2
    else:
        code = 0
    exit_now(code)


def exit_now(code: int | str | None) -> NoReturn:
    """End the process without tearing the interpreter down.

    Once a command has returned, the job has closed its clients and committed; what is left
    is Python's module teardown and final garbage collection, about 0.25 s with pyarrow,
    pydantic and the plugins loaded, which a cron job or a benchmark of a short job pays on
    every run. The atexit handlers (logging's flush among them) and the flush of stdout and
    stderr still run. While a plugin's non-daemon thread is still alive the exit is the
    normal one, which waits for it.
    """
    if isinstance(code, str):
        error(code)
        code = 1
    status = 0 if code is None else int(code)
    main_thread = threading.main_thread()
    if any(t is not main_thread and not t.daemon for t in threading.enumerate()):
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            status = status or 1
    os._exit(status)
