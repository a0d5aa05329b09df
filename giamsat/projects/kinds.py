"""Each red flag raises an alert through the alerts service, one rule kind per flag: the alert
goes to the project's owner unit (the ministry sees every unit's), lasts while the flag is open
and resolves when it clears."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from giamsat.alerts.registry import AlertKind, Finding, Scan, ScanScope, alert_kind_register, default_rules_register

from .choices import FlagCode
from .explain import flag_sentence

KIND_PREFIX = "PROJECT_"


def alert_kind_code(flag_code: str) -> str:
    return f"{KIND_PREFIX}{flag_code}"


def _scan(flag_code: str):
    def scan(rule, scope: ScanScope) -> Scan:
        from .models import RedFlag

        rows = (
            RedFlag.objects.filter(code=flag_code, cleared_on__isnull=True)
            .select_related("project", "rule", "rule__rule_set")
            .order_by("pk")
        )
        return Scan(
            [
                Finding(
                    flag.project.owner_unit_id,
                    flag.period_id,
                    subject=f"flag:{flag.pk}",
                    evidence={
                        "flag": flag.pk,
                        "code": flag_code,
                        "project": flag.project.code,
                        "name": flag.project.name[:200],
                        "figures": flag.figures,
                        "rule_version": flag.rule.rule_set.version,
                        "rule_vi": flag.rule.name_vi,
                        "rule_en": flag.rule.name_en,
                        "legal_basis": flag.rule.legal_basis[:500],
                    },
                    severity=flag.rule.severity,
                )
                for flag in rows
            ]
        )

    return scan


def describe(alert) -> str:
    e = alert.evidence or {}
    rule = e.get("rule_vi") if (get_language() or "vi").startswith("vi") else e.get("rule_en")
    return _("%(rule)s — %(project)s %(name)s: %(why)s") % {
        "rule": rule or "",
        "project": e.get("project", ""),
        "name": e.get("name", ""),
        "why": flag_sentence(e.get("code", ""), e.get("figures") or {}),
    }


def project_link(alert) -> str | None:
    code = (alert.evidence or {}).get("project")
    return reverse("projects:detail", args=[code]) if code else None


for _flag in FlagCode:
    alert_kind_register(
        AlertKind(
            alert_kind_code(_flag.value),
            _flag.label,
            _scan(_flag.value),
            describe,
            time_based=True,
            subject_link=project_link,
        )
    )


@default_rules_register
def project_alert_rules() -> list[tuple[str, dict]]:
    import json

    from .services import DEFAULT_RULES

    names = {r["code"]: r for r in json.loads(DEFAULT_RULES.read_text(encoding="utf-8"))["rules"]}
    return [
        (
            f"PROJECT_FLAG_{code}",
            {
                "name_vi": f"Cờ đỏ dự án: {names[code]['name_vi']}",
                "name_en": f"Project red flag: {names[code]['name_en']}",
                "kind": alert_kind_code(code),
                "severity": names[code]["severity"],
            },
        )
        for code in FlagCode.values
    ]
