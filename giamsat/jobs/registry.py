"""Kinds of jobs: each app registers its runners (in its jobs module, imported by its tasks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from huey.contrib.djhuey import HUEY


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable[..., Any]  # run(job, progress) -> result (JSON-able) ; raise JobFailed to fail cleanly
    label: Any  # what the jobs page calls it (lazy translation)
    exclusive: bool = False  # one run at a time across workers (a full recompute)
    interrupted: Any = None  # what an interruption means for this kind's data (lazy translation)
    lock: Any = None  # the exclusive kind's lock in the queue's store


_kinds: dict[str, JobKind] = {}


def job_kind(name: str, *, label, exclusive: bool = False, interrupted=None):
    """Register the decorated function as the runner of jobs of kind `name`."""

    def register(run):
        # Made at registration, so the queue knows the lock's name and a worker that starts
        # again releases it if a killed one held it (consumer flush_locks).
        lock = HUEY.lock_task(f"giamsat-job-{name}") if exclusive else None
        _kinds[name] = JobKind(name=name, run=run, label=label, exclusive=exclusive, interrupted=interrupted, lock=lock)
        return run

    return register


def kind_get(name: str) -> JobKind | None:
    return _kinds.get(name)
