"""Evaluation routes, for the shared scope tests, and the stored results they are tried on."""

from django.utils import timezone

from giamsat.catalog.models import DataElement, Indicator
from giamsat.evaluation.models import OVERALL, ElementFigure, IndexMethodology, IndexValue, IndicatorValue
from giamsat.reporting.models import DataValue
from giamsat.reporting.services import period_get
from giamsat.testing.scoping import RouteInventory, ScopedRoute

INDICATOR = "ADULT_EID_RATE"  # #{ADULTS_EID} / #{POP_ADULT} * 100: a quarterly count over a yearly population
QUARTERS = ("2026Q1", "2026Q2", "2026Q3")
MONTH = "202611"


def results_for(unit, *, indicators=(INDICATOR,), rank: int = 1, peers: int = 34, value: float = 0.5) -> None:
    """Stored results for a unit as the evaluation services would leave them (test scaffolding):
    each indicator's quarterly values, its inputs for 2026Q3, and the index for November 2026."""
    methodology = IndexMethodology.objects.order_by("valid_from").last()
    month = period_get(MONTH)
    for step, code in enumerate(QUARTERS):
        period = period_get(code)
        for indicator in Indicator.objects.filter(code__in=indicators):
            IndicatorValue.objects.update_or_create(
                indicator=indicator,
                org_unit=unit,
                period=period,
                defaults={
                    "value": 60.0 + 5 * step,
                    "basis": "REPORTED",
                    "target": 80.0,
                    "target_year": 2026,
                    "milestone": 80.0,
                    "start": 55.0,
                    "projected": 78.0,
                    "status": "AT_RISK",
                    "score": 0.4 + 0.1 * step,
                },
            )
    # A rolled-up figure is stored; the unit's own reported figure is its data value.
    ElementFigure.objects.update_or_create(
        data_element=DataElement.objects.get(code="ADULTS_EID"),
        org_unit=unit,
        period=period_get(QUARTERS[-1]),
        defaults={"value": 700_000.0, "basis": "ROLLUP"},
    )
    DataValue.objects.update_or_create(
        data_element=DataElement.objects.get(code="POP_ADULT"),
        org_unit=unit,
        period=period_get("2026"),
        defaults={"value": 1_000_000, "updated_at": timezone.now(), "channel": "EXCEL"},
    )
    for pillar in (OVERALL, "DIGITAL_SOCIETY"):
        IndexValue.objects.update_or_create(
            org_unit=unit,
            period=month,
            pillar=pillar,
            defaults={
                "methodology": methodology,
                "value": value,
                "rank_period": rank,
                "previous_rank_period": rank + 1,
                "peers_period": peers,
                "rank_current": rank,
                "previous_rank_current": rank + 1,
                "peers_current": peers,
            },
        )


def _with_results(build):
    def url(unit):
        results_for(unit)
        return build(unit)

    return url


ROUTES = RouteInventory(
    scoped=(
        ScopedRoute(
            "unit scorecard",
            "/evaluation/units/<str:code>/",
            _with_results(lambda unit: f"/evaluation/units/{unit.code}/?period={MONTH}"),
        ),
        ScopedRoute(
            "a unit's place in the period's structure and today's (63 / 34)",
            "/evaluation/units/<str:code>/structures/",
            _with_results(lambda unit: f"/evaluation/units/{unit.code}/structures/?period={MONTH}"),
        ),
        ScopedRoute(
            "explanation of an indicator value",
            "/evaluation/explain/<str:indicator_code>/<str:unit_code>/<str:period_code>/",
            _with_results(lambda unit: f"/evaluation/explain/{INDICATOR}/{unit.code}/{QUARTERS[-1]}/"),
        ),
        ScopedRoute(
            "an indicator's trend for chosen units",
            "/evaluation/indicators/<str:code>/trend/",
            _with_results(
                lambda unit: f"/evaluation/indicators/{INDICATOR}/trend/?period={QUARTERS[-1]}&trend={unit.code}"
            ),
        ),
        ScopedRoute(
            "api scorecard of a unit",
            "GET /api/v1/evaluation/scorecards/{code}",
            _with_results(lambda unit: f"/api/v1/evaluation/scorecards/{unit.code}?period={MONTH}"),
            api=True,
        ),
        ScopedRoute(
            "api indicator values of a unit",
            "GET /api/v1/evaluation/indicatorValues",
            _with_results(lambda unit: f"/api/v1/evaluation/indicatorValues?orgUnit={unit.code}"),
            api=True,
        ),
    ),
    # Lists of many units: filtered by the user's view scope (tested in test_views / test_api).
    unscoped={
        "/evaluation/recompute/": "an administrator's action on every unit; refused to everyone else",
        "/evaluation/": "a redirect to the rankings",
    },
    listed=(
        "/evaluation/rankings/",
        "/evaluation/indicators/<str:code>/",
        "/evaluation/indicators/<str:code>/export/<str:fmt>/",
        "GET /api/v1/evaluation/indicatorValues",
        "GET /api/v1/evaluation/indexValues",
        "GET /api/v1/evaluation/groupValues",
    ),
)
