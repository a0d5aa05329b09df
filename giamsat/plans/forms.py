"""Forms of the plans' pages: the overview's filters, a new task, and what a task's page asks
(progress and completion with evidence, an extension, the assigner's review and decision,
a comment, a baseline). Dates are typed dd/mm/yyyy (ISO yyyy-mm-dd is read too)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from giamsat.accounts.choices import Domain
from giamsat.core.widgets import DayInput
from giamsat.orgunits.choices import OrgUnitType
from giamsat.tracking.choices import WorkStatus

from .choices import PLAN_UNIT_TYPES
from .models import AssigningDocument, Task

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_field(label, required=True, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=DayInput,
        error_messages={"invalid": _("Enter a date as dd/mm/yyyy, for example 30/06/2026.")},
        **kwargs,
    )


class PlainSelect(forms.Select):
    """A select drawn in one pass, without a template per option: a plan's few hundred tasks as
    choices of "part of" took 0,2 s through Django's widget templates."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.build_attrs(self.attrs, attrs), "name": name}
        values = value if isinstance(value, list | tuple) else [value]
        chosen = {str(v) for v in values if v not in (None, "")}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(v), mark_safe(" selected") if str(v) in chosen else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), options)


class PlansForm(forms.Form):
    """Labels start with a capital letter on the page (the field names stay lower case)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)


class TaskFilterForm(PlansForm):
    """The overview's filters (GET). Every field optional; anything unreadable is reported."""

    year = forms.TypedChoiceField(label=_("year"), coerce=int, required=False, choices=())
    unit_type = forms.ChoiceField(label=_("unit type"), required=False, choices=())
    unit = forms.CharField(label=_("unit"), required=False, max_length=60)
    status = forms.ChoiceField(label=_("status"), required=False, choices=())
    domain = forms.ChoiceField(label=_("domain"), required=False, choices=())
    document = forms.TypedChoiceField(label=_("assigning document"), coerce=int, required=False, choices=())
    due_from = _date_field(_("due from"), required=False)
    due_to = _date_field(_("due until"), required=False)

    def __init__(self, *args, years=(), documents=(), units=(), **kwargs):
        from giamsat.orgunits.widgets import UnitCodeInput

        super().__init__(*args, **kwargs)
        self.fields["unit"].widget = UnitCodeInput(units=units)  # offered by name
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["unit_type"].choices = [("", _("All unit types"))] + [
            (t, OrgUnitType(t).label) for t in PLAN_UNIT_TYPES
        ]
        self.fields["status"].choices = [("", _("All statuses")), *WorkStatus.choices]
        self.fields["domain"].choices = [("", _("All domains")), *Domain.choices]
        self.fields["document"].choices = [("", _("All documents"))] + [(d.pk, str(d)) for d in documents]

    def clean(self):
        data = super().clean()
        if data.get("due_from") and data.get("due_to") and data["due_to"] < data["due_from"]:
            self.add_error("due_to", _("The end of the range is before its start."))
        return data


class TaskCreateForm(PlansForm):
    """A new task of a plan, possibly a sub-task, possibly with the document that gave it."""

    title = forms.CharField(label=_("task"), max_length=500)
    number = forms.CharField(label=_("number in the plan"), max_length=20, required=False)
    domain = forms.ChoiceField(label=_("domain"), required=False, choices=())
    parent = forms.ModelChoiceField(
        label=_("part of"), required=False, queryset=Task.objects.none(), widget=PlainSelect
    )
    document = forms.ModelChoiceField(
        label=_("assigning document"), required=False, queryset=AssigningDocument.objects.none(), widget=PlainSelect
    )
    document_number = forms.CharField(label=_("or a new document: number"), max_length=80, required=False)
    document_date = _date_field(_("new document: issued on"), required=False)
    document_body = forms.CharField(label=_("new document: issuing body"), max_length=255, required=False)
    start_date = _date_field(_("start"), required=False)
    due_date = _date_field(pgettext_lazy("task", "deadline"))
    deliverable = forms.CharField(
        label=_("deliverable"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )

    def __init__(self, *args, plan=None, documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", "—"), *Domain.choices]
        if plan is not None:
            self.fields["parent"].queryset = (
                Task.objects.filter(plan=plan, parent__isnull=True).select_related("item").order_by("number", "pk")
            )
            self.fields["parent"].label_from_instance = lambda t: f"{t.number} {t.item.title}".strip()
        self.fields["document"].queryset = documents if documents is not None else AssigningDocument.objects.all()

    def clean(self):
        data = super().clean()
        if data.get("document_number") and not data.get("document_date"):
            self.add_error("document_date", _("A new document needs its date of issue."))
        if data.get("start_date") and data.get("due_date") and data["due_date"] < data["start_date"]:
            self.add_error("due_date", _("The deadline is before the start."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ProgressForm(PlansForm):
    """Progress or completion reported by the unit, with its evidence."""

    progress = forms.IntegerField(
        label=_("progress (%)"),
        min_value=0,
        max_value=100,
        required=False,
        error_messages={
            "min_value": _("Progress is a percentage between 0 and 100."),
            "max_value": _("Progress is a percentage between 0 and 100."),
            "invalid": _("Progress is a percentage between 0 and 100."),
        },
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    link = forms.URLField(
        label=_("link to the evidence"),
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a full web address, for example https://example.gov.vn/report.")},
    )
    files = MultipleFileField(label=_("files"), required=False)
    data_element = forms.CharField(label=_("figure as evidence: data element code"), required=False, max_length=60)
    data_period = forms.CharField(label=_("period of the figure"), required=False, max_length=20)

    def clean_data_element(self):
        from giamsat.catalog.models import DataElement

        code = (self.cleaned_data.get("data_element") or "").strip()
        if not code:
            return None
        element = DataElement.objects.filter(code__iexact=code).first()
        if element is None:
            raise forms.ValidationError(_("No data element has the code “%(code)s”.") % {"code": code[:60]})
        return element

    def clean_data_period(self):
        from giamsat.core.periods import InvalidPeriod
        from giamsat.core.periods import Period as PeriodValue

        code = (self.cleaned_data.get("data_period") or "").strip()
        if not code:
            return None
        try:
            return PeriodValue.parse(code)
        except InvalidPeriod as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        data = super().clean()
        if (data.get("data_element") is None) != (data.get("data_period") is None) and not self.errors:
            self.add_error("data_period", _("A figure as evidence needs both the figure and its period."))
        return data


class ExtensionRequestForm(PlansForm):
    due_requested = _date_field(_("new deadline"))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, current_due: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_due = current_due

    def clean_due_requested(self):
        value = self.cleaned_data["due_requested"]
        if self.current_due and value <= self.current_due:
            raise forms.ValidationError(_("The new deadline must be after the current one."))
        return value


class ReviewForm(PlansForm):
    """The assigner's decision on the evidence: accept, or return with a reason."""

    decision = forms.ChoiceField(choices=(("accept", _("Accept")), ("return", _("Return"))), widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("note (a reason is required to return)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the evidence is returned."))
        return data


class ExtensionDecideForm(PlansForm):
    decision = forms.ChoiceField(choices=(("approve", _("Approve")), ("refuse", _("Refuse"))), widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("note (a reason is required to refuse)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the extension is refused."))
        return data


class CommentForm(PlansForm):
    text = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class BaselineForm(PlansForm):
    name = forms.CharField(label=_("name of the baseline"), max_length=255)
