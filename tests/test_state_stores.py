"""State stores: a local directory, SQLite and PostgreSQL through SQLAlchemy, ``file://`` through pyarrow.fs.

PostgreSQL is the server started by ``integration/services.sh`` (127.0.0.1:5432). Outside
CI a missing server skips its cases; in CI (``CI=true``) it fails them.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from seatunnel_py.engine.state import Checkpoint, StateError, StateLocked, StateStore, open_store
from seatunnel_py.engine.state.local import LocalStateStore
from seatunnel_py.engine.state.objectstore import ObjectStateStore
from seatunnel_py.engine.state.sql import SqlStateStore

from .conftest import run_cli

POSTGRES_URL = "postgresql://seatunnel:seatunnel@127.0.0.1:5432/seatunnel"


def postgres_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def store_url(kind: str, tmp_path: Path) -> str:
    if kind == "directory":
        return str(tmp_path / "dir-store")
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    if kind == "file-uri":
        return f"file://{tmp_path / 'objects'}"
    if not postgres_up():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not running on 127.0.0.1:5432 (integration/services.sh start)")
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    return POSTGRES_URL


KINDS = ["directory", "sqlite", "file-uri", "postgresql"]


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    opened = open_store(store_url(request.param, tmp_path))
    yield opened
    opened.close()


def unique_job() -> str:
    return f"job/{uuid.uuid4().hex[:8]} with spaces"  # a name that is not a safe file name


def test_store_kinds_are_chosen_by_url(tmp_path: Path) -> None:
    assert isinstance(open_store(str(tmp_path)), LocalStateStore)
    assert isinstance(open_store(f"sqlite:///{tmp_path}/s.db"), SqlStateStore)
    assert isinstance(open_store(f"file://{tmp_path}"), ObjectStateStore)
    assert isinstance(open_store(None, {"SEATUNNEL_PY_STATE_STORE": f"sqlite:///{tmp_path}/e.db"}), SqlStateStore)
    default = open_store(None, {"XDG_STATE_HOME": str(tmp_path / "xdg")})
    assert isinstance(default, LocalStateStore) and default.url == str(tmp_path / "xdg" / "seatunnel-py" / "state")
    home = open_store(None, {})
    assert isinstance(home, LocalStateStore)
    assert home.url == str(Path.home() / ".local" / "state" / "seatunnel-py" / "state")


def test_save_load_replace_delete(store: StateStore) -> None:
    job = unique_job()
    assert store.load(job) is None
    first = Checkpoint(job_name=job, checkpoint_id=1, plugins={"source[0]": "FakeSource"},
                       splits={"source[0]": {"a": {"rows_done": 5}}}, pending={"sink[0]": [{"f": "x"}]})
    store.save(first)
    loaded = store.load(job)
    assert loaded is not None and loaded.splits == first.splits and loaded.pending == first.pending
    store.save(Checkpoint(job_name=job, checkpoint_id=2, finished=True))
    replaced = store.load(job)
    assert replaced is not None and replaced.checkpoint_id == 2 and replaced.finished and replaced.splits == {}
    assert job in store.jobs()
    assert store.delete(job) and store.load(job) is None and not store.delete(job)


def test_lock_is_exclusive_and_released(store: StateStore, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    job = unique_job()
    other = open_store(store.url if "***" not in store.url else POSTGRES_URL)
    try:
        store.acquire(job)
        if isinstance(other, ObjectStateStore):  # the same process owns the lease: pretend another host does
            lease = f"{other._path(job, 'lock.json')}"
            other._write(lease, json.dumps({"owner": "elsewhere:1", "host": "elsewhere", "pid": 1,
                                            "expires": time.time() + 60}).encode())
        with pytest.raises(StateLocked, match="is already running"):
            other.acquire(job)
        store.release(job)
        if isinstance(other, ObjectStateStore):
            other._fs.delete_file(lease)
        other.acquire(job)  # free again
        other.release(job)
    finally:
        other.close()


def test_object_store_takes_over_a_lease_of_a_dead_process_on_this_host(tmp_path: Path) -> None:
    store = ObjectStateStore(f"file://{tmp_path}")
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    store._write(store._path("j", "lock.json"), json.dumps(
        {"owner": f"{socket.gethostname()}:{dead}", "host": socket.gethostname(), "pid": dead,
         "expires": time.time() + 60}).encode())
    store.acquire("j")  # the holder is gone: no need to wait for the lease to expire
    store.release("j")


def test_corrupt_rows_are_reported(tmp_path: Path) -> None:
    store = SqlStateStore(f"sqlite:///{tmp_path / 'bad.db'}")
    store.save(Checkpoint(job_name="j", checkpoint_id=1))
    with store._engine.begin() as conn:
        conn.execute(store._table.update().values(payload="{not json"))
    with pytest.raises(StateError, match=r"saved state at sqlite:///.*bad.db \(seatunnel_py_state, job 'j'\) is corrupt"):
        store.load("j")
    store.close()


def test_passwords_in_store_urls_are_masked(tmp_path: Path) -> None:
    store = open_store("postgresql://user:s3cret@127.0.0.1:1/db")
    assert "s3cret" not in store.url and "***" in store.url
    with pytest.raises(Exception) as caught:
        store.load("j")
    assert "s3cret" not in str(caught.value)
    store.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_job_keeps_its_state_in_the_store_its_env_names(
        kind: str, write_job: Callable[..., Path], tmp_path: Path) -> None:
    url = store_url(kind, tmp_path)
    name = f"env-store-{uuid.uuid4().hex[:6]}"
    job = write_job(f"""
        env {{ job.name = "{name}", state.store = "{url}" }}
        source {{ FakeSource {{ row.num = 4, schema = {{ fields {{ id = bigint }} }} }} }}
        sink {{ Console {{}} }}
        """)
    first = run_cli("run", job)
    assert first.returncode == 0, first.stderr
    second = run_cli("run", job)
    assert second.returncode == 0, second.stderr
    assert "resuming job" in second.stderr and "Total Read Count          :                   0" in second.stdout
    shown = run_cli("state", "show", job)
    assert shown.returncode == 0, shown.stderr
    assert "checkpoint id: 2" in shown.stdout and "seatunnel:seatunnel@" not in shown.stdout
    assert run_cli("state", "reset", job, "--yes").returncode == 0


def test_the_default_store_does_not_depend_on_the_working_directory(
        write_job: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same job file started from two folders resumes (and is locked) in one place."""
    monkeypatch.delenv("SEATUNNEL_PY_STATE_STORE")
    env = {"XDG_STATE_HOME": str(tmp_path / "xdg")}
    path = write_job("""
        source { FakeSource { row.num = 5, schema = { fields { id = bigint } } } }
        sink { Console {} }
        """)
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    first_dir.mkdir()
    second_dir.mkdir()
    first = run_cli("run", "--no-progress", path, env=env, cwd=first_dir)
    second = run_cli("run", "--no-progress", path, env=env, cwd=second_dir)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "Total Read Count          :                   5" in first.stdout
    assert "Total Read Count          :                   0" in second.stdout  # resumed: nothing new
    assert list((tmp_path / "xdg" / "seatunnel-py" / "state").iterdir())
    assert not (first_dir / ".seatunnel-py").exists() and not (second_dir / ".seatunnel-py").exists()


def test_state_left_by_the_old_default_is_moved_over(write_job: Callable[..., Path], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEATUNNEL_PY_STATE_STORE")
    path = write_job('env { job.name = "legacy" }\nsource { FakeSource { row.num = 5, schema = { fields { id = bigint } } } }\nsink { Console {} }')
    old = tmp_path / "cwd"
    old.mkdir()
    run_cli("run", "--no-progress", path, env={"SEATUNNEL_PY_STATE_STORE": str(old / ".seatunnel-py" / "state")})
    result = run_cli("run", "--no-progress", path, env={"XDG_STATE_HOME": str(tmp_path / "xdg")}, cwd=old)
    assert result.returncode == 0, result.stderr
    assert "moved its state from" in result.stderr
    assert "Total Read Count          :                   0" in result.stdout


def test_a_relative_state_store_in_the_job_is_taken_from_the_job_files_folder(
        write_job: Callable[..., Path], tmp_path: Path) -> None:
    path = write_job('env { state.store = "my-state" }\nsource { FakeSource { row.num = 1, schema = { fields { id = bigint } } } }\nsink { Console {} }',
                     name="jobs/job.conf")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert run_cli("run", "--no-progress", path, cwd=elsewhere).returncode == 0
    assert (tmp_path / "jobs" / "my-state").is_dir()
    assert not (elsewhere / "my-state").exists()


@pytest.mark.parametrize("kind", ["not-a-folder", "wrong-password"])
def test_a_store_that_cannot_be_used_is_one_line_not_a_traceback(kind: str, write_job: Callable[..., Path],
                                                                tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    url = str(blocker / "state") if kind == "not-a-folder" else POSTGRES_URL.replace(":seatunnel@", ":wrong@")
    path = write_job("source { FakeSource { row.num = 1, schema = { fields { id = bigint } } } }\nsink { Console {} }")
    result = run_cli("run", "--no-progress", "--state-store", url, path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR state store "), result.stderr
    assert ("Not a directory" if kind == "not-a-folder" else "password authentication failed") in lines[0]
    assert ":wrong@" not in result.stderr


def test_a_corrupt_split_state_names_the_state_not_just_a_value_error(write_job: Callable[..., Path],
                                                                      tmp_path: Path) -> None:
    path = write_job('env { job.name = corrupt }\nsource { FakeSource { row.num = 5, schema = { fields { id = bigint } } } }'
                     '\nsink { Console {} }')
    state = tmp_path / "state"
    assert run_cli("run", "--no-progress", "--state-store", state, path).returncode == 0
    saved = state / "corrupt" / "checkpoint.json"
    document = json.loads(saved.read_text())
    for split in document["splits"]["source[0]"].values():
        split["rows_done"] = "abc"
    saved.write_text(json.dumps(document))
    result = run_cli("run", "--no-progress", "--state-store", state, path)
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert "source.FakeSource failed: the saved state of split 'fake-0-0'" in line and "--ignore-state" in line, line
