"""State in an object store (S3, GCS, HDFS, Azure, or ``file://``) through ``pyarrow.fs``.

A checkpoint is one object, written with a single PUT, which object stores make
visible atomically (on ``file://`` a temporary file is renamed into place). Object
stores have no locks, so the run lock is a lease object ``lock.json`` naming its
holder and an expiry, renewed while the run lives. A lease left by a crashed process
on the same host is taken over at once (its process is gone); one from another host
blocks until it expires (``LEASE_SECONDS``). Two hosts starting within the same
instant can both pass the check: keep one scheduler per job.

S3 credentials come from where the AWS SDK looks for them: ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` (/ ``AWS_SESSION_TOKEN``), ``AWS_PROFILE`` and the shared files, a
web-identity token (Kubernetes), the instance metadata. An S3-compatible server (MinIO, Ceph,
moto) is named by the URL's ``endpoint_override`` query option
(``s3://bucket/state?endpoint_override=http://minio:9000``), else by ``AWS_ENDPOINT_URL_S3`` or
``AWS_ENDPOINT_URL``, the SDK's own variables, honoured here whatever the pyarrow version.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ...api.errors import SeaTunnelError
from .model import Checkpoint, StateLocked
from .store import StateStore, job_from_key, job_key, mask_url, owner_id

LEASE_SECONDS = 120.0
RENEW_SECONDS = 30.0


def with_endpoint(uri: str, environ: Mapping[str, str] | None = None) -> str:
    """``uri`` with ``endpoint_override`` from ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL`` when it names none.

    Only ``s3://`` URIs are touched; an ``endpoint_override`` in the URI wins over the environment.
    """
    parts = urlsplit(uri)
    if parts.scheme != "s3":
        return uri
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "endpoint_override" for key, _ in query):
        return uri
    env = os.environ if environ is None else environ
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if not endpoint:
        return uri
    return urlunsplit(parts._replace(query=urlencode([*query, ("endpoint_override", endpoint)])))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ObjectStateStore(StateStore):
    """``<uri>/<job>/checkpoint.json`` and ``<uri>/<job>/lock.json`` through ``pyarrow.fs``."""

    def __init__(self, uri: str) -> None:
        from pyarrow import fs

        self.url = mask_url(uri)
        try:
            self._fs, self._base = fs.FileSystem.from_uri(with_endpoint(uri))
        except Exception as exc:
            raise SeaTunnelError(f"state store {self.url}: {mask_url(str(exc))}") from None
        self._local = isinstance(self._fs, fs.LocalFileSystem)
        self._renewers: dict[str, tuple[threading.Event, threading.Thread]] = {}

    def _path(self, job_name: str, name: str) -> str:
        return f"{self._base.rstrip('/')}/{job_key(job_name)}/{name}"

    def _read(self, path: str) -> bytes | None:
        from pyarrow import fs

        if self._fs.get_file_info(path).type == fs.FileType.NotFound:
            return None
        with self._fs.open_input_stream(path) as stream:
            return bytes(stream.read())

    def _write(self, path: str, data: bytes) -> None:
        self._fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
        target = f"{path}.{uuid.uuid4().hex[:8]}.tmp" if self._local else path
        with self._fs.open_output_stream(target) as out:
            out.write(data)
        if self._local:
            self._fs.move(target, path)

    def load(self, job_name: str) -> Checkpoint | None:
        path = self._path(job_name, "checkpoint.json")
        data = self._read(path)
        return None if data is None else Checkpoint.from_json(data, f"{self.url} ({path})")

    def save(self, checkpoint: Checkpoint) -> int:
        data = checkpoint.to_json()
        self._write(self._path(checkpoint.job_name, "checkpoint.json"), data)
        return len(data)

    def delete(self, job_name: str) -> bool:
        path = self._path(job_name, "checkpoint.json")
        if self._read(path) is None:
            return False
        self._fs.delete_file(path)
        return True

    def jobs(self) -> list[str]:
        from pyarrow import fs

        selector = fs.FileSelector(self._base, allow_not_found=True)
        names = []
        for info in self._fs.get_file_info(selector):
            if info.type == fs.FileType.Directory and self._read(f"{info.path}/checkpoint.json") is not None:
                names.append(job_from_key(info.base_name))
        return sorted(names)

    def _lease(self) -> dict[str, Any]:
        return {"owner": owner_id(), "host": socket.gethostname(), "pid": os.getpid(),
                "expires": time.time() + LEASE_SECONDS}

    def acquire(self, job_name: str) -> None:
        path = self._path(job_name, "lock.json")
        raw = self._read(path)
        if raw is not None:
            try:
                held = json.loads(raw)
            except ValueError:
                held = {}
            mine = held.get("owner") == owner_id()
            dead_here = held.get("host") == socket.gethostname() and not _alive(int(held.get("pid", 0) or 0))
            if not mine and not dead_here and float(held.get("expires", 0)) > time.time():
                raise StateLocked(f"job {job_name!r} is already running ({held.get('owner')} holds the lease in "
                                  f"{self.url} until {time.ctime(float(held['expires']))}); two runs of one "
                                  "job at once would corrupt its state")
        self._write(path, json.dumps(self._lease()).encode())
        stop = threading.Event()
        renewer = threading.Thread(target=self._renew, args=(path, stop), name="state-lease", daemon=True)
        renewer.start()
        self._renewers[job_name] = (stop, renewer)

    def _renew(self, path: str, stop: threading.Event) -> None:
        while not stop.wait(RENEW_SECONDS):
            try:
                self._write(path, json.dumps(self._lease()).encode())
            except Exception:  # a failed renewal is retried; the lease lasts 4 renewals
                continue

    def release(self, job_name: str) -> None:
        held = self._renewers.pop(job_name, None)
        if held is None:
            return
        stop, renewer = held
        stop.set()
        renewer.join(timeout=5)
        path = self._path(job_name, "lock.json")
        raw = self._read(path)
        try:
            lease: dict[str, Any] = json.loads(raw) if raw is not None else {}
        except ValueError:
            lease = {}
        if lease.get("owner") == owner_id():  # never remove a lease another run took over
            self._fs.delete_file(path)
