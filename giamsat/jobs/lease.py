"""Leases and live progress, kept in the task queue's store (Huey: its SQLite file or Redis).

A job may run inside one long database transaction (an import is all-or-nothing), so neither
its progress nor its lease can be written to its own row while it runs: other connections would
see them only at the end, and on SQLite they would wait for its write lock. The queue's store is
outside that transaction and shared by every web process and worker."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from dataclasses import dataclass

from huey.contrib.djhuey import HUEY

LEASE_SECONDS = 45
RENEW_EVERY = 10


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Lease:
    worker: str
    expires: float

    @property
    def lapsed(self) -> bool:
        return self.expires < time.time()

    @property
    def holder_is_dead(self) -> bool:
        """True when the holder ran on this machine and its process is gone (a killed worker
        is known at once, without waiting for the lease to lapse)."""
        host, _sep, pid = self.worker.rpartition(":")
        if host != socket.gethostname() or not pid.isdigit():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


def _key(job_id, what: str) -> str:
    return f"giamsat:job-{what}:{job_id}"


def lease_write(job_id) -> None:
    HUEY.put(_key(job_id, "lease"), json.dumps({"worker": worker_identity(), "expires": time.time() + LEASE_SECONDS}))


def lease_read(job_id) -> Lease | None:
    raw = HUEY.get(_key(job_id, "lease"), peek=True)
    if raw is None:
        return None
    data = json.loads(raw)
    return Lease(worker=data["worker"], expires=float(data["expires"]))


def lease_drop(job_id) -> None:
    HUEY.get(_key(job_id, "lease"))  # reading without peek removes it
    HUEY.get(_key(job_id, "progress"))


def progress_write(job_id, processed: int, total: int, stage: str) -> None:
    HUEY.put(_key(job_id, "progress"), json.dumps([processed, total, stage]))


def progress_read(job_id) -> tuple[int, int, str] | None:
    raw = HUEY.get(_key(job_id, "progress"), peek=True)
    return None if raw is None else tuple(json.loads(raw))


class Heartbeat:
    """Renews a job's lease from a thread while the job runs."""

    def __init__(self, job_id):
        self.job_id = job_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{job_id}", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(RENEW_EVERY):
            lease_write(self.job_id)

    def __enter__(self):
        lease_write(self.job_id)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(timeout=RENEW_EVERY)
        return False
