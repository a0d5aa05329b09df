"""Pages of the unit registry: the tree (browse, search, date switch) and a unit's page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from giamsat.accounts.selectors import ensure_can_navigate, navigable_units, user_scope
from giamsat.core.dates import InvalidDate, parse_date, today
from giamsat.core.http import is_htmx_target

from . import selectors
from .choices import OrgUnitType
from .models import OrgUnit

DATE_PRESETS = [("30/06/2025", "63"), ("01/07/2025", "34")]


def _date_from(request):
    """(date, error): the `on` parameter, defaulting to today; a bad one is reported, not raised."""
    raw = request.GET.get("on", "")
    try:
        return parse_date(raw, default=today()), None
    except InvalidDate as exc:
        return today(), str(exc)


def _unit_or_404(code: str) -> OrgUnit:
    try:
        return selectors.orgunit_get(code)
    except OrgUnit.DoesNotExist:
        raise Http404(_("No unit has the code “%(code)s”.") % {"code": code[:60]}) from None


@login_required
def tree(request):
    """The registry as of a date: roots expanded one level, or search results."""
    on, date_error = _date_from(request)
    query = request.GET.get("q", "").strip()[:100]
    visible = navigable_units(request.user)
    context = {
        "on": on,
        "on_text": on.strftime("%d/%m/%Y"),
        "raw_on": request.GET.get("on", ""),
        "date_error": date_error,
        "query": query,
        "presets": DATE_PRESETS,
        "province_count": visible.filter(type=OrgUnitType.PROVINCE).active_on(on).count(),
    }
    if query:
        context["results"] = list(selectors.orgunit_search(visible, query, on=on))
        context["former"] = selectors.orgunit_search_former(visible, query, on=on)
    else:
        roots = list(selectors.orgunit_roots(visible, on=on))
        context["roots"] = [
            {"unit": root, "children": list(selectors.orgunit_children(visible, root, on=on))} for root in roots
        ]
    template = "orgunits/_tree_body.html" if is_htmx_target(request, "tree-body") else "orgunits/tree.html"
    return render(request, template, context, status=400 if date_error else 200)


@login_required
def children(request, code: str):
    """HTMX partial: the children of one node, as of the date."""
    unit = _unit_or_404(code)
    ensure_can_navigate(request.user, unit)
    on, date_error = _date_from(request)
    nodes = selectors.orgunit_children(navigable_units(request.user), unit, on=on)
    return render(
        request,
        "orgunits/_children.html",
        {"nodes": nodes, "on": on, "date_error": date_error},
        status=400 if date_error else 200,
    )


@login_required
def detail(request, code: str):
    """A unit's page: details, parents, children, predecessors, successors and groups."""
    unit = _unit_or_404(code)
    ensure_can_navigate(request.user, unit)
    on, date_error = _date_from(request)
    visible = navigable_units(request.user)
    predecessors, successors = selectors.orgunit_lineage(unit)
    context = {
        "unit": unit,
        "on": on,
        "date_error": date_error,
        "in_scope": user_scope(request.user).contains(unit),
        "ancestors": selectors.orgunit_ancestors(unit),
        "children": list(selectors.orgunit_children(visible, unit, on=None)[:500]),
        "children_total": visible.filter(parent=unit).count(),
        "predecessors": predecessors,
        "successors": successors,
        "groups": selectors.orgunit_groups_of(unit),
        "active_today": unit.is_active_on(today()),
    }
    return render(request, "orgunits/detail.html", context, status=400 if date_error else 200)
