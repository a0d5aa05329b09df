"""Form widgets for units."""

from django import forms


class UnitCodeInput(forms.TextInput):
    """A unit typed by its code, with the given units offered by name (a datalist): people pick
    "Thành phố Hà Nội" rather than remember P01."""

    template_name = "orgunits/widgets/unit_code_input.html"

    def __init__(self, attrs=None, units=()):
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.units = list(units)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id') or name}-list"
        context["units"] = self.units
        return context
