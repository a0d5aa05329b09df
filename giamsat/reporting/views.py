"""Reporting pages: my reports, the report form (autosaved figure by figure), review, completeness."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from giamsat.accounts.selectors import ensure_can_view, unit_filter_choices, user_scope
from giamsat.catalog.models import DataElement, DataSet
from giamsat.core.dates import today
from giamsat.core.periods import PICKER_DEPTH, InvalidPeriod, picker_choices
from giamsat.core.periods import Period as PeriodValue
from giamsat.core.text import csv_text
from giamsat.orgunits.models import OrgUnit

from . import selectors, services
from .choices import EDITABLE_STATUSES, Channel, ReportStatus
from .models import DataValue, Report
from .validation import report_rule_violations


def _report_or_404(request, pk: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("data_set", "org_unit__parent", "period"), pk=pk)
    ensure_can_view(request.user, report.org_unit)
    return report


def _can_edit(user, report: Report) -> bool:
    return report.status in EDITABLE_STATUSES and user_scope(user, "CAPTURE").contains(report.org_unit)


def _decimal_separator() -> str:
    return "." if (get_language() or "vi").startswith("en") else ","


@login_required
def home(request):
    """A reporter's reports: due soon, overdue, returned, submitted; a reviewer's queue."""
    lists = selectors.reporter_lists(request.user)
    queue = list(selectors.review_queue(request.user).order_by("deadline")[:50])
    fills = selectors.reports_fill(queue)
    for report in queue:
        report.fill = fills[report.pk]
    data_sets, units = selectors.capture_choices(request.user)
    # The picker preselects the last period that has ended of the first data set offered.
    pick_period = PeriodValue.containing(data_sets[0].period_type, today()).previous().code if data_sets else ""
    context = {
        "lists": lists,
        "queue": queue,
        "today": today(),
        "pick_data_sets": data_sets,
        "pick_units": units,
        "pick_periods": picker_choices({d.period_type for d in data_sets}, today=today(), selected=pick_period),
        "pick_period": pick_period,
    }
    return render(request, "reporting/home.html", context)


@login_required
@require_POST
def open_report(request):
    """Open (creating as a draft if needed) the report of a data set, unit and period."""
    try:
        data_set = DataSet.objects.get(code=request.POST.get("data_set", ""))
        org_unit = OrgUnit.objects.get(code=request.POST.get("org_unit", ""))
        period = services.period_get(request.POST.get("period", ""))
    except (DataSet.DoesNotExist, OrgUnit.DoesNotExist):
        raise Http404(_("Unknown data set or unit.")) from None
    except InvalidPeriod as exc:
        return render(request, "errors/400.html", {"message": str(exc)}, status=400)
    try:
        report = services.report_open(data_set=data_set, org_unit=org_unit, period=period, by=request.user)
    except services.ReportStateError as exc:
        return render(request, "errors/400.html", {"message": str(exc)}, status=400)
    return redirect("reporting:detail", pk=report.pk)


def _detail_context(request, report: Report, **extra) -> dict:
    editable = _can_edit(request.user, report)
    return {
        "report": report,
        "sections": selectors.report_form(report),
        "editable": editable,
        "violations": report_rule_violations(report),
        "fill": selectors.report_fill(report),
        "big_changes": selectors.report_big_changes(report),
        "late_now": editable and services.report_is_late_now(report),
        "history": selectors.report_history(report),
        "can_flag": _allowed(lambda user, r: services.ensure_can_flag(user, r.org_unit), request.user, report),
        "audit": selectors.report_value_audit(report, limit=50),
        "can_approve": _allowed(services.ensure_can_approve, request.user, report)
        and report.status in {ReportStatus.SUBMITTED, ReportStatus.APPROVED_1}
        and report.data_set.approval_levels > 0,
        "can_accept": _allowed(services.ensure_can_accept, request.user, report)
        and (
            report.status == ReportStatus.APPROVED
            or (report.status == ReportStatus.SUBMITTED and report.data_set.approval_levels == 0)
        ),
        "can_return": report.status
        in {ReportStatus.SUBMITTED, ReportStatus.APPROVED_1, ReportStatus.APPROVED, ReportStatus.ACCEPTED}
        and (
            _allowed(services.ensure_can_approve, request.user, report)
            or _allowed(services.ensure_can_accept, request.user, report)
        ),
        "today": today(),
        **extra,
    }


def _allowed(check, user, report) -> bool:
    try:
        check(user, report)
    except PermissionDenied:
        return False
    return True


@login_required
def detail(request, pk: int):
    """The report: an autosaving form for its reporters, read-only with differences for reviewers."""
    report = _report_or_404(request, pk)
    return render(request, "reporting/detail.html", _detail_context(request, report))


@login_required
@require_POST
def value_save(request, pk: int, code: str):
    """HTMX: check and autosave one figure; answer with the field and the rules panel."""
    report = _report_or_404(request, pk)
    member = report.data_set.members.select_related("data_element").filter(data_element__code=code).first()
    if member is None:
        raise Http404(_("This figure is not part of the report."))
    raw = request.POST.get("value", "")
    comment = request.POST.get("comment")
    error = None
    stale = False
    if not _can_edit(request.user, report):
        error = _("This report is not open for editing.")
    else:
        result = services.data_values_write(
            inputs=[
                services.ValueInput(
                    data_element=member.data_element,
                    org_unit=report.org_unit,
                    period=report.period,
                    value=raw,
                    comment=comment,
                    expected_version=request.POST.get("version"),
                )
            ],
            by=request.user,
            channel=Channel.FORM,
            decimal_separator=_decimal_separator(),
        )
        if not result.ok:
            error = result.problems[0].reason
            stale = result.problems[0].stale
    field = next(f for section in selectors.report_form(report) for f in section.fields if f.member.pk == member.pk)
    context = {
        "report": report,
        "field": field,
        "editable": True,
        "error": error,
        "raw": raw,
        "stale": stale,
        "saved": error is None,
        "violations": report_rule_violations(report),
        "audit": selectors.report_value_audit(report, limit=50),
        "oob": True,
    }
    return render(request, "reporting/_field_response.html", context, status=200)


@login_required
@require_POST
def follow_up(request, pk: int, code: str):
    """HTMX: a reviewer flags (or unflags) a figure for follow-up."""
    report = _report_or_404(request, pk)
    value = DataValue.objects.filter(org_unit=report.org_unit, period=report.period, data_element__code=code).first()
    if value is None:
        raise Http404(_("No figure has been entered here yet."))
    services.data_value_set_follow_up(value=value, follow_up=request.POST.get("follow_up") == "1", by=request.user)
    field = next(
        f for section in selectors.report_form(report) for f in section.fields if f.member.data_element.code == code
    )
    return render(
        request,
        "reporting/_field.html",
        {"report": report, "field": field, "editable": _can_edit(request.user, report), "can_flag": True},
    )


def _member_or_404(report: Report, code: str):
    member = report.data_set.members.select_related("data_element").filter(data_element__code=code).first()
    if member is None:
        raise Http404(_("This figure is not part of the report."))
    return member


@login_required
@require_POST
def no_figure_mark(request, pk: int, code: str):
    """Mark a figure of the report "no figure", with the reason (then back to the figure)."""
    report = _report_or_404(request, pk)
    member = _member_or_404(report, code)
    try:
        services.report_no_figure_mark(
            report=report, data_element=member.data_element, reason=request.POST.get("reason", ""), by=request.user
        )
    except services.ReportStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Marked “no figure”: %(name)s.") % {"name": member.data_element.name})
    return redirect(reverse("reporting:detail", args=[report.pk]) + f"#f-{code}")


@login_required
@require_POST
def no_figure_unmark(request, pk: int, code: str):
    """Take a "no figure" mark off a figure of the report."""
    report = _report_or_404(request, pk)
    member = _member_or_404(report, code)
    try:
        services.report_no_figure_unmark(report=report, data_element=member.data_element, by=request.user)
    except services.ReportStateError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("reporting:detail", args=[report.pk]) + f"#f-{code}")


def _workflow(request, pk: int, action):
    report = _report_or_404(request, pk)
    try:
        action(report)
    except services.ReportStateError as exc:
        messages.error(request, str(exc))
    return redirect("reporting:detail", pk=report.pk)


@login_required
@require_POST
def submit(request, pk: int):
    def act(report):
        services.report_submit(
            report=report,
            by=request.user,
            comment=request.POST.get("comment", ""),
            late_reason=request.POST.get("late_reason", ""),
        )
        messages.success(request, _("Report submitted. Its figures are locked until it is returned."))

    return _workflow(request, pk, act)


@login_required
@require_POST
def approve(request, pk: int):
    def act(report):
        services.report_approve(report=report, by=request.user, comment=request.POST.get("comment", ""))
        messages.success(request, _("Report approved."))

    return _workflow(request, pk, act)


@login_required
@require_POST
def accept(request, pk: int):
    def act(report):
        services.report_accept(report=report, by=request.user, comment=request.POST.get("comment", ""))
        messages.success(request, _("Report accepted."))

    return _workflow(request, pk, act)


@login_required
@require_POST
def return_report(request, pk: int):
    def act(report):
        services.report_return(report=report, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("Report returned to the unit."))

    return _workflow(request, pk, act)


@login_required
def completeness(request):
    """Expected, received and on-time reports, and filled figures, per data set for a period;
    with `data_set`, the same for each unit."""
    period_code = request.GET.get("period", "").strip()
    chosen = DataSet.objects.filter(code=request.GET.get("data_set", "")).first()
    rows, units, error = [], [], None
    for data_set in [chosen] if chosen else DataSet.objects.all():
        try:
            period = (
                PeriodValue.parse(period_code)
                if period_code
                else PeriodValue.containing(data_set.period_type, today()).previous()
            )
        except InvalidPeriod as exc:
            error = str(exc)
            break
        if period.type != data_set.period_type:
            period = PeriodValue.containing(data_set.period_type, period.end)
        rows.append(selectors.completeness(data_set, period, request.user))
        if chosen:
            units = selectors.completeness_by_unit(data_set, period, request.user)
    shown = period_code or (rows[0].period.code if rows else "")
    types = [chosen.period_type] if chosen else [d.period_type for d in DataSet.objects.all()]
    context = {
        "rows": rows,
        "units": units,
        "chosen": chosen,
        "error": error,
        "period": shown,
        "period_choices": picker_choices(types, today=today(), selected=shown),
    }
    return render(request, "reporting/completeness.html", context, status=400 if error else 200)


def _audit_filters(request) -> selectors.AuditFilters:
    """The audit trail's filters from the query string (AuditFilterError, ScopeDenied)."""
    params = request.GET
    return selectors.audit_filters_parse(
        user=request.user,
        org_unit=params.get("org_unit"),
        children=params.get("children") == "1",
        data_element=params.get("data_element"),
        period=params.get("period"),
        username=params.get("user"),
        channel=params.get("channel"),
        start=params.get("start"),
        end=params.get("end"),
    )


@login_required
@require_GET
def audit(request):
    """Changes to figures in the user's scope: who changed what, when and through which channel."""
    try:
        filters = _audit_filters(request)
        number = selectors.audit_page_number(request.GET.get("page"), name=_("Page number"))
    except selectors.AuditFilterError as exc:
        return render(request, "errors/400.html", {"message": str(exc)}, status=400)
    paginator = Paginator(selectors.audit_entries(user=request.user, filters=filters), selectors.AUDIT_PAGE_SIZE)
    page = paginator.get_page(number)  # past the end: the last page
    entries = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    report_ids = selectors.audit_report_ids(entries)
    context = {
        "page": page,
        "rows": [(entry, report_ids.get(entry.pk)) for entry in entries],
        "filters": filters,
        "params": request.GET,
        "page_query": query.urlencode(),
        "elements": DataElement.objects.order_by("code").only("code", "name_vi", "name_en"),
        "channels": Channel.choices,
        "period_choices": picker_choices(PICKER_DEPTH, today=today(), selected=filters.period_code),
        "filter_units": unit_filter_choices(request.user, on=today()),
    }
    return render(request, "reporting/audit.html", context)


AUDIT_CSV_CHUNK = 500


def _audit_csv_rows(entries, *, language: str):
    """The CSV text, a chunk of rows at a time, written in the request's language (the
    response is read after the view has returned)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    with translation.override(language):
        out.write("\ufeff")  # a byte-order mark, so that Excel reads the Vietnamese as UTF-8
        writer.writerow(
            [
                _("Time"),
                _("Unit code"),
                _("Unit"),
                _("Data element code"),
                _("Data element"),
                _("Period"),
                _("Change"),
                _("Old value"),
                _("New value"),
                _("Old comment"),
                _("New comment"),
                _("Changed by"),
                _("Channel"),
            ]
        )
        for number, entry in enumerate(entries, start=1):
            writer.writerow(
                [
                    timezone.localtime(entry.changed_at).strftime("%d/%m/%Y %H:%M:%S"),
                    csv_text(entry.org_unit.code),
                    csv_text(entry.org_unit.name),
                    csv_text(entry.data_element.code),
                    csv_text(entry.data_element.name),
                    csv_text(entry.period.code),
                    entry.get_action_display(),
                    "" if entry.old_value is None else format(entry.old_value.normalize(), "f"),
                    "" if entry.new_value is None else format(entry.new_value.normalize(), "f"),
                    csv_text(entry.old_comment),
                    csv_text(entry.new_comment),
                    csv_text(entry.changed_by.username if entry.changed_by else ""),
                    entry.get_channel_display(),
                ]
            )
            if number % AUDIT_CSV_CHUNK == 0:
                yield flush()
        yield flush()


@login_required
@require_GET
def audit_csv(request):
    """The filtered changes to figures as CSV (numbers with a dot, times dd/mm/yyyy hh:mm:ss)."""
    try:
        filters = _audit_filters(request)
    except selectors.AuditFilterError as exc:
        return render(request, "errors/400.html", {"message": str(exc)}, status=400)
    entries = selectors.audit_entries(user=request.user, filters=filters).iterator(chunk_size=2000)
    response = StreamingHttpResponse(
        _audit_csv_rows(entries, language=get_language() or "vi"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit_{today():%Y%m%d}.csv"'
    return response
