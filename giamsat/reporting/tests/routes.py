"""Reporting routes, for the shared scope tests: each report route refuses another province's report."""

from django.utils import timezone

from giamsat.catalog.models import DataSet
from giamsat.reporting.choices import ReportStatus
from giamsat.reporting.models import Report
from giamsat.reporting.services import period_get, report_deadline
from giamsat.testing.scoping import RouteInventory, ScopedRoute

DATA_SET = "BC_TINH_MONTHLY"
PERIOD = "202510"


def report_for(unit, status=ReportStatus.DRAFT) -> Report:
    """A report of the unit in the given state (set up directly: this is test scaffolding)."""
    data_set = DataSet.objects.get(code=DATA_SET)
    period = period_get(PERIOD)
    now = timezone.now()
    report, _created = Report.objects.update_or_create(
        data_set=data_set,
        org_unit=unit,
        period=period,
        defaults={
            "status": status,
            "deadline": report_deadline(data_set, period),
            "created_at": now,
            "updated_at": now,
            "submitted_at": now if status != ReportStatus.DRAFT else None,
        },
    )
    return report


def _url(suffix: str, status=ReportStatus.DRAFT):
    return lambda unit: f"/reports/{report_for(unit, status).pk}/{suffix}"


def _url_with_value(suffix: str):
    """A report of the unit with one stored figure (DOSSIERS_TOTAL = 100)."""

    def build(unit):
        from giamsat.catalog.models import DataElement
        from giamsat.reporting.models import DataValue

        report = report_for(unit)
        DataValue.objects.update_or_create(
            data_element=DataElement.objects.get(code="DOSSIERS_TOTAL"),
            org_unit=unit,
            period=report.period,
            defaults={"value": 100, "updated_at": timezone.now(), "channel": "FORM"},
        )
        return f"/reports/{report.pk}/{suffix}"

    return build


ROUTES = RouteInventory(
    scoped=(
        ScopedRoute("report page", "/reports/<int:pk>/", _url("")),
        ScopedRoute(
            "report value autosave",
            "/reports/<int:pk>/values/<str:code>/",
            _url("values/DOSSIERS_TOTAL/"),
            method="POST",
            data=lambda unit: {"value": "120"},
        ),
        ScopedRoute(
            "report figure follow-up",
            "/reports/<int:pk>/values/<str:code>/follow-up/",
            _url_with_value("values/DOSSIERS_TOTAL/follow-up/"),
            method="POST",
            data=lambda unit: {"follow_up": "1"},
            user="a.leader",
        ),
        ScopedRoute(
            "report submit", "/reports/<int:pk>/submit/", _url("submit/"), method="POST", ok_status=frozenset({302})
        ),
        ScopedRoute(
            "report figure marked no figure",
            "/reports/<int:pk>/values/<str:code>/no-figure/",
            _url("values/DOSSIERS_TOTAL/no-figure/"),
            method="POST",
            data=lambda unit: {"reason": "Chưa thống kê"},
            ok_status=frozenset({302}),
        ),
        ScopedRoute(
            "report figure no-figure mark removed",
            "/reports/<int:pk>/values/<str:code>/no-figure/remove/",
            _url("values/DOSSIERS_TOTAL/no-figure/remove/"),
            method="POST",
            ok_status=frozenset({302}),
        ),
        ScopedRoute(
            "report approve",
            "/reports/<int:pk>/approve/",
            _url("approve/", ReportStatus.SUBMITTED),
            method="POST",
            ok_status=frozenset({302}),
            user="a.leader",
        ),
        ScopedRoute(
            "report accept",
            "/reports/<int:pk>/accept/",
            _url("accept/", ReportStatus.APPROVED),
            method="POST",
            ok_status=frozenset({302}),
            user="a.analyst",
        ),
        ScopedRoute(
            "report return",
            "/reports/<int:pk>/return/",
            _url("return/", ReportStatus.SUBMITTED),
            method="POST",
            data=lambda unit: {"reason": "Số liệu chưa khớp"},
            ok_status=frozenset({302}),
            user="a.leader",
        ),
        ScopedRoute(
            "api data values of a unit",
            "GET /api/v1/dataValueSets",
            lambda unit: f"/api/v1/dataValueSets?orgUnit={unit.code}",
            api=True,
        ),
        ScopedRoute(
            "open a report",
            "/reports/open/",
            lambda unit: "/reports/open/",
            method="POST",
            data=lambda unit: {"data_set": DATA_SET, "org_unit": unit.code, "period": PERIOD},
            ok_status=frozenset({302}),
        ),
        # The audit trail lists every unit of the scope; narrowed to another province's unit it refuses.
        ScopedRoute("audit trail of a unit", "/reports/audit/", lambda unit: f"/reports/audit/?org_unit={unit.code}"),
        ScopedRoute(
            "audit trail of a unit as CSV",
            "/reports/audit/csv/",
            lambda unit: f"/reports/audit/csv/?org_unit={unit.code}&children=1",
        ),
        ScopedRoute(
            "api audit trail of a unit",
            "GET /api/v1/audit",
            lambda unit: f"/api/v1/audit?orgUnit={unit.code}&children=true",
            api=True,
        ),
    ),
    listed=(
        "/reports/",
        "/reports/completeness/",
        "/reports/audit/",
        "/reports/audit/csv/",
        "GET /api/v1/dataValueSets",
        "POST /api/v1/dataValueSets",
        "GET /api/v1/audit",
    ),
)

# The Excel channel's routes live beside their tests; collected with ROUTES (imported last: it uses the helpers above).
from giamsat.reporting.tests.routes_excel import ROUTES_EXCEL  # noqa: E402, F401
