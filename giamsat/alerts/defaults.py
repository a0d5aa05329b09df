"""The rules a new installation starts with (and `make run`'s demo): analysts change them on
the rules page."""

from django.db import transaction

from giamsat.catalog.models import DataElement, DataSet

from .choices import Severity
from .kinds import CHANGE, OUTLIER, PEER_OUTLIER, REPORT_LATE, REPORT_MISSING, TARGET_OFF_TRACK, VALIDATION
from .models import AlertRule
from .registry import DEFAULT_RULES

# Figures whose mistakes cost most (a tenfold count, a budget in the wrong unit).
WATCHED_ELEMENTS = ("DOSSIERS_TOTAL", "GRDP", "IS_TOTAL", "HH_FIBER", "STATE_BUDGET_SPENDING")


@transaction.atomic
def alert_rules_defaults_load() -> int:
    """Create the default rules that do not exist yet (by code); existing ones are left as the
    analysts set them. Returns how many were created."""
    wanted = []
    for data_set in DataSet.objects.order_by("code"):
        wanted.append(
            (
                f"LATE_{data_set.code}",
                {
                    "name_vi": f"Báo cáo quá hạn — {data_set.name_vi}",
                    "name_en": f"Report late — {data_set.name_en}",
                    "kind": REPORT_LATE,
                    "severity": Severity.WARNING,
                    "data_set": data_set,
                    "escalate_after_days": 3,
                },
            )
        )
        wanted.append(
            (
                f"MISSING_{data_set.code}",
                {
                    "name_vi": f"Thiếu báo cáo nhiều kỳ liên tiếp — {data_set.name_vi}",
                    "name_en": f"Report missing for several periods — {data_set.name_en}",
                    "kind": REPORT_MISSING,
                    "severity": Severity.CRITICAL,
                    "data_set": data_set,
                    "escalate_after_days": 2,
                },
            )
        )
        wanted.append(
            (
                f"VALIDATION_{data_set.code}",
                {
                    "name_vi": f"Báo cáo đã gửi vi phạm quy tắc kiểm tra — {data_set.name_vi}",
                    "name_en": f"Submitted report breaks a validation rule — {data_set.name_en}",
                    "kind": VALIDATION,
                    "severity": Severity.WARNING,
                    "data_set": data_set,
                },
            )
        )
    wanted.append(
        (
            "OFF_TRACK",
            {
                "name_vi": "Chỉ tiêu chệch hướng so với mục tiêu",
                "name_en": "Indicator off track against its target",
                "kind": TARGET_OFF_TRACK,
                "severity": Severity.WARNING,
            },
        )
    )
    for element in DataElement.objects.filter(code__in=WATCHED_ELEMENTS).order_by("code"):
        wanted.append(
            (
                f"OUTLIER_{element.code}",
                {
                    "name_vi": f"Số liệu bất thường — {element.name_vi}",
                    "name_en": f"Unusual figure — {element.name_en}",
                    "kind": OUTLIER,
                    "severity": Severity.WARNING,
                    "data_element": element,
                },
            )
        )
    # Rates compare across units of any size: a province far from the others is worth a look.
    for element in DataElement.objects.filter(value_type="PERCENTAGE").order_by("code"):
        wanted.append(
            (
                f"PEERS_{element.code}",
                {
                    "name_vi": f"Khác xa các đơn vị cùng cấp — {element.name_vi}",
                    "name_en": f"Far from its peers — {element.name_en}",
                    "kind": PEER_OUTLIER,
                    "severity": Severity.INFO,
                    "data_element": element,
                    "params": {"departure": 50},
                },
            )
        )
    dossiers = DataElement.objects.filter(code="DOSSIERS_TOTAL").first()
    if dossiers:
        wanted.append(
            (
                "CHANGE_DOSSIERS_TOTAL",
                {
                    "name_vi": "Tổng số hồ sơ thay đổi quá 50 % so với kỳ trước",
                    "name_en": "Dossiers received changed by more than 50 % against last period",
                    "kind": CHANGE,
                    "severity": Severity.INFO,
                    "data_element": dossiers,
                },
            )
        )
    for provide in DEFAULT_RULES:  # the modules' own (plans: tasks due soon, overdue, returned)
        wanted.extend(provide())
    existing = set(AlertRule.objects.values_list("code", flat=True))
    created = [AlertRule(code=code, **fields) for code, fields in wanted if code not in existing]
    AlertRule.objects.bulk_create(created)
    return len(created)
