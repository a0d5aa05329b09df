"""Alert pages: the list with filters and bulk acknowledge, an alert with its evidence and
actions, and the rules with a preview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giamsat.accounts.choices import Role
from giamsat.accounts.selectors import ensure_can_view, unit_filter_choices
from giamsat.catalog.models import Domain
from giamsat.core.dates import today
from giamsat.core.periods import PICKER_DEPTH, picker_choices

from . import selectors, services
from .choices import AlertState, Severity
from .forms import AlertRuleForm
from .models import Alert, AlertRule
from .registry import kind_choices, kind_get
from .selectors import can_edit_rule

PAGE_SIZE = 50
RULE_EDITORS = {Role.ADMIN, Role.MINISTRY_ANALYST}


def _alert_or_404(request, pk: int) -> Alert:
    alert = get_object_or_404(
        Alert.objects.select_related("org_unit", "period", "rule", "rule__data_set", "rule__data_element"), pk=pk
    )
    ensure_can_view(request.user, alert.org_unit)
    return alert


def _subject_link(alert: Alert) -> str | None:
    """The page of what the alert is about (a task, ...), when its kind has one."""
    kind = kind_get(alert.kind)
    return kind.subject_link(alert) if kind is not None and kind.subject_link is not None else None


@login_required
def alert_list(request):
    filters, errors = selectors.AlertFilters.from_query(request.GET)
    for error in errors:
        messages.error(request, error)
    page = Paginator(selectors.alerts_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    silences = selectors.silences_active()
    rows = [
        (
            alert,
            selectors.alert_summary(alert),
            selectors.alert_silenced(alert, silences=silences),
            _subject_link(alert),
        )
        for alert in page.object_list
    ]
    counts = selectors.alert_counts(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "page_query": query.urlencode(),
        "kinds": kind_choices(),
        "domains": Domain.objects.all(),
        "filter_units": unit_filter_choices(request.user, on=today()),
        "period_choices": picker_choices(PICKER_DEPTH, today=today(), selected=filters.period),
        "severities": Severity.choices,
        "states": [("ACTIVE", _("Open or acknowledged")), *AlertState.choices, ("", _("All"))],
        "severity_counts": [(value, label, counts.get(value, 0)) for value, label in reversed(Severity.choices)],
    }
    return render(request, "alerts/list.html", context)


@login_required
@require_POST
def alerts_acknowledge(request):
    ids = [int(x) for x in request.POST.getlist("alert") if x.isdigit()][:PAGE_SIZE]
    chosen = selectors.alerts_visible(request.user).filter(pk__in=ids).select_related("org_unit")
    done = services.alerts_acknowledge_many(alerts=chosen, by=request.user, comment=request.POST.get("comment", ""))
    if done:
        messages.success(request, _("%(n)s alerts acknowledged.") % {"n": done})
    else:
        messages.info(request, _("No open alert was chosen."))
    back = request.POST.get("back", "")
    return redirect(f"{reverse('alerts:list')}?{back}" if back and "//" not in back else reverse("alerts:list"))


@login_required
def alert_detail(request, pk: int):
    alert = _alert_or_404(request, pk)
    kind = kind_get(alert.kind)
    history = list(selectors.alert_history(alert))
    chart = None
    past = (alert.evidence or {}).get("history")
    if past:
        chart = {
            "labels": [code for code, _v in past] + [alert.evidence.get("period", "")],
            "values": [v for _c, v in past] + [alert.evidence.get("value")],
        }
    context = {
        "alert": alert,
        "kind_label": kind.label if kind else alert.kind,
        "summary": selectors.alert_summary(alert),
        "history": history,
        "silence": selectors.alert_silenced(alert),
        "links": selectors.alert_links(alert),
        "subject_link": _subject_link(alert),
        "chart": chart,
    }
    return render(request, "alerts/detail.html", context)


@login_required
@require_POST
def alert_act(request, pk: int, action: str):
    alert = _alert_or_404(request, pk)
    comment = request.POST.get("comment", "")
    try:
        if action == "acknowledge":
            services.alert_acknowledge(alert=alert, by=request.user, comment=comment)
            messages.success(request, _("Alert acknowledged: it will not be escalated."))
        elif action == "resolve":
            services.alert_resolve(alert=alert, by=request.user, comment=comment)
            messages.success(request, _("Alert resolved."))
        else:
            services.alert_comment(alert=alert, by=request.user, text=comment)
            messages.success(request, _("Comment added."))
    except services.AlertActionError as exc:
        messages.error(request, str(exc))
    return redirect("alerts:detail", pk=alert.pk)


def _ensure_rule_editor(user) -> None:
    if not (user.is_superuser or user.role in RULE_EDITORS):
        raise PermissionDenied(_("Only the ministry's analysts configure alert rules."))


def _ensure_rule_owner(user, rule: AlertRule) -> None:
    if not can_edit_rule(user, rule):
        raise PermissionDenied(_("Only the analysts of this rule's domain change it."))


@login_required
def rule_list(request):
    _ensure_rule_editor(request.user)
    rules = AlertRule.objects.select_related("data_set", "data_element__domain", "indicator__domain").prefetch_related(
        "data_set__members__data_element__domain"
    )
    rows = [(rule, kind_get(rule.kind), can_edit_rule(request.user, rule)) for rule in rules]
    return render(request, "alerts/rules.html", {"rows": rows})


@login_required
def rule_edit(request, pk: int | None = None):
    _ensure_rule_editor(request.user)
    rule = get_object_or_404(AlertRule, pk=pk) if pk else None
    if rule is not None:
        _ensure_rule_owner(request.user, rule)
    form = AlertRuleForm(request.POST or None, instance=rule)
    preview = None
    if request.method == "POST" and form.is_valid() and not can_edit_rule(request.user, form.instance):
        form.add_error(None, _("Only the analysts of this rule's domain change it: choose a target of your domains."))
    elif request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = services.rule_preview(form.save(commit=False))
        else:
            saved = form.save(commit=False)
            saved.updated_by = request.user
            saved.save()
            messages.success(request, _("Rule saved. Its alerts are updated at the next scan, within a minute."))
            return redirect("alerts:rules")
    return render(request, "alerts/rule_form.html", {"form": form, "rule": rule, "preview": preview})


@login_required
def silence_list(request):
    """Active and past silences of the user's units, and a form for leaders to add one."""
    import datetime as dt

    from django.utils import timezone

    from .forms import SilenceForm

    can_silence = request.user.is_superuser or request.user.role in services.SILENCERS
    form = SilenceForm(request.POST or None, units=unit_filter_choices(request.user, on=today()))
    if request.method == "POST":
        if not can_silence:
            raise PermissionDenied(_("Only leaders silence alerts."))
        if form.is_valid():
            data = form.cleaned_data
            tz = timezone.get_current_timezone()
            try:
                services.silence_create(
                    by=request.user,
                    starts_at=dt.datetime.combine(data["starts"], dt.time.min, tzinfo=tz),
                    ends_at=dt.datetime.combine(data["ends"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
                    reason=data["reason"],
                    kind=data["kind"],
                    org_unit=data["unit"],
                    severity=data["severity"],
                )
            except services.AlertActionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Silence added: matching alerts tell nobody until it ends."))
                return redirect("alerts:silences")
    now = timezone.now()
    silences = list(selectors.silences_visible(request.user)[:100])
    return render(
        request,
        "alerts/silences.html",
        {"form": form, "silences": silences, "now": now, "can_silence": can_silence},
    )


@login_required
@require_POST
def silence_end(request, pk: int):
    silence = get_object_or_404(selectors.silences_visible(request.user), pk=pk)
    try:
        services.silence_end(silence=silence, by=request.user)
        messages.success(request, _("Silence ended."))
    except services.AlertActionError as exc:
        messages.error(request, str(exc))
    return redirect("alerts:silences")
