"""Catalogue pages: browse and search, each item with where it is used; analysts edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giamsat.accounts.selectors import unit_filter_choices
from giamsat.core.dates import InvalidDate, parse_date, today
from giamsat.core.text import fold

from . import selectors, services
from .forms import (
    AssignmentAddForm,
    DataElementForm,
    DataSetForm,
    IndicatorForm,
    MemberAddForm,
    TargetForm,
    ValidationRuleForm,
    with_code,
)
from .models import DataElement, DataSet, DataSetAssignment, Domain, Indicator, Target, ValidationRule
from .permissions import can_edit_catalog, ensure_can_edit_catalog

TABS = ["elements", "indicators", "data-sets", "rules", "domains"]


def _matches(query: str, *texts: str) -> bool:
    words = fold(query).split()
    haystack = " ".join(fold(t) for t in texts)
    return all(w in haystack for w in words)


@login_required
def home(request):
    """The catalogue in tabs, filtered by domain and searched with or without diacritics."""
    tab = request.GET.get("tab", "elements")
    tab = tab if tab in TABS else "elements"
    domain = request.GET.get("domain", "")
    query = request.GET.get("q", "").strip()[:100]
    if tab == "elements":
        items = DataElement.objects.select_related("domain").annotate(
            n_sets=Count("data_set_members", distinct=True), n_indicators=Count("indicators", distinct=True)
        )
    elif tab == "indicators":
        items = Indicator.objects.select_related("domain").annotate(n_targets=Count("targets"))
    elif tab == "data-sets":
        items = DataSet.objects.select_related("domain").annotate(n_elements=Count("members"))
    elif tab == "rules":
        items = ValidationRule.objects.all()
    else:
        items = Domain.objects.prefetch_related("ownerships__owner__parent")
    if domain and tab not in {"rules", "domains"}:
        items = items.filter(domain__code=domain)
    items = list(items)
    if query:
        items = [i for i in items if _matches(query, i.code, i.name_vi, i.name_en)]
    context = {
        "tab": tab,
        "tabs": [
            ("elements", _("Data elements")),
            ("indicators", _("Indicators")),
            ("data-sets", _("Data sets")),
            ("rules", _("Validation rules")),
            ("domains", _("Domains and owners")),
        ],
        "items": items,
        "domains": Domain.objects.all(),
        "domain": domain,
        "query": query,
        "can_edit": can_edit_catalog(request.user),
    }
    return render(request, "catalog/home.html", context)


@login_required
def element_detail(request, code: str):
    element = get_object_or_404(DataElement.objects.select_related("domain"), code=code)
    return render(
        request,
        "catalog/element_detail.html",
        {
            "element": element,
            "usage": selectors.element_usage(element),
            "can_edit": can_edit_catalog(request.user, element.domain.code),
        },
    )


@login_required
def indicator_detail(request, code: str):
    indicator = get_object_or_404(Indicator.objects.select_related("domain"), code=code)
    return render(
        request,
        "catalog/indicator_detail.html",
        {
            "indicator": indicator,
            "elements": indicator.data_elements.all(),
            "targets": indicator.targets.select_related("org_unit", "group"),
            "can_edit": can_edit_catalog(request.user, indicator.domain.code),
        },
    )


@login_required
def data_set_detail(request, code: str, member_form=None, assignment_form=None, status=200):
    data_set = get_object_or_404(DataSet, code=code)
    can_edit = can_edit_catalog(request.user, data_set.domain.code if data_set.domain_id else None)
    context = {
        "data_set": data_set,
        "sections": selectors.data_set_sections(data_set),
        "assignments": data_set.assignments.select_related("org_unit", "group"),
        "can_edit": can_edit,
        "member_form": member_form or (MemberAddForm(data_set=data_set) if can_edit else None),
        "assignment_form": assignment_form or (AssignmentAddForm(units=_assignable(request)) if can_edit else None),
    }
    return render(request, "catalog/data_set_detail.html", context, status=status)


def _data_set_for_edit(request, code: str) -> DataSet:
    data_set = get_object_or_404(DataSet, code=code)
    ensure_can_edit_catalog(request.user, data_set.domain.code if data_set.domain_id else None)
    return data_set


@login_required
@require_POST
def data_set_member_add(request, code: str):
    data_set = _data_set_for_edit(request, code)
    form = MemberAddForm(request.POST, data_set=data_set)
    if form.is_valid():
        try:
            services.data_set_member_add(
                data_set=data_set,
                element=form.cleaned_data["data_element"],
                section_name=form.cleaned_data["section"],
                required=form.cleaned_data["required"],
                by=request.user,
            )
        except services.CatalogError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("catalog:data_set", code=code)
    return data_set_detail(request, code, member_form=form, status=400)


@login_required
@require_POST
def data_set_member_remove(request, code: str, element: str):
    data_set = _data_set_for_edit(request, code)
    services.data_set_member_remove(
        data_set=data_set, element=get_object_or_404(DataElement, code=element), by=request.user
    )
    messages.success(request, _("Removed from the data set; its stored figures are kept."))
    return redirect("catalog:data_set", code=code)


def _assignable(request):
    """The units an assignment offers by name (any other can be typed by its code)."""
    return unit_filter_choices(request.user, on=today())


@login_required
@require_POST
def data_set_assignment_add(request, code: str):
    data_set = _data_set_for_edit(request, code)
    form = AssignmentAddForm(request.POST, units=_assignable(request))
    if form.is_valid():
        try:
            services.data_set_assignment_add(data_set=data_set, by=request.user, **form.cleaned_data)
        except services.CatalogError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("catalog:data_set", code=code)
    return data_set_detail(request, code, assignment_form=form, status=400)


@login_required
@require_POST
def data_set_assignment_end(request, code: str, pk: int):
    data_set = _data_set_for_edit(request, code)
    assignment = get_object_or_404(DataSetAssignment, pk=pk, data_set=data_set)
    try:
        services.data_set_assignment_end(
            assignment=assignment, on=parse_date(request.POST.get("valid_to"), default=today()), by=request.user
        )
    except (services.CatalogError, InvalidDate) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("catalog:data_set", code=code)


@login_required
def rule_detail(request, code: str):
    rule = get_object_or_404(ValidationRule, code=code)
    return render(request, "catalog/rule_detail.html", {"rule": rule, "can_edit": can_edit_catalog(request.user)})


def _edit(request, instance, form_class, save, domain_code, redirect_name, title):
    ensure_can_edit_catalog(request.user, domain_code)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        item = form.save(commit=False)
        if domain_code is None and getattr(item, "domain_id", None):
            ensure_can_edit_catalog(request.user, item.domain.code)  # a new item's own domain
        try:
            save(item)
        except services.CatalogError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect(redirect_name, code=item.code)
    status = 400 if request.method == "POST" else 200
    back = reverse(redirect_name, kwargs={"code": instance.code}) if instance is not None and instance.pk else None
    context = {"form": form, "item": instance, "title": title, "back_url": back}
    return render(request, "catalog/edit.html", context, status=status)


@login_required
def element_edit(request, code: str):
    element = get_object_or_404(DataElement, code=code)
    return _edit(
        request,
        element,
        DataElementForm,
        lambda e: services.data_element_save(element=e, by=request.user),
        element.domain.code,
        "catalog:element",
        element.name,
    )


@login_required
def indicator_edit(request, code: str):
    indicator = get_object_or_404(Indicator, code=code)
    return _edit(
        request,
        indicator,
        IndicatorForm,
        lambda i: services.indicator_save(indicator=i, by=request.user),
        indicator.domain.code,
        "catalog:indicator",
        indicator.name,
    )


@login_required
def data_set_edit(request, code: str):
    data_set = get_object_or_404(DataSet, code=code)
    return _edit(
        request,
        data_set,
        DataSetForm,
        lambda d: services.data_set_save(data_set=d, by=request.user),
        data_set.domain.code if data_set.domain_id else None,
        "catalog:data_set",
        data_set.name,
    )


@login_required
def rule_edit(request, code: str):
    rule = get_object_or_404(ValidationRule, code=code)
    return _edit(
        request,
        rule,
        ValidationRuleForm,
        lambda r: services.validation_rule_save(rule=r, by=request.user),
        None,
        "catalog:rule",
        rule.name,
    )


@login_required
def element_new(request):
    return _edit(
        request,
        None,
        with_code(DataElementForm),
        lambda e: services.data_element_save(element=e, by=request.user),
        None,
        "catalog:element",
        _("New data element"),
    )


@login_required
def indicator_new(request):
    return _edit(
        request,
        None,
        with_code(IndicatorForm),
        lambda i: services.indicator_save(indicator=i, by=request.user),
        None,
        "catalog:indicator",
        _("New indicator"),
    )


@login_required
def rule_new(request):
    return _edit(
        request,
        None,
        with_code(ValidationRuleForm),
        lambda r: services.validation_rule_save(rule=r, by=request.user),
        None,
        "catalog:rule",
        _("New validation rule"),
    )


@login_required
def target_edit(request, code: str, pk: int | None = None):
    """Add or change one of an indicator's targets."""
    indicator = get_object_or_404(Indicator, code=code)
    ensure_can_edit_catalog(request.user, indicator.domain.code)
    target = get_object_or_404(Target, pk=pk, indicator=indicator) if pk else Target(indicator=indicator)
    form = TargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        services.target_save(target=form.save(commit=False), by=request.user)
        messages.success(request, _("Saved."))
        return redirect("catalog:indicator", code=indicator.code)
    status = 400 if request.method == "POST" else 200
    title = _("Target for %(name)s") % {"name": indicator.name}
    context = {"form": form, "item": indicator, "title": title, "back_url": reverse("catalog:indicator", args=[code])}
    return render(request, "catalog/edit.html", context, status=status)
