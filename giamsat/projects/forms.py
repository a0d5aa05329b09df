"""Forms of the projects' pages: the portfolio's filters, a project, its year budget, a
transaction, physical progress, a package, a milestone, a baseline, and a new version of the
red-flag rules. Dates are typed dd/mm/yyyy; amounts are whole đồng, typed with or without
thousands separators (1.200.000.000)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from giamsat.accounts.choices import Domain
from giamsat.core.widgets import DayInput

from .choices import (
    FlagCode,
    FundingSource,
    MilestoneType,
    PackageStage,
    ProcurementMethod,
    Programme,
    ProjectStatus,
    ProjectType,
    TransactionKind,
)

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _date_field(label, required=True, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=DayInput,
        error_messages={"invalid": _("Enter a date as dd/mm/yyyy, for example 30/06/2026.")},
        **kwargs,
    )


class MoneyField(forms.CharField):
    """Whole đồng: "1.200.000.000", "1 200 000 000" and "1200000000" are the same amount."""

    def __init__(self, *args, positive=True, **kwargs):
        self.positive = positive
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        digits = re.sub(r"[\s.,\u00a0]", "", str(value))
        if not digits.isdigit():
            raise forms.ValidationError(
                _("Enter an amount in đồng as a whole number, for example 1.200.000.000."), code="invalid"
            )
        amount = int(digits)
        if self.positive and amount <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."), code="min_value")
        return amount


class PercentField(forms.CharField):
    """A percentage from 0 to 100, with a decimal comma or point ("45,5")."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise forms.ValidationError(
                _("Enter a percentage between 0 and 100, for example 45,5."), code="invalid"
            ) from None
        if not Decimal(0) <= number <= Decimal(100):
            raise forms.ValidationError(_("Enter a percentage between 0 and 100, for example 45,5."), code="range")
        return number


class ProjectsForm(forms.Form):
    """Labels start with a capital letter on the page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)


class PortfolioFilterForm(ProjectsForm):
    owner = forms.CharField(label=_("owner unit"), required=False, max_length=60)
    domain = forms.ChoiceField(label=_("domain"), required=False, choices=())
    status = forms.ChoiceField(label=_("status"), required=False, choices=())
    programme = forms.ChoiceField(label=_("programme"), required=False, choices=())
    flag = forms.ChoiceField(label=_("red flag"), required=False, choices=())
    q = forms.CharField(label=_("code or name"), required=False, max_length=100)

    def __init__(self, *args, units=(), **kwargs):
        from giamsat.orgunits.widgets import UnitCodeInput

        super().__init__(*args, **kwargs)
        self.fields["owner"].widget = UnitCodeInput(units=units)
        self.fields["domain"].choices = [("", _("All domains")), *Domain.choices]
        self.fields["status"].choices = [("", _("All statuses")), *ProjectStatus.choices]
        self.fields["programme"].choices = [("", _("All programmes")), *Programme.choices]
        self.fields["flag"].choices = [("", "—"), ("any", _("Any open red flag")), *FlagCode.choices]


class ProjectForm(ProjectsForm):
    """A new project (code, owner and funding only then) or a project's registry fields."""

    code = forms.CharField(label=_("project code"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=500)
    owner_unit = forms.ModelChoiceField(label=_("owner unit"), queryset=None)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    type = forms.ChoiceField(label=_("type"), choices=ProjectType.choices)
    domain = forms.ChoiceField(label=_("domain"), choices=Domain.choices, initial=Domain.IT_DX)
    programme = forms.ChoiceField(label=_("programme"), required=False, choices=())
    status = forms.ChoiceField(label=_("status"), choices=ProjectStatus.choices)
    decision_number = forms.CharField(label=_("approving decision"), max_length=80)
    decision_date = _date_field(_("approved on"))
    decision_body = forms.CharField(label=_("approving body"), max_length=255)
    total_investment = MoneyField(label=_("total investment (VND)"))
    planned_start = _date_field(_("planned start"))
    planned_end = _date_field(_("planned end"))
    actual_start = _date_field(_("actual start"), required=False)
    actual_end = _date_field(_("actual end"), required=False)

    def __init__(self, *args, owners=None, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.fields["programme"].choices = [("", "—"), *Programme.choices]
        if creating:
            self.fields["owner_unit"].queryset = owners
            del self.fields["actual_start"], self.fields["actual_end"]
            for source, label in FundingSource.choices:
                self.fields[f"funding_{source}"] = MoneyField(
                    label=_("funding: %(source)s (VND)") % {"source": label}, required=False
                )
        else:
            del self.fields["code"], self.fields["owner_unit"]

    def funding(self) -> dict[str, int]:
        return {
            source: self.cleaned_data[f"funding_{source}"]
            for source in FundingSource.values
            if self.cleaned_data.get(f"funding_{source}")
        }


class YearBudgetForm(ProjectsForm):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    planned = MoneyField(label=_("planned (VND)"), positive=False)
    allocated = MoneyField(label=_("allocated (VND)"), positive=False)


class TransactionForm(ProjectsForm):
    kind = forms.ChoiceField(label=_("kind"), choices=TransactionKind.choices, initial=TransactionKind.DISBURSEMENT)
    date = _date_field(_("date"))
    amount = MoneyField(label=_("amount (VND)"))
    document = forms.CharField(label=_("document"), max_length=255, required=False)
    package = forms.ModelChoiceField(label=_("package"), queryset=None, required=False)
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, packages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = packages


class PhysicalProgressForm(ProjectsForm):
    on = _date_field(_("as of"))
    percent = PercentField(label=_("physical progress (%)"), max_length=10)
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class PackageForm(ProjectsForm):
    code = forms.CharField(label=_("package number"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=500)
    method = forms.ChoiceField(label=_("procurement method"), choices=ProcurementMethod.choices)
    stage = forms.ChoiceField(label=_("stage"), choices=PackageStage.choices)
    estimated_value = MoneyField(label=_("estimated value (VND)"))
    contract_value = MoneyField(label=_("contract value (VND)"), required=False)
    bidders = forms.IntegerField(label=_("number of bidders"), required=False, min_value=0, max_value=999)
    supplier = forms.CharField(label=_("supplier"), max_length=255, required=False)
    tender_date = _date_field(_("tender opened"), required=False)
    award_date = _date_field(_("awarded on"), required=False)
    contract_date = _date_field(_("contract signed"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("award_date") and data.get("tender_date") and data["award_date"] < data["tender_date"]:
            self.add_error("award_date", _("The award is dated before the tender opened."))
        if data.get("contract_date") and data.get("award_date") and data["contract_date"] < data["award_date"]:
            self.add_error("contract_date", _("The contract is dated before the award."))
        return data


class MilestoneForm(ProjectsForm):
    title = forms.CharField(label=_("milestone"), max_length=500)
    type = forms.ChoiceField(label=_("milestone type"), choices=MilestoneType.choices)
    start_date = _date_field(_("start"), required=False)
    due_date = _date_field(_("deadline"))
    weight = forms.IntegerField(label=_("weight (%)"), min_value=0, max_value=100, initial=0, required=False)
    deliverable = forms.CharField(label=_("deliverable"), max_length=5000, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("due_date") and data["due_date"] < data["start_date"]:
            self.add_error("due_date", _("The deadline is before the start."))
        return data


class MilestoneReportForm(ProjectsForm):
    """The owner reports where a milestone stands, with its evidence (tracked work's report)."""

    milestone = forms.ModelChoiceField(label=_("milestone"), queryset=None)
    progress = forms.IntegerField(label=_("progress (%)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    link = forms.URLField(label=_("link to the evidence"), max_length=500, required=False, assume_scheme="https")
    completion = forms.BooleanField(label=_("the milestone is met"), required=False)

    def __init__(self, *args, milestones=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones
        self.fields["milestone"].label_from_instance = lambda m: f"{m.item.due_date:%d/%m/%Y} · {m.item.title}"


class BaselineFreezeForm(ProjectsForm):
    on = _date_field(_("as of"), required=False)
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)


PARAM_LABELS = {
    "from_month": _("from month"),
    "gap_pct": _("gap (percentage points)"),
    "max_bidders": _("at most this many bids"),
    "tolerance_pct": _("tolerance (%)"),
    "days": _("days past the deadline"),
    "cpi_below": _("CPI below"),
    "min_spent_pct": _("once this share of the budget is paid out (%)"),
    "months": _("months after approval"),
}


class RuleSetForm(ProjectsForm):
    """The rules in force with their thresholds, to publish as a new version."""

    valid_from = _date_field(_("in force from"))
    note = forms.CharField(label=_("what changed"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = list(rules)
        for rule in self.rules:
            self.fields[f"{rule.code}__enabled"] = forms.BooleanField(
                label=_("enabled"), required=False, initial=rule.enabled
            )
            for name, value in sorted((rule.params or {}).items()):
                self.fields[f"{rule.code}__{name}"] = forms.DecimalField(
                    label=PARAM_LABELS.get(name, name),
                    min_value=0,
                    initial=value,
                    localize=True,
                    max_digits=12,
                    decimal_places=4,
                )

    def rows(self):
        """Each rule with its fields, for the template."""
        return [
            (
                rule,
                self[f"{rule.code}__enabled"],
                [self[f"{rule.code}__{name}"] for name in sorted(rule.params or {})],
            )
            for rule in self.rules
        ]

    def changes(self) -> dict[str, dict]:
        changes = {}
        for rule in self.rules:
            params = {}
            for name in rule.params or {}:
                value = self.cleaned_data[f"{rule.code}__{name}"]
                params[name] = int(value) if value == value.to_integral_value() else float(value)
            changes[rule.code] = {"params": params, "enabled": self.cleaned_data[f"{rule.code}__enabled"]}
        return changes
