"""``seatunnel-py state show JOB`` and ``state reset JOB``: a job's saved checkpoint."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from ..api.errors import SeaTunnelError
from ..config.issues import ConfigErrors
from ..engine.state import Checkpoint, StateError, StateLocked, StateStore, open_store
from .output import error

app = typer.Typer(help="Show or reset the saved checkpoint of a job.", no_args_is_help=True)

STATE_STORE_HELP = ("where state is saved: a directory, sqlite:/postgresql:/mysql: URL or s3://, gs://, "
                    "hdfs://, file:// URI (default: the job's env.state.store, $SEATUNNEL_PY_STATE_STORE, "
                    "else ~/.local/state/seatunnel-py/state)")
JOB_HELP = "a job file (its job.name, or the file itself when unnamed) or a job name"


def _resolve(job: str, state_store: str | None) -> tuple[str, StateStore]:
    """The state key and store for ``job`` (a job file or a job name)."""
    if Path(job).is_file():
        from ..engine.restore import state_key
        from ..jobs import load_job, store_location

        try:
            config = load_job(job)
        except ConfigErrors as exc:
            for issue in exc.issues:
                error(issue.render())
            raise typer.Exit(2) from None
        return state_key(config), open_store(store_location(config, state_store))
    return job, open_store(state_store)


def _describe(saved: Checkpoint) -> list[str]:
    lines = [
        f"checkpoint id: {saved.checkpoint_id}",
        f"saved at:      {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(saved.created_at))}",
        f"by run:        {saved.run_id or '-'} ({'ended normally' if saved.finished else 'still running or crashed'})",
    ]
    if not saved.plugins:
        lines.append("positions:     none (reset; checkpoint ids continue from here)")
    for key, name in sorted(saved.plugins.items()):
        if key.startswith("source"):
            splits = saved.splits.get(key, {})
            lines.append(f"{key} {name}: {len(splits)} split(s)")
            for split_id, state in sorted(splits.items()):
                lines.append(f"    {split_id}: {json.dumps(state, sort_keys=True, default=str)}")
        else:
            pending = saved.pending.get(key, [])
            writers = saved.writers.get(key, {})
            done = "committed" if saved.committed else "not known to be committed"
            lines.append(f"{key} {name}: {len(pending)} commit info(s) of this checkpoint ({done}), "
                         f"{len(writers)} writer state(s)")
    return lines


@app.command("show")
def show(
    job: str = typer.Argument(..., help=JOB_HELP),
    state_store: str | None = typer.Option(None, "--state-store", help=STATE_STORE_HELP, metavar="URL"),
) -> None:
    """Print the job's last saved checkpoint: id, time, split positions, pending commits."""
    key, store = _resolve(job, state_store)
    try:
        saved = store.load(key)
        if saved is None:
            known = store.jobs()
            hint = f" (jobs with state: {', '.join(known)})" if known else ""
            error(f"no saved state for job {key!r} in {store.url}{hint}")
            raise typer.Exit(1)
        typer.echo(f"job {key!r} in {store.url}")
        for line in _describe(saved):
            typer.echo(f"  {line}")
    except (StateError, SeaTunnelError) as exc:
        error(f"ERROR {exc}")
        raise typer.Exit(1) from None
    finally:
        store.close()


@app.command("reset")
def reset(
    job: str = typer.Argument(..., help=JOB_HELP),
    state_store: str | None = typer.Option(None, "--state-store", help=STATE_STORE_HELP, metavar="URL"),
    yes: bool = typer.Option(False, "--yes", "-y", help="do not ask for confirmation (scripts)", metavar=""),
) -> None:
    """Forget the job's positions: its next run starts from the beginning.

    Checkpoint ids keep counting from the last one, so ids sinks derive from them
    (transaction ids, deduplication tokens) never repeat. Refused while the job runs.
    """
    key, store = _resolve(job, state_store)
    try:
        with store.locked(key):
            corrupt = False
            try:
                saved = store.load(key)
            except StateError as exc:  # an unusable state can be reset too
                typer.echo(f"saved state is unusable: {exc}")
                saved, corrupt = None, True
            if saved is None and not corrupt:
                typer.echo(f"no saved state for job {key!r} in {store.url}")
                return
            last_id = saved.checkpoint_id if saved else 0
            if not yes and not typer.confirm(f"Forget the saved positions of job {key!r} in {store.url}?"):
                raise typer.Exit(1)
            store.save(Checkpoint(job_name=key, checkpoint_id=last_id, finished=True, run_id="reset"))
            typer.echo(f"state of job {key!r} reset (next checkpoint id {last_id + 1})")
    except StateLocked as exc:
        error(f"ERROR {exc}")
        raise typer.Exit(1) from None
    except SeaTunnelError as exc:
        error(f"ERROR {exc}")
        raise typer.Exit(1) from None
    finally:
        store.close()
