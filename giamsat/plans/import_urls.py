"""Plans in Excel, included under /plans/ by the plans URLs (names plans:import, ...)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("import/", import_views.plan_import, name="import"),
    path("import/confirm/", import_views.plan_import_confirm, name="import_confirm"),
    path("import/template/", import_views.plan_import_template, name="import_template"),
    path("export/", import_views.plan_export, name="export"),
]
