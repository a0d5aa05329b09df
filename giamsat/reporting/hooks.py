"""The hand-off to the next stage: after values change and the change commits, the listeners
(the evaluation app registers one) are told which (unit id, period id) pairs changed.

Reporting knows nothing of who listens, so dependencies keep pointing one way."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from threading import local

from django.db import transaction

Listener = Callable[[set[tuple[int, int]]], None]

_listeners: list[Listener] = []
_state = local()


def values_changed_listen(listener: Listener) -> None:
    """Register a listener (once, from an AppConfig.ready)."""
    if listener not in _listeners:
        _listeners.append(listener)


def values_changed(pairs: Iterable[tuple[int, int]]) -> None:
    """Tell the listeners, once the current transaction commits, which unit-periods changed."""
    pairs = set(pairs)
    if not pairs or not _listeners or getattr(_state, "muted", False):
        return

    def notify() -> None:
        for listener in list(_listeners):
            listener(pairs)

    transaction.on_commit(notify)


@contextmanager
def values_changed_muted():
    """Hold notifications back (loading a whole history, followed by one full recompute)."""
    previous = getattr(_state, "muted", False)
    _state.muted = True
    try:
        yield
    finally:
        _state.muted = previous
