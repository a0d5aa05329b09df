"""The home page: the signed-in user's overview."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from giamsat.accounts.selectors import navigable_units, user_scope_units
from giamsat.core.dates import today
from giamsat.orgunits import selectors as units


@login_required
def home(request):
    """The signed-in user's overview: who they are, what they may see, and the registry today."""
    visible = navigable_units(request.user)
    on = today()
    counts = units.orgunit_counts_by_type(visible, on=on)
    timeline = units.restructuring_timeline()
    context = {
        "today": on,
        "scope_units": user_scope_units(request.user),
        "counts": counts,
        "provinces_now": units.province_count(on),
        "provinces_before": units.province_count(units.LAST_DAY_OF_63),
        "timeline": timeline,
        "timeline_chart": _timeline_chart(timeline),
    }
    return render(request, "portal/home.html", context)


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
