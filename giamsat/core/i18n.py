"""Bilingual data: models keep name_vi and name_en; pages show the active language's."""

from django.utils.translation import get_language


class BilingualName:
    """Mixin for models with `name_vi` and `name_en`: `.name` follows the active language."""

    name_vi: str
    name_en: str

    @property
    def name(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi
