"""Notification kinds: each app registers the kinds it sends, with a Vietnamese-first label (a
lazy translation) and the delivery its users get until they choose another.

    kind_register("ALERT_OPENED", _("Alert opened"))
    kind_register("ALERT_ESCALATED", _("Alert escalated to you"), default_mode=DeliveryMode.IMMEDIATE)

Call it at import of the app's `handlers.py` (autodiscovered) or in its AppConfig.ready().
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import DeliveryMode


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str  # lazy translation
    default_mode: str = DeliveryMode.DAILY
    order: int = 100  # position on the preferences page


_kinds: dict[str, NotificationKind] = {}


def kind_register(code: str, label, *, default_mode: str = DeliveryMode.DAILY, order: int = 100) -> NotificationKind:
    """Register (or re-register, idempotently) a kind of notification."""
    if default_mode not in DeliveryMode.values:
        raise ValueError(f"unknown delivery mode {default_mode!r}")
    kind = NotificationKind(code=code, label=label, default_mode=default_mode, order=order)
    _kinds[code] = kind
    return kind


def kind_get(code: str) -> NotificationKind | None:
    return _kinds.get(code)


def kinds() -> list[NotificationKind]:
    """Every registered kind, in the preferences page's order."""
    return sorted(_kinds.values(), key=lambda k: (k.order, k.code))


def kind_label(code: str) -> str:
    kind = _kinds.get(code)
    return str(kind.label) if kind else code
