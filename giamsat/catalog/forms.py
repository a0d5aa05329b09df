from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from giamsat.orgunits.choices import OrgUnitType
from giamsat.orgunits.models import OrgUnit

from .choices import AssignmentKind, ValueType
from .models import DataElement, DataSet, Indicator, Target, ValidationRule

code_validator = RegexValidator(r"^[A-Z][A-Z0-9_]{1,59}$", _("Use upper case letters, digits and underscores."))


def with_code(form_class):
    """The same form with the code field first, for creating an item (codes never change after)."""

    class CreateForm(form_class):
        class Meta(form_class.Meta):
            fields = ["code", *form_class.Meta.fields]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["code"].validators.append(code_validator)

    CreateForm.__name__ = f"{form_class.__name__}Create"
    return CreateForm


class DataElementForm(forms.ModelForm):
    class Meta:
        model = DataElement
        fields = [
            "name_vi",
            "name_en",
            "domain",
            "value_type",
            "unit_vi",
            "unit_en",
            "aggregation",
            "lineage_rule",
            "period_type",
            "min_value",
            "max_value",
            "zero_is_significant",
            "change_threshold",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("lineage_rule") and cleaned.get("value_type") != ValueType.BOOLEAN:
            self.add_error("lineage_rule", _("Only yes/no figures have a rule through restructuring."))
        return cleaned


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name_vi", "name_en", "domain", "pillar", "expression", "unit_vi", "unit_en", "direction", "decimals"]
        widgets = {"expression": forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "mono"})}


class DataSetForm(forms.ModelForm):
    class Meta:
        model = DataSet
        fields = ["name_vi", "name_en", "deadline_days", "approval_levels", "covers_sub_units"]

    def clean_approval_levels(self):
        levels = self.cleaned_data["approval_levels"]
        if levels > 2:
            raise forms.ValidationError(_("Use 0, 1 or 2 approval levels."))
        return levels


class ValidationRuleForm(forms.ModelForm):
    class Meta:
        model = ValidationRule
        fields = [
            "name_vi",
            "name_en",
            "left_expression",
            "operator",
            "right_expression",
            "severity",
            "message_vi",
            "message_en",
        ]
        widgets = {
            "left_expression": forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "class": "mono"}),
            "right_expression": forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "class": "mono"}),
        }


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = [
            "scope",
            "unit_type",
            "org_unit",
            "group",
            "year",
            "value",
            "baseline_value",
            "baseline_year",
            "source",
        ]
        widgets = {"source": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Targets are set for provinces, ministries and their units, not for each of the ~14,000
        # communes and districts: a select of every unit made the page megabytes long.
        self.fields["org_unit"].queryset = (
            OrgUnit.objects.exclude(type__in=[OrgUnitType.COMMUNE, OrgUnitType.DISTRICT])
            .only("code", "name_vi", "name_en", "valid_from", "valid_to")
            .order_by("type", "code")
        )

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == "UNIT" and not cleaned.get("org_unit"):
            self.add_error("org_unit", _("Choose the unit this target is for."))
        if scope == "GROUP" and not cleaned.get("group"):
            self.add_error("group", _("Choose the group this target is for."))
        if scope == "UNIT_TYPE" and not cleaned.get("unit_type"):
            self.add_error("unit_type", _("Give the unit type, e.g. PROVINCE."))
        return cleaned


class MemberAddForm(forms.Form):
    data_element = forms.ModelChoiceField(
        label=_("Data element"), queryset=None, to_field_name="code", empty_label=None
    )
    section = forms.CharField(
        label=_("Section"), max_length=255, required=False, help_text=_("Empty: the element's domain.")
    )
    required = forms.BooleanField(
        label=_("Required figure"),
        required=False,
        initial=True,
        help_text=_("The report cannot be submitted while it is empty, unless marked “no figure” with a reason."),
    )

    def __init__(self, *args, data_set=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import DataElement

        self.fields["data_element"].queryset = DataElement.objects.filter(period_type=data_set.period_type).exclude(
            data_set_members__data_set=data_set
        )


class AssignmentAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who reports"), choices=AssignmentKind.choices)
    org_unit = forms.CharField(label=_("Unit code"), required=False, max_length=40)
    group = forms.ChoiceField(label=_("Group"), required=False, choices=())
    unit_type = forms.ChoiceField(label=_("Unit type"), required=False, choices=[("", "—"), *OrgUnitType.choices])
    valid_from = forms.DateField(label=_("From (dd/mm/yyyy)"), required=False)
    valid_to = forms.DateField(label=_("To (dd/mm/yyyy)"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        from giamsat.orgunits.selectors import orgunit_group_list
        from giamsat.orgunits.widgets import UnitCodeInput

        super().__init__(*args, **kwargs)
        self.fields["org_unit"].widget = UnitCodeInput(units=units)
        self.fields["group"].choices = [("", "—"), *((g.code, g.name) for g in orgunit_group_list())]

    def clean(self):
        cleaned = super().clean()
        from giamsat.orgunits.models import OrgUnit, OrgUnitGroup

        if cleaned.get("org_unit"):
            cleaned["org_unit"] = OrgUnit.objects.filter(code=cleaned["org_unit"].strip()).first()
            if cleaned["org_unit"] is None:
                self.add_error("org_unit", _("No unit has this code."))
        else:
            cleaned["org_unit"] = None
        if cleaned.get("group"):
            cleaned["group"] = OrgUnitGroup.objects.filter(code=cleaned["group"].strip()).first()
            if cleaned["group"] is None:
                self.add_error("group", _("No group has this code."))
        else:
            cleaned["group"] = None
        return cleaned
