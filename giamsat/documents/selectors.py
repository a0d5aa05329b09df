"""Reads for documents: the figures of a sector report, gathered from the stored results
through the evaluation, reporting and alerts selectors (never recomputed), and the documents a
user may see."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils import translation

from giamsat.accounts.models import User
from giamsat.accounts.selectors import scope_filter, user_scope
from giamsat.alerts.choices import Severity
from giamsat.alerts.selectors import AlertFilters, alerts_list
from giamsat.catalog.models import DataSet
from giamsat.core.periods import Period as PeriodValue
from giamsat.evaluation import selectors as evaluation
from giamsat.evaluation.choices import Status, Structure
from giamsat.evaluation.models import OVERALL
from giamsat.orgunits.choices import OrgUnitType
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.selectors import SUBMITTED_STATUSES, completeness_by_unit

from .engine.sector import CompletenessLine, IndicatorLine, PillarLine, RankingLine, SectorFigures
from .models import OfficialDocument

NATIONAL_UNIT = "VN"
PEER_TYPE = OrgUnitType.PROVINCE  # a sector report ranks the provinces


def documents_visible(user: User) -> QuerySet[OfficialDocument]:
    """The documents of the units in the user's view scope, newest first."""
    rows = scope_filter(OfficialDocument.objects.all(), user, unit_field="org_unit")
    return rows.select_related("org_unit", "period", "created_by", "issued_by").order_by("-created_at", "-pk")


def period_label(period: PeriodValue) -> str:
    """ "tháng 11/2026", "quý III/2026": as the report's title writes the period."""
    with translation.override("vi"):
        label = str(period.label)
    return label[:1].lower() + label[1:]


def sector_figures(*, user: User, unit: OrgUnit, period: PeriodValue) -> SectorFigures:
    """The figures of a sector report for a unit (the country or a province) and a month or a
    quarter, read from the stored results as the user's pages show them. Labels in Vietnamese,
    whatever the user's language: the document is Vietnamese."""
    with translation.override("vi"):
        return _sector_figures(user=user, unit=unit, period=period)


def _sector_figures(*, user: User, unit: OrgUnit, period: PeriodValue) -> SectorFigures:
    national = unit.type == OrgUnitType.COUNTRY
    figures = SectorFigures(
        period_code=period.code,
        period_label=period_label(period),
        quarterly=period.type == "QUARTERLY",
        unit_code=unit.code,
        unit_name=unit.name_vi,
        national=national,
    )
    stored = evaluation.stored_period(period)
    if stored is not None:
        summary = evaluation.ranking_summary(user=user, period=stored, unit_type=PEER_TYPE, structure=Structure.PERIOD)
        if summary.national is not None:
            figures.national_median = summary.national.median.get(OVERALL)
        if national:
            figures.index = figures.national_median
            ranking = evaluation.ranking_get(
                user=user, period=stored, pillar=OVERALL, unit_type=PEER_TYPE, structure=Structure.PERIOD
            )
            figures.ranking = [
                RankingLine(
                    rank=row.rank,
                    code=row.unit.code,
                    name=row.label or row.unit.display_name,
                    value=row.value,
                    complete=bool(row.index and row.index.complete_and_accepted),
                )
                for row in ranking.rows
            ]
        card = evaluation.scorecard_get(unit=unit, period=stored, structure=Structure.PERIOD)
        if not national:
            figures.index = card.overall.value if card.overall else None
            figures.rank, figures.previous_rank, figures.peers = evaluation.rank_of(card.overall, Structure.PERIOD)
            region = summary.region(summary.region_of.get(unit.pk))
            if region is not None:
                figures.region_name = str(region.label)
                figures.region_median = region.median.get(OVERALL)
            national_medians = summary.national.median if summary.national else {}
            figures.pillars = [
                PillarLine(
                    label=block.label,
                    value=block.index.value if block.index else None,
                    national_median=national_medians.get(block.code),
                )
                for block in card.pillars
            ]
        statuses = dict(Status.choices)
        for block in card.pillars:
            for row in block.rows:
                value = row.value
                figures.indicators.append(
                    IndicatorLine(
                        pillar=block.label,
                        code=row.indicator.code,
                        name=row.indicator.name_vi,
                        value=value.value if value else None,
                        decimals=row.indicator.decimals,
                        unit=row.indicator.unit_vi,
                        target=value.target if value else None,
                        status=str(statuses[value.status if value else Status.NO_DATA]),
                        period_label=row.period_label,
                    )
                )
    figures.completeness = _completeness(user=user, unit=unit, period=period, national=national)
    figures.alerts = _alerts(user=user, unit=unit, national=national)
    return figures


def _completeness(*, user: User, unit: OrgUnit, period: PeriodValue, national: bool) -> list[CompletenessLine]:
    """Each data set of the period's type: expected, received and on-time reports of the units
    in the report's scope (the whole of the user's scope for a national report)."""
    lines = []
    for data_set in DataSet.objects.filter(period_type=period.type).order_by("code"):
        rows = completeness_by_unit(data_set, period, user)
        if not national:
            rows = [r for r in rows if r.org_unit.path.startswith(unit.path)]
        if not rows:
            continue
        received = [r.report for r in rows if r.report is not None and r.report.status in SUBMITTED_STATUSES]
        lines.append(
            CompletenessLine(
                data_set=data_set.name_vi,
                expected=len(rows),
                received=len(received),
                on_time=sum(1 for r in received if r.is_on_time),
            )
        )
    return lines


def _alerts(*, user: User, unit: OrgUnit, national: bool) -> dict[str, int]:
    """Active (open or acknowledged) alerts by severity, most severe first."""
    filters = AlertFilters(unit="" if national else unit.code)
    counts = dict.fromkeys(reversed(Severity.values), 0)
    rows = alerts_list(user, filters).order_by().values("severity").annotate(n=Count("pk"))
    counts.update({row["severity"]: row["n"] for row in rows})
    labels = dict(Severity.choices)
    return {str(labels[s]): n for s, n in counts.items() if s in labels}


def national_unit() -> OrgUnit:
    return OrgUnit.objects.get(code=NATIONAL_UNIT)


def can_view_unit(user: User, unit: OrgUnit) -> bool:
    return user_scope(user).contains(unit)
