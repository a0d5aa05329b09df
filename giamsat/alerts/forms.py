import json

from django import forms
from django.utils.translation import gettext_lazy as _

from giamsat.core.widgets import DayInput

from .models import AlertRule
from .registry import kind_choices, kind_get


class AlertRuleForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind"), choices=())
    params_text = forms.CharField(
        label=_("thresholds"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('JSON, for example {"z": 3.5, "history": 12}. Empty: the kind\'s defaults.'),
    )

    class Meta:
        model = AlertRule
        fields = [
            "code",
            "name_vi",
            "name_en",
            "kind",
            "severity",
            "enabled",
            "data_set",
            "data_element",
            "indicator",
            "escalate_after_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()
        if self.instance.pk and self.instance.params:
            self.fields["params_text"].initial = json.dumps(self.instance.params, ensure_ascii=False)

    def clean_params_text(self):
        text = (self.cleaned_data.get("params_text") or "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("The thresholds are not valid JSON (line %(line)s, column %(column)s).")
                % {"line": exc.lineno, "column": exc.colno}
            ) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_('Write the thresholds as an object, for example {"percent": 50}.'))
        return value

    def clean(self):
        cleaned = super().clean()
        kind = kind_get(cleaned.get("kind") or "")
        if kind is None:
            return cleaned
        unknown = set(cleaned.get("params_text") or {}) - set(kind.defaults)
        if unknown:
            self.add_error(
                "params_text",
                _("Unknown thresholds for this kind: %(names)s. Known: %(known)s.")
                % {"names": ", ".join(sorted(unknown)), "known": ", ".join(sorted(kind.defaults)) or "—"},
            )
        needed = {"data_set": _("Choose the data set."), "data_element": _("Choose the data element.")}
        if kind.applies_to in needed and not cleaned.get(kind.applies_to):
            self.add_error(kind.applies_to, needed[kind.applies_to])
        return cleaned

    def save(self, commit=True):
        self.instance.params = self.cleaned_data.get("params_text") or {}
        return super().save(commit=commit)


class SilenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=())
    unit = forms.CharField(label=_("unit code (and the units below it)"), required=False, max_length=60)
    severity = forms.ChoiceField(label=_("severity"), required=False, choices=())
    starts = forms.DateField(label=_("from"), widget=DayInput)
    ends = forms.DateField(label=_("until (inclusive)"), widget=DayInput)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, units=(), **kwargs):
        from giamsat.orgunits.widgets import UnitCodeInput

        from .choices import Severity

        super().__init__(*args, **kwargs)
        self.fields["unit"].widget = UnitCodeInput(units=units)
        self.fields["kind"].choices = [("", _("All kinds")), *kind_choices()]
        self.fields["severity"].choices = [("", _("All")), *Severity.choices]

    def clean_unit(self):
        from giamsat.orgunits.models import OrgUnit

        code = (self.cleaned_data.get("unit") or "").strip()
        if not code:
            return None
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("No unit has the code “%(code)s”.") % {"code": code})
        return unit
