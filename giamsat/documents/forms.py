from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OfficialDocument
from .services import EDITABLE


class DocumentForm(forms.ModelForm):
    """The parts of a draft a leader edits: the narrative, the title block, the closing."""

    class Meta:
        model = OfficialDocument
        fields = list(EDITABLE)
        widgets = {
            "assessment": forms.Textarea(attrs={"rows": 10}),
            "proposals": forms.Textarea(attrs={"rows": 6}),
            "recipients": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "assessment": _("Paragraphs separated by a blank line. The figures' tables and chart follow it."),
            "proposals": _("Paragraphs separated by a blank line."),
            "recipients": _("One per line; the last is usually “Lưu: VT, …”."),
        }
