"""The home page: each role lands on its own overview (portal.selectors), every number a link
to the page that explains it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from giamsat.accounts.selectors import navigable_units, user_scope_units
from giamsat.core.dates import today
from giamsat.orgunits import selectors as units

from . import selectors


@login_required
def home(request):
    """The signed-in user's overview: the sector's targets, index, reports and alerts for the
    ministry; a province against the medians for its leader; what is due for a reporter."""
    user = request.user
    kind = selectors.landing_kind(user)
    on = today()
    context = {"today": on, "landing": kind, "scope_units": user_scope_units(user)}
    if kind == "MINISTRY":
        overview = selectors.ministry_overview(user)
        timeline = units.restructuring_timeline()
        mapped = [c for c in overview.headlines if c.value is not None and c.counted_type == "PROVINCE"]
        chosen = request.GET.get("map", "")
        context |= {
            "overview": overview,
            "map_cards": mapped,
            # The map shows one headline target's status across the provinces (chosen by ?map=).
            "map_card": next((c for c in mapped if c.indicator.code == chosen), selectors.map_default(mapped)),
            "trends": {card.indicator.code: _chart_trend(card.trend) for card in overview.headlines},
            "counts": units.orgunit_counts_by_type(navigable_units(user), on=on),
            "provinces_now": units.province_count(on),
            "provinces_before": units.province_count(units.LAST_DAY_OF_63),
            "timeline": timeline,
            "timeline_chart": _timeline_chart(timeline),
        }
    elif kind == "PROVINCE":
        overview = selectors.province_overview(user, selectors.landing_unit(user))
        context |= {
            "overview": overview,
            "trends": {row.indicator.code: _chart_trend(row.trend) for row in overview.off_track},
        }
    else:
        context["overview"] = selectors.reporter_overview(user)
    return render(request, "portal/home.html", context)


def _chart_trend(points) -> dict:
    return {"labels": [p.label for p in points], "values": [p.value for p in points]}


def _timeline_chart(timeline: list[dict]) -> dict:
    """Restructuring events per date and kind, shaped for the ECharts bar chart."""
    dates = sorted({row["date"] for row in timeline})
    kinds = sorted({(row["kind"], str(row["kind_label"])) for row in timeline})
    by_key = {(row["date"], row["kind"]): row["events"] for row in timeline}
    return {
        "dates": [d.strftime("%d/%m/%Y") for d in dates],
        "yLabel": str(_("events")),
        "series": [{"name": label, "values": [by_key.get((d, kind), 0) for d in dates]} for kind, label in kinds],
    }
