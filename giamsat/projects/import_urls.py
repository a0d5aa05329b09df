"""Projects in Excel, included under /projects/ by the projects URLs (names projects:import, ...)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("import/", import_views.project_import, name="import"),
    path("import/template/", import_views.project_import_template, name="import_template"),
    path("export/", import_views.project_export, name="export"),
]
