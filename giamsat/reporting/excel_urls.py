"""Excel channel routes, included under /reports/excel/."""

from django.urls import path

from . import excel_views

app_name = "reporting_excel"
urlpatterns = [
    path("", excel_views.home, name="home"),
    path("template/", excel_views.template_download, name="template_download"),
    path("upload/", excel_views.upload, name="upload"),
    path("upload/<slug:token>/errors/", excel_views.upload_errors, name="upload_errors"),
    path("export/", excel_views.export, name="export"),
    path("report/<int:pk>/export/", excel_views.report_export, name="report_export"),
]
