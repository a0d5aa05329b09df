"""Form widgets shared by every app."""

from django import forms


class DayInput(forms.DateInput):
    """A day typed dd/mm/yyyy, as everywhere in GiamSat. Not a browser date picker: Chromium draws
    it in its own locale's order (mm/dd/yyyy in English), whatever the page's language."""

    def __init__(self, attrs=None):
        defaults = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off", "size": 10}
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d/%m/%Y")
