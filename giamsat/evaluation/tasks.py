"""Huey tasks: thin callers of the services of the same name."""

from huey.contrib.djhuey import db_task

from .services import evaluation_refresh


@db_task()
def evaluation_refresh_task(changes: list[tuple[int, int]]) -> None:
    evaluation_refresh(changes=[tuple(pair) for pair in changes])
