"""API reads of evaluation results: indicator values, index values with ranks, a unit's
scorecard. Scoped exactly as the pages: only units in the caller's view scope."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from giamsat.accounts.selectors import ensure_can_view
from giamsat.catalog.choices import Pillar
from giamsat.catalog.models import Indicator
from giamsat.core.periods import InvalidPeriod
from giamsat.core.periods import Period as PeriodValue
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.models import Period

from . import selectors
from .choices import ReportsState, Structure
from .models import OVERALL, IndicatorValue

router = Router(tags=["evaluation"])
MAX_PAGE = 1000
MAX_OFFSET = 1_000_000_000  # beyond what a database takes as OFFSET


class IndicatorValueOut(Schema):
    indicator: str
    orgUnit: str
    orgUnitName: str
    period: str
    value: float
    basis: str
    target: float | None
    targetYear: int | None
    milestone: float | None
    start: float | None
    projected: float | None
    status: str
    score: float | None


class IndicatorValuePage(Schema):
    count: int
    results: list[IndicatorValueOut]


class IndicatorValueFilters(Schema):
    indicator: str | None = Field(None, description="Indicator code.")
    orgUnit: str | None = Field(None, description="Unit code.")
    period: str | None = Field(None, description="Period: 202611, 2026Q3 or 2026.")
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class CompletenessOut(Schema):
    """How complete and how final the data behind an index value are (the missing-data policy)."""

    inputsExpected: int = Field(description="Inputs (indicator scores) the unit's peers have for the period.")
    inputsReported: int = Field(description="Of those, reported by the unit for the period.")
    inputsCarried: int = Field(description="Carried from an earlier period (monthly and quarterly index).")
    inputsMissing: int = Field(description="No data: they earn no points.")
    reportsState: str = Field(
        description="The least final of the reports behind it: NONE, ENTERED, SUBMITTED, FINAL, ACCEPTED."
    )
    provisional: bool = Field(description="True until its reports are submitted (approved where approval is required).")
    completeAndAccepted: bool


def completeness_out(row) -> CompletenessOut | None:
    if row is None:
        return None
    return CompletenessOut(
        inputsExpected=row.inputs_expected,
        inputsReported=row.inputs_reported,
        inputsCarried=row.inputs_carried,
        inputsMissing=row.inputs_missing,
        reportsState=ReportsState(row.reports_state).name,
        provisional=row.provisional,
        completeAndAccepted=row.complete_and_accepted,
    )


class RankOut(Schema):
    orgUnit: str
    orgUnitName: str
    value: float
    rank: int | None
    previousRank: int | None
    peers: int | None
    pillars: dict[str, float]
    completeness: CompletenessOut | None


class GroupSummaryOut(Schema):
    group: str = Field(description="NATIONAL or the socio-economic region's group code.")
    groupName: str
    units: int = Field(description="Ranked units of the group (all of them, not only the caller's).")
    median: dict[str, float] = Field(description="Median per pillar and OVERALL.")
    average: dict[str, float] = Field(description="Average per pillar and OVERALL.")


class RankingOut(Schema):
    period: str
    pillar: str
    type: str
    structure: str
    count: int = Field(description="Units ranked (in the caller's scope); results hold limit of them from offset.")
    results: list[RankOut]
    summary: list[GroupSummaryOut] = Field(
        default_factory=list,
        description="The national and regional median and average (a region of fewer than 5 units only for "
        "a caller who sees all of them).",
    )


class RankingFilters(Schema):
    period: str | None = Field(
        None, description="Month, quarter or year: 202611, 2026Q3 or 2025 (default: the latest month)."
    )
    pillar: str = Field(OVERALL, description="OVERALL or a pillar code.")
    type: str = Field("PROVINCE", description="Unit type ranked.")
    structure: Structure = Field(Structure.PERIOD, description="PERIOD: units in force then; CURRENT: today's.")
    complete: bool = Field(False, description="Only units whose data are complete and accepted by the ministry.")
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ScorecardIndicatorOut(Schema):
    indicator: str
    name: str
    period: str
    value: float | None
    target: float | None
    status: str | None
    score: float | None
    input: str = Field(description="How it enters the index: REPORTED, CARRIED (from carriedFrom) or MISSING.")
    carriedFrom: str | None = None
    carriedValue: float | None = None


class ScorecardPillarOut(Schema):
    pillar: str
    value: float | None
    rank: int | None
    peers: int | None
    completeness: CompletenessOut | None
    indicators: list[ScorecardIndicatorOut]


class ScorecardOut(Schema):
    orgUnit: str
    orgUnitName: str
    period: str
    structure: str
    index: float | None
    rank: int | None
    previousRank: int | None
    peers: int | None
    completeness: CompletenessOut | None
    pillars: list[ScorecardPillarOut]


def _period(code: str | None) -> Period | None:
    """The stored period for a code; 400 if unreadable, 404 if nothing was ever stored for it."""
    if not code:
        return None
    try:
        value = PeriodValue.parse(code)
    except InvalidPeriod as exc:
        raise HttpError(400, str(exc)) from None
    period = selectors.stored_period(value)
    if period is None:
        raise Http404(_("No results are stored for the period %(code)s.") % {"code": value.code})
    return period


def _unit(request, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise Http404(_("No unit has the code “%(code)s”.") % {"code": code[:60]})
    ensure_can_view(request.user, unit)
    return unit


def _indicator(code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise Http404(_("No indicator has the code “%(code)s”.") % {"code": code[:60]})
    return indicator


def _value_out(row: IndicatorValue) -> IndicatorValueOut:
    return IndicatorValueOut(
        indicator=row.indicator.code,
        orgUnit=row.org_unit.code,
        orgUnitName=row.org_unit.display_name,
        period=row.period.code,
        value=row.value,
        basis=row.basis,
        target=row.target,
        targetYear=row.target_year,
        milestone=row.milestone,
        start=row.start,
        projected=row.projected,
        status=row.status,
        score=row.score,
    )


@router.get("/indicatorValues", response=IndicatorValuePage, summary="Stored indicator values (scoped)")
def indicator_value_list(request, filters: Query[IndicatorValueFilters]):
    rows = selectors.indicator_values_query(
        user=request.user,
        indicator=_indicator(filters.indicator) if filters.indicator else None,
        unit=_unit(request, filters.orgUnit) if filters.orgUnit else None,
        period=_period(filters.period),
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return IndicatorValuePage(count=rows.count(), results=[_value_out(r) for r in page])


@router.get("/indexValues", response=RankingOut, summary="Index or pillar values with ranks (scoped)")
def index_value_list(request, filters: Query[RankingFilters]):
    pillar = filters.pillar.upper()
    if pillar != OVERALL and pillar not in Pillar.values:
        raise HttpError(400, _("Unknown pillar."))
    period = _period(filters.period) or selectors.latest_index_period()
    if period is None:
        raise Http404(_("No index is stored yet."))
    ranking = selectors.ranking_get(
        user=request.user,
        period=period,
        pillar=pillar,
        unit_type=filters.type.upper(),
        structure=filters.structure,
        complete_only=filters.complete,
    )
    return RankingOut(
        period=period.code,
        pillar=pillar,
        type=ranking.unit_type,
        structure=ranking.structure,
        count=len(ranking.rows),
        results=[
            RankOut(
                orgUnit=r.unit.code,
                orgUnitName=r.label or r.unit.display_name,
                value=r.value,
                rank=r.rank,
                previousRank=r.previous_rank,
                peers=r.peers,
                pillars=r.pillars,
                completeness=completeness_out(r.index),
            )
            for r in ranking.rows[filters.offset : filters.offset + filters.limit]
        ],
        summary=[
            GroupSummaryOut(group=g.code, groupName=g.label, units=g.count, median=g.median, average=g.average)
            for g in selectors.ranking_summary(
                user=request.user, period=period, unit_type=ranking.unit_type, structure=ranking.structure
            ).groups
        ],
    )


class GroupValueOut(Schema):
    indicator: str
    group: str
    groupName: str
    groupSet: str | None
    period: str
    value: float
    members: int = Field(description="Members in force at the period's end whose figures count.")


@router.get("/groupValues", response=list[GroupValueOut], summary="An indicator for groups of units (scoped)")
def group_value_list(request, indicator: str, period: str):
    """The indicator for regions, centrally-run cities and all provinces in a period: only the
    groups whose every member is in the caller's view scope."""
    found = _indicator(indicator)
    rows = selectors.group_values(user=request.user, indicator=found, period=_period(period))
    return [
        GroupValueOut(
            indicator=found.code,
            group=r.group.code,
            groupName=r.group.name,
            groupSet=r.group.group_set.code if r.group.group_set else None,
            period=r.period.code,
            value=r.value,
            members=r.members,
        )
        for r in rows
    ]


@router.get("/scorecards/{code}", response=ScorecardOut, summary="A unit's scorecard for a period")
def scorecard_get(request, code: str, period: str | None = None, structure: Structure = Structure.PERIOD):
    unit = _unit(request, code)
    chosen = _period(period) or selectors.latest_index_period(unit=unit)
    if chosen is None:
        raise Http404(_("No results are stored for this unit."))
    card = selectors.scorecard_get(unit=unit, period=chosen, structure=structure)
    rank, previous, peers = selectors.rank_of(card.overall, structure)
    pillars = []
    for block in card.pillars:
        block_rank, _previous, block_peers = selectors.rank_of(block.index, structure)
        pillars.append(
            ScorecardPillarOut(
                pillar=block.code,
                value=block.index.value if block.index else None,
                rank=block_rank,
                peers=block_peers,
                completeness=completeness_out(block.index),
                indicators=[
                    ScorecardIndicatorOut(
                        indicator=row.indicator.code,
                        name=row.indicator.name,
                        period=row.period_code,
                        value=row.value.value if row.value else None,
                        target=row.value.target if row.value else None,
                        status=row.value.status if row.value else None,
                        score=row.value.score if row.value else None,
                        input=row.input_state,
                        carriedFrom=row.carried.period.code if row.carried else None,
                        carriedValue=row.carried.value if row.carried else None,
                    )
                    for row in block.rows
                ],
            )
        )
    return ScorecardOut(
        orgUnit=unit.code,
        orgUnitName=selectors.orgunit_labels([unit], on=chosen.end_date)[unit.pk],
        period=chosen.code,
        structure=structure,
        index=card.overall.value if card.overall else None,
        rank=rank,
        previousRank=previous,
        peers=peers,
        completeness=completeness_out(card.overall),
        pillars=pillars,
    )
