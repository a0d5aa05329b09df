from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DataElement, DataSet, Indicator, ValidationRule


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
            "period_type",
            "min_value",
            "max_value",
            "zero_is_significant",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name_vi", "name_en", "domain", "pillar", "expression", "unit_vi", "unit_en", "direction", "decimals"]
        widgets = {"expression": forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "mono"})}


class DataSetForm(forms.ModelForm):
    class Meta:
        model = DataSet
        fields = ["name_vi", "name_en", "deadline_days", "approval_levels"]

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
