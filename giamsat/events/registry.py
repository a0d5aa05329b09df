"""Subscribers: apps register them in their `handlers.py` (imported by EventsConfig.ready).

A subscriber takes a batch of events, every pending one of its kinds in the order they were
recorded, so a burst of changes to the same scope is handled once (coalesced). It may see an
event twice (delivery is at least once), so it must be idempotent."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

Handler = Callable[[list], None]


@dataclass(frozen=True)
class Subscriber:
    name: str
    kinds: frozenset[str]
    handle: Handler


_subscribers: dict[str, Subscriber] = {}


def subscribe(*kinds: str, name: str | None = None) -> Callable[[Handler], Handler]:
    """Register the decorated function for events of these kinds, under a stable name (the
    delivery rows carry it: renaming a subscriber orphans its pending deliveries)."""

    def register(handle: Handler) -> Handler:
        key = name or f"{handle.__module__}.{handle.__qualname__}"
        _subscribers[key] = Subscriber(name=key, kinds=frozenset(kinds), handle=handle)
        return handle

    return register


def subscribers() -> list[Subscriber]:
    return sorted(_subscribers.values(), key=lambda s: s.name)


def subscribers_for(kind: str) -> list[Subscriber]:
    return [s for s in subscribers() if kind in s.kinds]


def subscriber_get(name: str) -> Subscriber | None:
    return _subscribers.get(name)


def unsubscribe(names: Iterable[str]) -> None:
    """Remove subscribers (tests that register their own)."""
    for name in names:
        _subscribers.pop(name, None)
