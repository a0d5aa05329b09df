"""Every model has a name in Vietnamese: the admin and the audit trail show model names."""

import pytest
from django.apps import apps
from django.utils import translation

pytestmark = pytest.mark.django_db


def _models():
    return [model for model in apps.get_models() if model.__module__.startswith("giamsat.")]


@pytest.mark.parametrize("model", _models(), ids=lambda model: model.__name__)
def test_every_model_is_named_in_vietnamese(model):
    options = model._meta
    with translation.override("en"):
        english = (str(options.verbose_name), str(options.verbose_name_plural))
    with translation.override("vi"):
        vietnamese = (str(options.verbose_name), str(options.verbose_name_plural))
    assert "verbose_name_plural" in options.original_attrs or model.__name__ == "User", model
    assert english[0] != vietnamese[0] and english[1] != vietnamese[1], (model, english, vietnamese)


def test_admin_index_names_models_in_vietnamese(client_admin):
    html = client_admin.get("/admin/").content.decode()
    for english in ("Data values", "Org unit groups", "Index methodologys", "Validation rules", "Data sets"):
        assert english not in html
    for vietnamese in ("Giá trị số liệu", "Nhóm đơn vị", "Phương pháp tính chỉ số", "Quy tắc kiểm tra"):
        assert vietnamese in html
